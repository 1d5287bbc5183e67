// One EHR access alert with its explanation and details.

import {h, dl, table, badge} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {pageTitle, back, section} from '../lib/ui.js';

export async function render(view, {params}) {
  pageTitle(view, 'EHR alerts');
  view.append(back('#/ehr', 'Back to the list'));
  const a = await get(`/api/v1/ehr/alerts/${encodeURIComponent(params[0])}`);
  const details = Object.entries(a.details || {});
  view.append(
    h('h2', {class: 'detail-title'}, `${String(a.kind || '').replace(/_/g, ' ')}: ${a.user} `, badge(a.severity)),
    h('p', {class: 'explanation-text'}, a.explanation),
    dl([
      ['User', a.user],
      ['Kind', String(a.kind || '').replace(/_/g, ' ')],
      ['Severity', badge(a.severity)],
      ['Weight', typeof a.weight === 'number' ? a.weight.toFixed(2) : a.weight],
      ['When', time(a.at)],
      ['Id', h('code', {}, a.id)],
    ]),
    section('Details', table('Alert details', [
      {label: 'Field', rowHeader: true, cell: ([k]) => k.replace(/_/g, ' ')},
      {label: 'Value', class: 'wide', cell: ([, v]) => (typeof v === 'object' ? JSON.stringify(v) : String(v))},
    ], details, 'No details.')),
    can('incidents_write') ? h('p', {}, h('a', {href: `#/incidents?new_kind=alert&new_ref=${encodeURIComponent(a.id)}`}, 'Open an incident for this anomaly')) : null,
  );
}
