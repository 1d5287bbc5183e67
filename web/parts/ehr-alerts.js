// EHR access alerts as a table.

import {h, table, badge} from '../lib/dom.js';
import {time} from '../lib/format.js';

export const EHR_KINDS = ['volume_spike', 'off_hours', 'new_device', 'new_location', 'impossible_travel', 'vip_snooping', 'lateral_movement']
  .map((k) => [k, k.replace(/_/g, ' ')]);

export function ehrAlertTable(caption, items) {
  return table(caption, [
    {label: 'When', rowHeader: true, cell: (a) => h('a', {href: `#/ehr/${encodeURIComponent(a.id)}`}, time(a.at))},
    {label: 'User', cell: (a) => a.user},
    {label: 'Kind', cell: (a) => String(a.kind || '').replace(/_/g, ' ')},
    {label: 'Severity', cell: (a) => badge(a.severity)},
    {label: 'Weight', class: 'num', cell: (a) => (typeof a.weight === 'number' ? a.weight.toFixed(2) : '—')},
    {label: 'Explanation', class: 'wide', cell: (a) => a.explanation},
  ], items, 'No EHR access alerts.');
}
