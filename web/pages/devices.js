// Devices: the inventory with compliance state, and the wipes waiting for
// a second administrator.

import {h, table, badge, list} from '../lib/dom.js';
import {page} from '../lib/api.js';
import {can} from '../lib/session.js';
import {pager} from '../lib/pager.js';
import {time} from '../lib/format.js';
import {pageTitle, section, filters, go, route} from '../lib/ui.js';
import {actionsTable} from '../parts/actions.js';

const STATES = ['compliant', 'grace', 'noncompliant', 'quarantined'].map((s) => [s, s]);
const OWNERSHIP = [['corporate', 'corporate'], ['byod', 'BYOD (personal)'], ['unknown', 'unknown']];
const PLATFORMS = [['ios', 'iOS'], ['ipados', 'iPadOS'], ['android', 'Android'], ['windows', 'Windows'], ['macos', 'macOS'], ['unknown', 'unknown']];

export async function render(view, {query}) {
  pageTitle(view, 'Devices');
  if (can('incidents_read')) {
    const approvals = pager((cursor) => page('/api/v1/response/actions', {state: 'awaiting_approval'}, cursor),
      (items) => actionsTable('Full wipes awaiting approval', items, () => approvals.reload(), 'No full wipe is waiting for approval.'), 'Approval pages');
    view.append(section('Wipes awaiting a second administrator',
      h('p', {class: 'hint'}, 'A full wipe of a corporate device is sent only when a different administrator approves it before it expires.'),
      approvals.el));
  }
  view.append(filters([
    {name: 'state', label: 'State', options: STATES},
    {name: 'ownership', label: 'Ownership', options: OWNERSHIP},
    {name: 'platform', label: 'Platform', options: PLATFORMS},
    {name: 'user', label: 'User', placeholder: 'UPN or e-mail'},
    {name: 'check', label: 'Failing check', placeholder: 'e.g. encryption, patch_sla'},
  ], query, (values) => go(route('#/devices', values))));
  const p = pager((cursor) => page('/api/v1/devices', {state: query.state, ownership: query.ownership, platform: query.platform, user: query.user, check: query.check}, cursor),
    (items) => table('Device inventory', [
      {label: 'Device', rowHeader: true, cell: (d) => h('a', {href: `#/devices/${encodeURIComponent(d.id)}`}, d.name || d.id)},
      {label: 'State', cell: (d) => badge(d.state)},
      {label: 'Failing checks', class: 'wide', cell: (d) => list(d.failing_checks)},
      {label: 'User', cell: (d) => d.user},
      {label: 'Platform', cell: (d) => [d.platform, d.os_version].filter(Boolean).join(' ')},
      {label: 'Ownership', cell: (d) => d.ownership},
      {label: 'Management', cell: (d) => String(d.management || '').replace(/_/g, ' ')},
      {label: 'Deadline', cell: (d) => (d.deadline ? time(d.deadline) : '—')},
      {label: 'Last check-in', cell: (d) => time(d.last_checkin)},
    ], items, 'No devices match.'), 'Device pages');
  view.append(section('Inventory', p.el));
}
