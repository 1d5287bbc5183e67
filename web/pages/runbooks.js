// Runbooks: the incident procedures with when each was last drilled, and
// the drills recorded.

import {h, table, badge, fill} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {pageTitle, section} from '../lib/ui.js';
import {drillTable, drillForm} from '../parts/drills.js';

export async function render(view) {
  pageTitle(view, 'Runbooks');
  const data = await get('/api/v1/runbooks');
  const items = data.items || [];
  const drillsBox = h('div');
  const loadDrills = async () => {
    const drills = await get('/api/v1/drills', {limit: 50});
    fill(drillsBox, drillTable('The 50 newest drills', drills.items || []));
  };
  if (data.warnings && data.warnings.length) {
    view.append(h('div', {class: 'warning panel'}, h('p', {}, 'Drills overdue:'), h('ul', {}, data.warnings.map((w) => h('li', {}, w)))));
  }
  view.append(section('Procedures', table('Incident procedures', [
    {label: 'Procedure', rowHeader: true, cell: (r) => h('a', {href: `#/runbooks/${encodeURIComponent(r.name)}`}, r.title || r.name)},
    {label: 'Name', cell: (r) => h('code', {}, r.name)},
    {label: 'Incident type', cell: (r) => String(r.incident_type || '').replace(/_/g, ' ')},
    {label: 'Owner', cell: (r) => r.owner},
    {label: 'Last drilled', cell: (r) => (r.drill && r.drill.last_tested ? time(r.drill.last_tested) : 'never')},
    {label: 'Last result', cell: (r) => badge(r.drill && r.drill.last_result)},
    {label: 'Next drill due', cell: (r) => h('span', {}, time(r.drill && r.drill.due), r.drill && r.drill.overdue ? [' ', badge('overdue')] : '')},
  ], items, 'No runbooks are loaded.')));
  if (can('incidents_write') && items.length) {
    view.append(h('details', {class: 'panel'}, h('summary', {}, 'Record a drill'), drillForm(items.map((r) => r.name), loadDrills)));
  }
  view.append(section('Drills', drillsBox));
  await loadDrills();
}
