// Overview: the open work in numbers, fourteen days of activity, and the
// audit log's latest signed tree head.

import {h} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {can} from '../lib/session.js';
import {chart} from '../lib/chart.js';
import {abbrev, day, number, time} from '../lib/format.js';
import {rootHex} from '../lib/sth.js';
import {pageTitle, section} from '../lib/ui.js';

// Cards are plain text, not links: their words ("campaigns", "alerts", ...)
// would otherwise compete with the navigation links of the same names.
const CARDS = [
  ['open_campaigns', 'Open campaigns'],
  ['open_intel_alerts', 'Open threat-intel alerts'],
  ['open_incidents', 'Open incidents'],
  ['noncompliant_devices', 'Noncompliant devices'],
  ['open_ehr_alerts', 'Open EHR alerts'],
  ['ehr_alerts_7d', 'EHR alerts in the last 7 days'],
  ['pending_approvals', 'Wipes awaiting a second administrator'],
];

const SERIES = [
  ['smish.report', 'Smishing reports'],
  ['intel.hit', 'Threat-intel hits'],
  ['ehr.alert', 'EHR alerts'],
  ['access.decision', 'Access decisions'],
];

export async function render(view) {
  pageTitle(view, 'Overview');
  const body = h('div', {class: 'overview', 'aria-busy': 'true'}, h('p', {class: 'loading'}, 'Loading…'));
  view.append(body);
  const data = await get('/api/v1/overview');  // each part only for the roles that may read it
  body.replaceChildren();
  body.removeAttribute('aria-busy');

  const counts = data.counts || {};
  // Counts stop at one page (counts_capped_at): shown as "500+".
  const cap = data.counts_capped_at;
  const shown = (n) => (cap && n >= cap ? `${number(cap)}+` : number(n));
  const cards = CARDS.filter(([key]) => typeof counts[key] === 'number');
  if (cards.length) {
    body.append(section('Open work', h('ul', {class: 'cards'}, cards.map(([key, label]) => h('li', {class: `card${counts[key] > 0 ? ' card-attention' : ''}`},
      h('span', {class: 'card-value'}, shown(counts[key])),
      h('span', {class: 'card-label'}, label))))));
  }

  const activity = data.activity;
  if (activity && Array.isArray(activity.days) && activity.series) {
    const series = SERIES.filter(([key]) => Array.isArray(activity.series[key]))
      .map(([key, name]) => ({name, values: activity.series[key]}));
    if (series.length) {
      body.append(section('Activity, last 14 days',
        chart({title: 'Events per day', labels: activity.days, series, kind: 'line', labelFormat: day})));
    }
  }

  const sth = data.latest_sth;
  if (sth) {
    let root = sth.sha256_root_hash;
    try {
      root = rootHex(sth);
    } catch (e) { /* shown as sent */ }
    body.append(section('Audit log',
      h('dl', {class: 'facts'},
        h('div', {}, h('dt', {}, 'Entries (tree size)'), h('dd', {}, number(sth.tree_size))),
        h('div', {}, h('dt', {}, 'Root hash'), h('dd', {}, h('code', {title: root}, abbrev(root, 16, 6)))),
        h('div', {}, h('dt', {}, 'Signed'), h('dd', {}, time(sth.timestamp))))));
  }

  if (!body.childElementCount) {
    body.append(h('p', {class: 'empty'}, 'Nothing to count for your role.'));
    if (can('reports_write')) body.append(h('p', {}, 'Got a suspicious text? Report it on the ', h('a', {href: '#/reports'}, 'reporting form'), '.'));
  }
}
