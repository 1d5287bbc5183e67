// One threat-intel alert with its triage buttons.

import {h, dl, badge, list, fill} from '../lib/dom.js';
import {get, post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';
import {showStatus} from '../lib/notify.js';
import {pageTitle, back, section, actionButton} from '../lib/ui.js';

const enc = encodeURIComponent;

export async function render(view, {params}) {
  pageTitle(view, 'Alerts');
  view.append(back('#/alerts', 'Back to the list'));
  const body = h('div', {class: 'detail'});
  view.append(body);
  await draw(body, params[0]);
}

async function draw(body, id) {
  const a = await get(`/api/v1/intel/alerts/${enc(id)}`);
  const last = a.last || {};
  const set = (status, text) => async () => {
    await post(`/api/v1/intel/alerts/${enc(a.id)}/status`, {status});
    await draw(body, id);
    showStatus(text);
  };
  fill(body, 
    h('h2', {class: 'detail-title'}, 'Threat-intel match ', h('span', {class: 'defanged'}, defang(a.indicator))),
    dl([
      ['Indicator', h('code', {class: 'defanged'}, defang(a.indicator))],
      ['Type', a.type],
      ['Status', badge(a.status)],
      ['Sightings', String(a.hits)],
      ['Confidence', `${a.confidence} / 100`],
      ['Feeds', list(a.feeds)],
      ['Labels', list(a.labels)],
      ['First seen', time(a.first_seen)],
      ['Last seen', time(a.last_seen)],
      ['From campaign', a.campaign_id ? h('a', {href: `#/campaigns/${enc(a.campaign_id)}`}, a.campaign_id) : null],
    ]),
    section('Last sighting', dl([
      ['Log source', last.source],
      ['Field', last.field],
      ['Seen as', last.observed ? h('code', {class: 'defanged'}, defang(last.observed)) : null],
      ['Log time', last.timestamp],
      ['Client address', last.client ? defang(last.client) : null],
      ['Device', last.device ? h('a', {href: `#/devices/${enc(last.device)}`}, last.device) : null],
      ['User', last.user],
    ])),
    can('intel_triage') ? section('Triage',
      h('p', {class: 'hint'}, 'A false positive suppresses the indicator (no alerts, left out of the block list) until the alert is reopened. A closed alert opens anew at the next sighting.'),
      h('div', {class: 'button-row'},
        actionButton('Acknowledge', set('acknowledged', 'Alert acknowledged.')),
        actionButton('Close', set('closed', 'Alert closed.')),
        actionButton('False positive', set('false_positive', 'Marked a false positive: the indicator is suppressed.')),
        actionButton('Reopen', set('open', 'Alert reopened.'))),
      can('incidents_write') ? h('p', {}, h('a', {href: `#/incidents?new_kind=alert&new_ref=${enc(a.id)}`}, 'Open an incident for this match')) : null) : null,
  );
}
