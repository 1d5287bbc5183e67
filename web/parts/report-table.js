// Reported messages: bodies, senders and links defanged.

import {h, table, badge, list, fill} from '../lib/dom.js';
import {post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';
import {showStatus} from '../lib/notify.js';
import {actionButton} from '../lib/ui.js';

function body(text) {
  const shown = defang(text || '');
  if (shown.length <= 280) return h('p', {class: 'message defanged'}, shown);
  return h('details', {class: 'message'}, h('summary', {class: 'defanged'}, `${shown.slice(0, 240)}…`), h('p', {class: 'defanged'}, shown));
}

// The message column carries the sender and links too, so the table stays
// narrow enough to read.
function message(r) {
  return h('div', {class: 'message-cell'},
    r.sender ? h('p', {class: 'message-meta'}, 'From ', h('span', {class: 'defanged'}, defang(r.sender)), ` by ${r.channel}`) : h('p', {class: 'message-meta'}, `By ${r.channel}`),
    body(r.body),
    r.urls && r.urls.length ? h('p', {class: 'message-meta'}, 'Links: ', h('span', {class: 'defanged'}, list(r.urls, defang))) : null);
}

// An analyst's label on one report (a training label for the classifier);
// the cell redraws itself with the new label.
function labelCell(r) {
  const cell = h('div', {class: 'button-row'});
  const draw = (label, by) => {
    const set = (to, text) => actionButton(text, async () => {
      const done = await post(`/api/v1/reports/${encodeURIComponent(r.id)}/label`, {label: to});
      showStatus(to ? `Report ${r.id} labelled ${to.replace('_', ' ')}.` : `Label removed from report ${r.id}.`);
      draw(done.analyst_label, done.analyst_label ? 'you' : '');
    });
    fill(cell, [
      label ? h('span', {}, badge(label.replace('_', ' ')), ` by ${by}`) : null,
      label !== 'false_positive' ? set('false_positive', 'Mark false positive') : null,
      label !== 'smishing' ? set('smishing', 'Mark smishing') : null,
      label ? set('', 'Clear label') : null,
    ].filter(Boolean));
  };
  draw(r.analyst_label, r.labelled_by);
  return cell;
}

export function reportTable(caption, items, empty = 'No reports.') {
  return table(caption, [
    {label: 'Reported', rowHeader: true, cell: (r) => h('span', {}, time(r.reported_at), h('br'), h('code', {class: 'muted'}, r.id))},
    {label: 'Reporter', cell: (r) => h('span', {}, r.reporter, r.department ? h('br') : null, r.department ? h('span', {class: 'muted'}, `${r.department}${r.staff_role ? `, ${r.staff_role}` : ''}`) : null)},
    {label: 'Verdict', cell: (r) => h('span', {}, badge(r.simulation ? 'simulation' : r.verdict), ` ${r.score ?? ''}`, r.simulation ? h('span', {class: 'muted'}, ` (${r.simulation})`) : null)},
    {label: 'Message', class: 'wide message-col', cell: message},
    {label: 'Why', class: 'wide', cell: (r) => (r.reasons && r.reasons.length ? h('ul', {class: 'reasons'}, r.reasons.map((x) => h('li', {class: 'defanged'}, defang(x)))) : '—')},
    ...(can('campaigns_write') ? [{label: 'Analyst label', cell: labelCell}] : []),
  ], items, empty);
}
