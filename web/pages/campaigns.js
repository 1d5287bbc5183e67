// Campaigns: the triage queue, most recently seen first.

import {h, table, badge, list} from '../lib/dom.js';
import {page} from '../lib/api.js';
import {pager} from '../lib/pager.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';
import {pageTitle, filters, go, route, section} from '../lib/ui.js';

const STATUSES = [['new', 'New'], ['investigating', 'Investigating'], ['confirmed', 'Confirmed'], ['false_positive', 'False positive'], ['closed', 'Closed']];

export async function render(view, {query}) {
  pageTitle(view, 'Campaigns', 'Reports of the same lure grouped together. Open one to confirm and block it, mark it a false positive, or split and merge.');
  view.append(filters([{name: 'status', label: 'Status', options: STATUSES}], query, (values) => go(route('#/campaigns', values))));
  const list_ = pager((cursor) => page('/api/v1/campaigns', {status: query.status}, cursor), (items) => table('Campaigns', [
    {label: 'Campaign', rowHeader: true, cell: (c) => h('a', {href: `#/campaigns/${encodeURIComponent(c.id)}`}, c.id)},
    {label: 'Status', cell: (c) => badge(c.status)},
    {label: 'Verdict', cell: (c) => h('span', {}, badge(c.highest_verdict), ` ${c.highest_score ?? ''}`)},
    {label: 'Reports', class: 'num', cell: (c) => String(c.reports)},
    {label: 'Reporters', class: 'num', cell: (c) => String(c.unique_reporters)},
    {label: 'Departments', cell: (c) => list(c.departments)},
    {label: 'Channels', cell: (c) => list(c.channels)},
    {label: 'Link domains', cell: (c) => h('span', {class: 'defanged'}, list((c.indicators && c.indicators.domains) || [], defang))},
    {label: 'First seen', cell: (c) => time(c.first_seen)},
    {label: 'Last seen', cell: (c) => time(c.last_seen)},
  ], items, 'No campaigns match.'), 'Campaign pages');
  view.append(section('Queue', list_.el));
}
