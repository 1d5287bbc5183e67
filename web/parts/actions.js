// Wipe and lock actions, with Approve for full wipes awaiting a second
// administrator (the server refuses self-approval and says so).

import {h, table, badge} from '../lib/dom.js';
import {post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time} from '../lib/format.js';
import {showStatus} from '../lib/notify.js';
import {actionButton} from '../lib/ui.js';

const KIND = {lock: 'Lock', selective_wipe: 'Selective wipe', full_wipe: 'Full wipe'};

export function actionsTable(caption, items, afterChange, empty = 'No wipes or locks.') {
  return table(caption, [
    {label: 'Action', rowHeader: true, cell: (a) => KIND[a.kind] || a.kind},
    {label: 'Device', cell: (a) => h('a', {href: `#/devices/${encodeURIComponent(a.device)}`}, a.device)},
    {label: 'User', cell: (a) => a.user},
    {label: 'State', cell: (a) => h('span', {}, badge(a.state), a.drill ? ' (drill)' : '')},
    {label: 'Approval', cell: (a) => (a.state === 'awaiting_approval' && can('devices_respond')
      ? actionButton('Approve', async () => {
        const done = await post(`/api/v1/response/actions/${encodeURIComponent(a.id)}/approve`, {});
        await afterChange();
        showStatus(`Approved: the full wipe of ${a.device} was sent to the MDM (${done.state}).`);
      }, {class: 'button-danger'})
      : '—')},
    {label: 'Reason', class: 'wide', cell: (a) => a.reason},
    {label: 'Requested', cell: (a) => h('span', {}, time(a.requested_at), a.requested_by ? ` by ${a.requested_by}` : '')},
    {label: 'Approved', cell: (a) => (a.approved_by ? h('span', {}, time(a.approved_at), ` by ${a.approved_by}`) : '—')},
    {label: 'Expires', cell: (a) => (a.state === 'awaiting_approval' ? time(a.expires_at) : '—')},
    {label: 'MDM answer', class: 'wide', cell: (a) => a.result},
  ], items, empty);
}
