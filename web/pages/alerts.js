// Alerts: threat-intel matches, accounts that look shared, and the newest
// EHR access anomalies, in one place.

import {h, table, list, fill} from '../lib/dom.js';
import {get, page} from '../lib/api.js';
import {can} from '../lib/session.js';
import {pager} from '../lib/pager.js';
import {time} from '../lib/format.js';
import {showError} from '../lib/notify.js';
import {pageTitle, section, filters, go, route} from '../lib/ui.js';
import {intelAlertTable, INTEL_STATUSES} from '../parts/intel-alerts.js';
import {ehrAlertTable} from '../parts/ehr-alerts.js';

export async function render(view, {query}) {
  pageTitle(view, 'Alerts');
  if (can('intel_read')) {
    const p = pager((cursor) => page('/api/v1/intel/alerts', {status: query.status}, cursor), (items) => intelAlertTable('Threat-intel matches', items), 'Threat-intel pages');
    view.append(section('Threat-intel matches',
      h('p', {class: 'hint'}, 'An indicator from a feed (or a confirmed campaign) seen in DNS, proxy or VPN logs, or in a reported message. Open one to acknowledge, close or mark it a false positive.'),
      filters([{name: 'status', label: 'Status', options: INTEL_STATUSES}], query, (values) => go(route('#/alerts', values))),
      p.el));
    view.append(section('Shared accounts', sharedAccounts()));
  }
  if (can('ehr_read')) {
    const box = h('div', {}, h('p', {class: 'loading'}, 'Loading…'));
    view.append(section('EHR access anomalies', h('p', {class: 'hint'}, 'The ten newest; the EHR page has them all with filters.'), box));
    page('/api/v1/ehr/alerts', {}, '', 10)
      .then(({items}) => fill(box, ehrAlertTable('Newest EHR access anomalies', items)))
      .catch((e) => {
        fill(box, h('p', {class: 'empty'}, 'Could not load them.'));
        showError(e);
      });
  }
}

// No cursor here: the server keeps the newest 1,000 in memory (the audit
// log keeps them all, as access.shared_account events).
function sharedAccounts() {
  const box = h('div', {}, h('p', {class: 'loading'}, 'Loading…'));
  get('/api/v1/access/shared-accounts', {limit: 50}).then((data) => {
    fill(box, h('p', {class: 'hint'}, 'One account active on several devices at once, or a generic account name. The 50 newest.'),
      table('Accounts that look shared', [
        {label: 'When', rowHeader: true, cell: (a) => time(a.at)},
        {label: 'Account', cell: (a) => a.user},
        {label: 'Why', class: 'wide', cell: (a) => a.reason},
        {label: 'Devices', cell: (a) => list(a.devices)},
      ], (data && data.items) || [], 'No account looks shared.'));
  }).catch((e) => {
    fill(box, h('p', {class: 'empty'}, 'Could not load them.'));
    showError(e);
  });
  return box;
}

