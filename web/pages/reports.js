// Reports: every reported message, newest first (analysts), and a form to
// report one (anyone who may report).

import {h, field, select, dl, badge, list, fill} from '../lib/dom.js';
import {page, post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {pager} from '../lib/pager.js';
import {defang} from '../lib/defang.js';
import {showStatus} from '../lib/notify.js';
import {pageTitle, section, form} from '../lib/ui.js';
import {reportTable} from '../parts/report-table.js';

export async function render(view) {
  pageTitle(view, 'Reports', can('reports_read') ? 'Suspicious messages reported by staff, newest first. Links and addresses are shown defanged.' : null);
  if (can('reports_write')) view.append(reportForm());
  if (can('reports_read')) {
    const p = pager((cursor) => page('/api/v1/reports', {}, cursor), (items) => reportTable('Reported messages', items, 'No reports yet.'), 'Report pages');
    view.append(section('Received messages', p.el));
  }
}

function reportForm() {
  const channel = select([['sms', 'SMS'], ['imessage', 'iMessage'], ['whatsapp', 'WhatsApp'], ['rcs', 'RCS'], ['other', 'Other']], 'sms');
  const sender = h('input', {type: 'text', maxlength: '64', autocomplete: 'off'});
  const text = h('textarea', {rows: '4', maxlength: '16384', required: true});
  const result = h('div', {'aria-live': 'polite'});
  const el = form([
    field('Channel', channel),
    field('Sender', sender, 'The number or name the message came from, if shown.'),
    field('Message text', text, 'Paste the whole message. Do not open its links.'),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Report message')),
  ], async () => {
    const body = {channel: channel.value, body: text.value};
    if (sender.value.trim()) body.sender = sender.value.trim();
    const r = await post('/api/v1/reports', body);
    text.value = '';
    sender.value = '';
    showStatus(r.duplicate ? 'You had already reported this message.' : 'Thank you: the message was reported.');
    fill(result, h('h3', {}, 'What Wardline found'), dl([
      ['Verdict', h('span', {}, badge(r.simulation ? 'simulation' : r.verdict), ` score ${r.score}`)],
      ['Exercise', r.simulation || undefined],
      ['Kind', list(r.categories)],
      ['Why', list(r.reasons)],
      ['Links (defanged)', h('span', {class: 'defanged'}, list(r.urls, defang))],
    ]));
  });
  return section('Report a suspicious message', el, result);
}
