// Threat-intel alerts as a table: indicators and what was seen, defanged.

import {h, table, badge, list} from '../lib/dom.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';

export const INTEL_STATUSES = [['open', 'Open'], ['acknowledged', 'Acknowledged'], ['closed', 'Closed'], ['false_positive', 'False positive']];

export function intelAlertTable(caption, items) {
  return table(caption, [
    {label: 'Indicator', rowHeader: true, class: 'wide', cell: (a) => h('a', {href: `#/alerts/intel/${encodeURIComponent(a.id)}`, class: 'defanged'}, defang(a.indicator))},
    {label: 'Type', cell: (a) => a.type},
    {label: 'Status', cell: (a) => badge(a.status)},
    {label: 'Hits', class: 'num', cell: (a) => String(a.hits)},
    {label: 'Confidence', class: 'num', cell: (a) => String(a.confidence)},
    {label: 'Feeds', cell: (a) => list(a.feeds)},
    {label: 'Last seen', cell: (a) => time(a.last_seen)},
    {label: 'Seen as', class: 'wide', cell: (a) => (a.last && a.last.observed ? h('span', {class: 'defanged'}, defang(a.last.observed)) : '—')},
    {label: 'Device / user', cell: (a) => (a.last ? [a.last.device, a.last.user].filter(Boolean).join(' / ') || defang(a.last.client) || '—' : '—')},
    {label: 'Campaign', cell: (a) => (a.campaign_id ? h('a', {href: `#/campaigns/${encodeURIComponent(a.campaign_id)}`}, a.campaign_id) : '—')},
  ], items, 'No threat-intel matches.');
}
