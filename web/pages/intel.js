// Threat intel: the subscribed feeds and their last pull, the block-list
// exports, and the matches.

import {h, table, badge, fill} from '../lib/dom.js';
import {get, page, download} from '../lib/api.js';
import {pager} from '../lib/pager.js';
import {number, time} from '../lib/format.js';
import {showStatus} from '../lib/notify.js';
import {pageTitle, section, actionButton} from '../lib/ui.js';
import {intelAlertTable} from '../parts/intel-alerts.js';
import {defang} from '../lib/defang.js';

const EXPORTS = [
  ['rpz', 'Download RPZ zone', 'wardline-blocklist.rpz', 'DNS response policy zone for BIND, Unbound or PowerDNS.'],
  ['stix', 'Download STIX bundle', 'wardline-indicators.stix.json', 'STIX 2.1 bundle for partners and other tools.'],
  ['domains', 'Download domain list', 'wardline-domains.txt', 'One domain a line.'],
  ['squid-acl', 'Download Squid ACL', 'wardline-squid-acl.txt', 'A dstdomain ACL for the Squid proxy.'],
];

export async function render(view) {
  pageTitle(view, 'Threat intel');
  const feedsBox = h('div', {}, h('p', {class: 'loading'}, 'Loading…'));
  view.append(section('Feeds', feedsBox));
  view.append(section('Block-list exports',
    h('p', {class: 'hint'}, 'The indicator set now loaded, including the links of confirmed smishing campaigns. Private and internal addresses are left out.'),
    h('ul', {class: 'exports'}, EXPORTS.map(([format, label, file, what]) => h('li', {},
      actionButton(label, async () => {
        await download(`/api/v1/intel/export/${format}`, file);
        showStatus(`${file} downloaded.`);
      }), ' ', h('span', {class: 'hint'}, what))))));
  const p = pager((cursor) => page('/api/v1/intel/alerts', {}, cursor), (items) => intelAlertTable('Threat-intel matches, most recently seen first', items), 'Match pages');
  view.append(section('Matches', p.el));

  const data = await get('/api/v1/intel/feeds');
  fill(feedsBox, 
    h('p', {}, `Indicators loaded: ${number(data.indicators_loaded)}.`),
    table('Subscribed feeds', [
      {label: 'Feed', rowHeader: true, cell: (f) => f.name},
      {label: 'Source', class: 'wide', cell: (f) => h('code', {}, f.source)},
      {label: 'Format', cell: (f) => f.format},
      {label: 'Confidence', class: 'num', cell: (f) => String(f.confidence)},
      {label: 'Last pull', cell: (f) => time(f.last_pull_at)},
      {label: 'Status', cell: (f) => badge(f.last_status || 'never')},
      {label: 'Error', class: 'wide', cell: (f) => defang(f.last_error)},
      {label: 'Indicators', class: 'num', cell: (f) => number(f.indicators)},
      {label: 'Rejected', class: 'num', cell: (f) => rejects(f)},
      {label: 'Ignored', class: 'num', cell: (f) => number(f.ignored)},
    ], data.items || [], 'No feeds are subscribed. Add one with "wardline intel feed add".'));
}

function rejects(feed) {
  if (!feed.rejects || !feed.rejects.length) return number(feed.rejected);
  return h('details', {}, h('summary', {}, number(feed.rejected)),
    h('ul', {}, feed.rejects.map((r) => h('li', {}, `${r.where}: ${defang(r.reason)}`))));
}

