// Reported messages: bodies, senders and links defanged.

import {h, table, badge, list} from '../lib/dom.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';

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

export function reportTable(caption, items, empty = 'No reports.') {
  return table(caption, [
    {label: 'Reported', rowHeader: true, cell: (r) => h('span', {}, time(r.reported_at), h('br'), h('code', {class: 'muted'}, r.id))},
    {label: 'Reporter', cell: (r) => h('span', {}, r.reporter, r.department ? h('br') : null, r.department ? h('span', {class: 'muted'}, `${r.department}${r.staff_role ? `, ${r.staff_role}` : ''}`) : null)},
    {label: 'Verdict', cell: (r) => h('span', {}, badge(r.simulation ? 'simulation' : r.verdict), ` ${r.score ?? ''}`, r.simulation ? h('span', {class: 'muted'}, ` (${r.simulation})`) : null)},
    {label: 'Message', class: 'wide message-col', cell: message},
    {label: 'Why', class: 'wide', cell: (r) => (r.reasons && r.reasons.length ? h('ul', {class: 'reasons'}, r.reasons.map((x) => h('li', {class: 'defanged'}, defang(x)))) : '—')},
  ], items, empty);
}
