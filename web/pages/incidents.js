// Incidents: the list with filters, and a form to open one.

import {h, field, select, table, badge} from '../lib/dom.js';
import {page, post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {pager} from '../lib/pager.js';
import {time} from '../lib/format.js';
import {pageTitle, section, filters, form, go, route} from '../lib/ui.js';
import {defang} from '../lib/defang.js';

export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'].map((s) => [s, s]);
const INCIDENT_TYPES = [['smishing_campaign', 'Smishing campaign'], ['credential_compromise', 'Credential compromise'], ['lost_device', 'Lost or stolen device'],
  ['intel_hit', 'Threat-intel match'], ['malicious_app', 'Malicious app'], ['other', 'Other']];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'].map((s) => [s, s]);
export const ITEM_KINDS = ['alert', 'campaign', 'shared_account', 'device', 'user', 'action'].map((k) => [k, k.replace('_', ' ')]);

const TYPE_FOR_KIND = {campaign: 'smishing_campaign', alert: 'intel_hit', device: 'lost_device', shared_account: 'credential_compromise'};

export async function render(view, {query}) {
  pageTitle(view, 'Incidents');
  if (can('incidents_write')) view.append(openForm(query));
  view.append(filters([
    {name: 'status', label: 'Status', options: INCIDENT_STATUSES},
    {name: 'type', label: 'Type', options: INCIDENT_TYPES},
    {name: 'owner', label: 'Owner'},
  ], query, (values) => go(route('#/incidents', values))));
  const p = pager((cursor) => page('/api/v1/incidents', {status: query.status, type: query.type, owner: query.owner}, cursor), (items) => table('Incidents, newest first', [
    {label: 'Incident', rowHeader: true, class: 'wide', cell: (i) => h('a', {href: `#/incidents/${encodeURIComponent(i.id)}`}, defang(i.title || i.id))},
    {label: 'Status', cell: (i) => badge(i.status)},
    {label: 'Severity', cell: (i) => badge(i.severity)},
    {label: 'Type', cell: (i) => String(i.type || '').replace(/_/g, ' ')},
    {label: 'Owner', cell: (i) => i.owner},
    {label: 'Runbook', cell: (i) => (i.runbook ? h('a', {href: `#/runbooks/${encodeURIComponent(i.runbook)}`}, i.runbook) : '—')},
    {label: 'Items', class: 'num', cell: (i) => String((i.items || []).length)},
    {label: 'Opened', cell: (i) => time(i.created_at)},
    {label: 'Updated', cell: (i) => time(i.updated_at)},
  ], items, 'No incidents match.'), 'Incident pages');
  view.append(section('List', p.el));
}

function openForm(query) {
  const kind = query.new_kind || '';
  const ref = query.new_ref || '';
  const title = h('input', {type: 'text', maxlength: '300', required: true, autocomplete: 'off'});
  const type = select(INCIDENT_TYPES, TYPE_FOR_KIND[kind] || 'other');
  const severity = select(SEVERITIES, 'medium');
  const owner = h('input', {type: 'text', maxlength: '200', autocomplete: 'off'});
  const itemKind = select([['', 'None'], ...ITEM_KINDS], kind);
  const itemRef = h('input', {type: 'text', maxlength: '200', autocomplete: 'off', value: ref});
  const el = form([
    field('Title', title),
    h('div', {class: 'field-row'}, field('Type', type), field('Severity', severity), field('Owner', owner, 'A Wardline user name; empty: unassigned.')),
    h('div', {class: 'field-row'}, field('First item kind', itemKind), field('First item id', itemRef, 'e.g. a campaign, alert or device id.')),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Open incident')),
  ], async () => {
    const body = {title: title.value.trim(), type: type.value, severity: severity.value};
    if (owner.value.trim()) body.owner = owner.value.trim();
    if (itemKind.value && itemRef.value.trim()) body.items = [{kind: itemKind.value, ref: itemRef.value.trim()}];
    const created = await post('/api/v1/incidents', body);
    go(`#/incidents/${encodeURIComponent(created.id)}`);
  });
  const details = h('details', {class: 'panel', open: !!ref}, h('summary', {}, 'Open an incident'), el);
  return details;
}
