// One incident: what it holds, what happened, and changes to it.

import {h, dl, field, select, table, badge, fill} from '../lib/dom.js';
import {get, post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {showStatus} from '../lib/notify.js';
import {pageTitle, back, section, form} from '../lib/ui.js';
import {INCIDENT_STATUSES, SEVERITIES, ITEM_KINDS} from './incidents.js';
import {refLink} from '../parts/ref-link.js';
import {defang} from '../lib/defang.js';

const enc = encodeURIComponent;

export async function render(view, {params}) {
  pageTitle(view, 'Incidents');
  view.append(back('#/incidents', 'Back to the list'));
  const body = h('div', {class: 'detail'});
  view.append(body);
  await draw(body, params[0]);
}

async function draw(body, id) {
  const i = await get(`/api/v1/incidents/${enc(id)}`);
  fill(body, 
    h('h2', {class: 'detail-title defanged'}, defang(i.title || i.id)),
    dl([
      ['Id', h('code', {}, i.id)],
      ['Status', badge(i.status)],
      ['Severity', badge(i.severity)],
      ['Type', String(i.type || '').replace(/_/g, ' ')],
      ['Owner', i.owner],
      ['Runbook', i.runbook ? h('a', {href: `#/runbooks/${enc(i.runbook)}`}, i.runbook) : null],
      ['Opened', h('span', {}, time(i.created_at), i.created_by ? ` by ${i.created_by}` : '')],
      ['Updated', time(i.updated_at)],
    ]),
    section('Items', table('Items attached to the incident', [
      {label: 'Kind', rowHeader: true, cell: (it) => String(it.kind || '').replace(/_/g, ' ')},
      {label: 'Reference', cell: (it) => refLink(it.kind, it.ref)},
      {label: 'Summary', class: 'wide', cell: (it) => defang(it.summary)},
      {label: 'Added', cell: (it) => time(it.added_at)},
    ], i.items || [], 'No items yet.')),
    can('incidents_write') ? changeForms(body, i) : null,
    section('Timeline', table('Incident timeline', [
      {label: 'When', rowHeader: true, cell: (t) => time(t.at)},
      {label: 'Who', cell: (t) => t.actor},
      {label: 'What', class: 'wide', cell: (t) => defang(t.entry)},
    ], i.timeline || [], 'Nothing on the timeline yet.')),
  );
}

function changeForms(body, i) {
  const redraw = () => draw(body, i.id);
  const status = select(INCIDENT_STATUSES, i.status);
  const severity = select(SEVERITIES, i.severity);
  const owner = h('input', {type: 'text', value: i.owner || '', maxlength: '200', autocomplete: 'off'});
  const runbook = h('input', {type: 'text', value: i.runbook || '', maxlength: '200', autocomplete: 'off'});
  const note = h('textarea', {rows: '3', maxlength: '4000'});
  const change = form([
    h('div', {class: 'field-row'}, field('Status', status), field('Severity', severity), field('Owner', owner), field('Runbook', runbook)),
    field('Timeline note', note),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Save changes')),
  ], async () => {
    const update = {};
    if (status.value !== i.status) update.status = status.value;
    if (severity.value !== i.severity) update.severity = severity.value;
    if (owner.value.trim() !== (i.owner || '')) update.owner = owner.value.trim();
    if (runbook.value.trim() && runbook.value.trim() !== (i.runbook || '')) update.runbook = runbook.value.trim();
    if (note.value.trim()) update.note = note.value.trim();
    if (!Object.keys(update).length) throw new Error('Nothing changed.');
    await post(`/api/v1/incidents/${enc(i.id)}`, update);
    await redraw();
    showStatus('Incident updated.');
  });
  const kind = select(ITEM_KINDS, 'device');
  const ref = h('input', {type: 'text', maxlength: '200', required: true, autocomplete: 'off'});
  const summary = h('input', {type: 'text', maxlength: '4000', autocomplete: 'off'});
  const add = form([
    h('div', {class: 'field-row'}, field('Item kind', kind), field('Item id', ref), field('Item summary', summary)),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Add item')),
  ], async () => {
    const item = {kind: kind.value, ref: ref.value.trim()};
    if (summary.value.trim()) item.summary = summary.value.trim();
    await post(`/api/v1/incidents/${enc(i.id)}`, {add_items: [item]});
    await redraw();
    showStatus('Item added.');
  });
  return section('Update', h('div', {class: 'action-group'}, change), h('div', {class: 'action-group'}, h('h3', {}, 'Attach an item'), add));
}
