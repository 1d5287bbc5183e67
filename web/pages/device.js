// One device: its standing, each failing check with why it matters and how
// to fix it, and (administrators) lock and wipe.

import {h, dl, field, select, table, badge, list, fill} from '../lib/dom.js';
import {get, request, page} from '../lib/api.js';
import {can} from '../lib/session.js';
import {pager} from '../lib/pager.js';
import {time, timeText} from '../lib/format.js';
import {showStatus, showError} from '../lib/notify.js';
import {pageTitle, back, section} from '../lib/ui.js';
import {actionsTable} from '../parts/actions.js';

const enc = encodeURIComponent;

export async function render(view, {params}) {
  pageTitle(view, 'Devices');
  view.append(back('#/devices', 'Back to the list'));
  const body = h('div', {class: 'detail'});
  view.append(body);
  await draw(body, params[0]);
}

async function draw(body, id) {
  const d = await get(`/api/v1/devices/${enc(id)}`);
  const findings = d.findings || [];
  const actionsBox = h('div');
  fill(body, 
    h('h2', {class: 'detail-title'}, `${d.name || d.id} `, badge(d.state)),
    dl([
      ['Id', h('code', {}, d.id)],
      ['State', h('span', {}, badge(d.state), d.state_since ? h('span', {}, ' since ', time(d.state_since)) : '')],
      ['Deadline', d.deadline ? h('span', {}, time(d.deadline), ' (becomes noncompliant)') : null],
      ['User', d.user],
      ['Platform', [d.platform, d.os_version].filter(Boolean).join(' ')],
      ['Ownership', d.ownership],
      ['Management', String(d.management || '').replace(/_/g, ' ')],
      ['Source', d.source],
      ['Last check-in', time(d.last_checkin)],
      ['Failing checks', list(d.failing_checks)],
      ['Remote wipe', wipeWords(d.wipe)],
    ]),
    section('Checks', findings.length ? table('Findings and how to fix them', [
      {label: 'Check', rowHeader: true, cell: (f) => f.check},
      {label: 'Enforcement', cell: (f) => badge(f.enforcement === 'report' ? 'report only' : f.enforcement)},
      {label: 'What is wrong', class: 'wide', cell: (f) => f.message},
      {label: 'Why it matters', class: 'wide', cell: (f) => f.why},
      {label: 'How to fix it', class: 'wide', cell: (f) => f.fix},
      {label: 'Failing since', cell: (f) => time(f.failing_since)},
      {label: 'Deadline', cell: (f) => time(f.deadline)},
    ], findings) : h('p', {class: 'empty'}, 'Every check passes.')),
    can('devices_respond') ? respond(d, () => draw(body, id)) : null,
    can('incidents_read') ? section('Wipes and locks', actionsBox) : null,
  );
  if (can('incidents_read')) {
    const p = pager((cursor) => page('/api/v1/response/actions', {device: d.id}, cursor),
      (items) => actionsTable(`Wipes and locks of ${d.name || d.id}`, items, () => draw(body, id)), 'Action pages');
    actionsBox.append(p.el);
  }
}

function wipeWords(wipe) {
  if (wipe === 'selective') return 'selective (work profile or managed apps and their data only)';
  if (wipe === 'full') return 'full (erases the device; needs a second administrator)';
  if (wipe === 'none') return 'not possible remotely';
  return wipe;
}

function respond(d, redraw) {
  const reason = h('input', {type: 'text', maxlength: '1000', required: true, autocomplete: 'off'});
  const type = select([
    ['auto', `Automatic: ${d.wipe === 'none' ? 'not possible for this device' : `${d.wipe || 'chosen by Wardline'} wipe`}`],
    ['selective', 'Selective: work data only'],
    ['full', 'Full: erase the device'],
  ], 'auto');
  if (d.ownership === 'byod') type.querySelector('option[value="full"]').disabled = true;
  // One idempotency key per intended action: a retried or double-clicked
  // request returns the first action instead of wiping twice.
  let key = crypto.randomUUID();
  const fresh = () => { key = crypto.randomUUID(); };
  reason.addEventListener('input', fresh);
  type.addEventListener('change', fresh);

  const run = async (what, button) => {
    if (!reason.value.trim()) {
      reason.focus();
      throw new Error(`A reason is required (it goes into the audit log) before a ${what}.`);
    }
    button.disabled = true;
    try {
      const body = {reason: reason.value.trim()};
      if (what === 'wipe') body.type = type.value;
      const {status, data} = await request('POST', `/api/v1/devices/${enc(d.id)}/${what}`, {body, headers: {'Idempotency-Key': `${what}-${key}`}});
      fresh();
      reason.value = '';
      await redraw();
      if (status === 202) {
        showStatus(`Full wipe requested. It waits for a second administrator to approve it${data.expires_at ? ` before ${timeText(data.expires_at)}` : ''}; nothing has been sent yet.`);
      } else {
        showStatus(`${what === 'wipe' ? `${data.kind === 'full_wipe' ? 'Full' : 'Selective'} wipe` : 'Lock'} sent to the MDM (${data.connector || 'connector'}): ${data.result || data.state}.`);
      }
    } catch (e) {
      // The server answered (refused, or the MDM failed): a new attempt is a
      // new action. A lost connection keeps the key, so a retry cannot act twice.
      if (e.status) fresh();
      showError(e);
    } finally {
      button.disabled = false;
    }
  };
  const lock = h('button', {type: 'button'}, 'Lock');
  const wipe = h('button', {type: 'button', class: 'button-danger'}, 'Wipe');
  lock.addEventListener('click', () => run('lock', lock).catch(showError));
  wipe.addEventListener('click', () => run('wipe', wipe).catch(showError));
  return section('Respond',
    h('p', {class: 'hint'}, d.ownership === 'byod'
      ? 'A personal (BYOD) device is only ever wiped selectively: the work profile or managed apps and their data; the owner\'s own data stays.'
      : 'A corporate device gets a full wipe, sent only after a second administrator approves it. A lock needs MDM enrolment.'),
    field('Reason (recorded in the audit log)', reason),
    field('Wipe type', type),
    h('div', {class: 'button-row'}, lock, wipe));
}
