// One runbook: its steps in order, who does each, and the API call a step
// can trigger; its drills.

import {h, dl, badge, fill} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {pageTitle, back, section} from '../lib/ui.js';
import {drillTable, drillForm} from '../parts/drills.js';

export async function render(view, {params}) {
  pageTitle(view, 'Runbooks');
  view.append(back('#/runbooks', 'Back to the list'));
  const r = await get(`/api/v1/runbooks/${encodeURIComponent(params[0])}`);
  const drill = r.drill || {};
  const drillsBox = h('div');
  const loadDrills = async () => {
    const drills = await get('/api/v1/drills', {runbook: r.name, limit: 50});
    fill(drillsBox, drillTable(`Drills of ${r.name}`, drills.items || []));
  };
  view.append(
    h('h2', {class: 'detail-title'}, r.title || r.name),
    r.description ? h('p', {class: 'prose'}, r.description) : null,
    dl([
      ['Name', h('code', {}, r.name)],
      ['Incident type', String(r.incident_type || '').replace(/_/g, ' ')],
      ['Owner', r.owner],
      ['Last drilled', drill.last_tested ? time(drill.last_tested) : 'never'],
      ['Last result', badge(drill.last_result)],
      ['Next drill due', h('span', {}, time(drill.due), drill.overdue ? [' ', badge('overdue')] : '')],
      ['Warning', drill.warning],
    ]),
    section('Steps', (r.steps || []).length ? h('ol', {class: 'steps'}, r.steps.map((s) => h('li', {},
      h('h3', {}, s.title || s.id),
      s.owner ? h('p', {class: 'step-owner'}, `Who: ${s.owner}`) : null,
      s.details ? h('p', {class: 'prose'}, s.details) : null,
      s.api ? h('p', {class: 'hint'}, 'Wardline call: ', h('code', {}, s.api), s.action ? ` (${s.action})` : '') : null))) : h('p', {class: 'empty'}, 'No steps.')),
    can('incidents_write') ? h('details', {class: 'panel'}, h('summary', {}, 'Record a drill'), drillForm([r.name], loadDrills)) : null,
    section('Drills', drillsBox),
  );
  await loadDrills();
}
