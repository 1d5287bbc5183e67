// Access: conditional-access decisions from the audit log, each with its
// explanation (rules matched, risk, required authentication).

import {h, dl, table, badge, fill} from '../lib/dom.js';
import {page} from '../lib/api.js';
import {pager} from '../lib/pager.js';
import {time, localInputToRfc3339, rfc3339ToLocalInput} from '../lib/format.js';
import {pageTitle, section, filters, go, route} from '../lib/ui.js';
import {defang} from '../lib/defang.js';
import {can} from '../lib/session.js';

const REQUIRED = {single_factor: 'one factor (password)', multi_factor: 'multi-factor', phishing_resistant: 'phishing-resistant (passkey, smart card)'};
const split = (text) => String(text || '').split(';').map((s) => s.trim()).filter(Boolean);

export async function render(view, {query}) {
  pageTitle(view, 'Access', 'Every conditional-access decision is in the audit log. Search them by user, caller and time; open one to see why it was decided.');
  const shown = {...query, since: rfc3339ToLocalInput(query.since), until: rfc3339ToLocalInput(query.until)};
  view.append(filters([
    {name: 'subject', label: 'User asking for access'},
    {name: 'actor', label: 'Asked by (gateway or identity provider)'},
    {name: 'since', label: 'From', type: 'datetime-local'},
    {name: 'until', label: 'Until', type: 'datetime-local'},
  ], shown, (values) => go(route('#/access', {...values, since: localInputToRfc3339(values.since), until: localInputToRfc3339(values.until)}))));
  const detail = h('div', {id: 'decision-detail', 'aria-live': 'polite'});
  const p = pager((cursor) => page('/api/v1/access/decisions', {subject: query.subject, actor: query.actor, since: query.since, until: query.until}, cursor),
    (items) => table('Access decisions, newest first', [
      {label: 'When', rowHeader: true, cell: (e) => time(e.event.time)},
      {label: 'User', cell: (e) => e.event.subject},
      {label: 'Decision', cell: (e) => badge(d(e).decision)},
      {label: 'Data and action', cell: (e) => [d(e).category, d(e).action].filter(Boolean).join(' / ')},
      {label: 'Device', cell: (e) => d(e).device},
      {label: 'Risk', cell: (e) => badge(d(e).risk)},
      {label: 'Explanation', cell: (e) => {
        const b = h('button', {type: 'button', class: 'button-quiet', 'aria-controls': 'decision-detail'}, `Explain #${e.index}`);
        b.addEventListener('click', () => {
          explain(detail, e);
          detail.querySelector('h3').focus();
        });
        return b;
      }},
    ], items, 'No decisions match.'), 'Decision pages');
  view.append(section('Decisions', p.el, detail));
}

const d = (entry) => (entry.event && entry.event.details) || {};

function explain(box, entry) {
  const e = entry.event;
  const det = d(entry);
  const rules = split(det.rules);
  const reportOnly = split(det.report_only);
  const reasons = split(det.reasons);
  fill(box, h('div', {class: 'panel explanation'},
    h('h3', {tabindex: '-1'}, `Decision ${det.decision_id || ''} for ${e.subject}`),
    dl([
      ['Decision', badge(det.decision)],
      ['Required authentication', det.required ? REQUIRED[det.required] || det.required : (det.decision === 'step_up' ? 'stronger sign-in' : 'none beyond what was presented')],
      ['Risk', badge(det.risk)],
      ['Data category', det.category],
      ['Action', det.action],
      ['Resource', defang(det.resource)],
      ['Device', det.device ? h('a', {href: `#/devices/${encodeURIComponent(det.device)}`}, det.device) : null],
      ['Client address', defang(det.client)],
      ['Asked by', e.actor],
      ['When', time(e.time)],
      ['Audit entry', can('audit_read') ? h('a', {href: `#/audit/events/${entry.index}`}, `#${entry.index}`) : `#${entry.index}`],
    ]),
    h('h4', {}, 'Rules matched'),
    rules.length ? h('ol', {}, rules.map((r) => h('li', {}, h('code', {}, r)))) : h('p', {class: 'empty'}, 'No rule matched: the policy default applied.'),
    reasons.length ? [h('h4', {}, 'Reasons'), h('ul', {}, reasons.map((r) => h('li', {class: 'defanged'}, defang(r))))] : null,
    reportOnly.length ? [h('h4', {}, 'Report-only rules that would have applied'), h('ul', {}, reportOnly.map((r) => h('li', {}, h('code', {}, r))))] : null));
}
