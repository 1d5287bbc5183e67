// Audit: the latest signed tree head, the history of tree heads with
// consistency checks done in the browser, and the event search.

import {h, dl, table, badge, fill} from '../lib/dom.js';
import {get, page} from '../lib/api.js';
import {pager} from '../lib/pager.js';
import {abbrev, number, time, localInputToRfc3339, rfc3339ToLocalInput} from '../lib/format.js';
import {rootHex} from '../lib/sth.js';
import {defang} from '../lib/defang.js';
import {showError} from '../lib/notify.js';
import {pageTitle, section, filters, go, route, actionButton} from '../lib/ui.js';
import {consistencyLines, signatureLines} from '../lib/verify.js';
import {verdict} from '../parts/verdict.js';

export async function render(view, {query}) {
  pageTitle(view, 'Audit', 'The audit log is an append-only Merkle tree (RFC 6962) whose tree heads are signed with Ed25519. The checks below recompute the proofs in this browser.');
  const latestBox = h('div', {}, h('p', {class: 'loading'}, 'Loading…'));
  const result = h('div', {class: 'verify-result', 'aria-live': 'polite'});
  view.append(section('Latest signed tree head', latestBox));
  let latest = null;
  const history = pager((cursor) => page('/api/v1/audit/sths', {}, cursor), (items) => table('Signed tree heads, newest first', [
    {label: 'Signed', rowHeader: true, cell: (s) => time(s.timestamp)},
    {label: 'Entries', class: 'num', cell: (s) => number(s.tree_size)},
    {label: 'Root hash', cell: (s) => hashCell(s)},
    {label: 'Check', cell: (s) => actionButton(['Verify', h('span', {class: 'sr-only'}, ` tree size ${s.tree_size} against the latest`)], async () => {
      if (!latest) latest = await get('/api/v1/audit/sth');
      fill(result, h('p', {class: 'loading'}, 'Checking…'));
      try {
        fill(result, h('h3', {tabindex: '-1'}, `Tree size ${s.tree_size} → ${latest.tree_size}`), verdict(await consistencyLines(s, latest)));
      } catch (e) {
        result.replaceChildren();
        throw e;
      }
      result.querySelector('h3').focus();
    }, {class: 'button-quiet'})},
  ], items, 'No tree heads yet.'), 'Tree head pages');
  view.append(section('Tree head history', h('p', {class: 'hint'}, 'Verify checks that the latest tree still contains everything an older tree head signed: nothing was rewritten or removed.'), history.el, result));

  const shown = {...query, since: rfc3339ToLocalInput(query.since), until: rfc3339ToLocalInput(query.until)};
  const events = pager((cursor) => page('/api/v1/audit/events', {type: query.type, actor: query.actor, subject: query.subject, since: query.since, until: query.until}, cursor),
    (items) => table('Log entries, newest first', [
      {label: 'Entry', rowHeader: true, cell: (e) => h('a', {href: `#/audit/events/${e.index}`}, `#${e.index}`)},
      {label: 'Time', cell: (e) => time(e.event.time)},
      {label: 'Type', cell: (e) => h('code', {}, e.event.type)},
      {label: 'Actor', cell: (e) => e.event.actor},
      {label: 'Subject', cell: (e) => (e.event.subject ? h('span', {class: 'defanged'}, defang(e.event.subject)) : '—')},
      {label: 'Outcome', cell: (e) => badge(e.event.outcome)},
      {label: 'Severity', cell: (e) => badge(e.event.severity)},
    ], items, 'No entries match.'), 'Log entry pages');
  view.append(section('Search the log',
    filters([
      {name: 'type', label: 'Event type', placeholder: 'e.g. device.wipe or admin.*'},
      {name: 'actor', label: 'Actor'},
      {name: 'subject', label: 'Subject'},
      {name: 'since', label: 'From', type: 'datetime-local'},
      {name: 'until', label: 'Until', type: 'datetime-local'},
    ], shown, (values) => go(route('#/audit', {...values, since: localInputToRfc3339(values.since), until: localInputToRfc3339(values.until)}))),
    events.el));

  try {
    latest = await get('/api/v1/audit/sth');
  } catch (e) {
    fill(latestBox, h('p', {class: 'empty'}, 'Could not load the latest tree head.'));
    showError(e);
    return;
  }
  const sigResult = h('div', {'aria-live': 'polite'});
  fill(latestBox, 
    dl([
      ['Entries (tree size)', number(latest.tree_size)],
      ['Signed', time(latest.timestamp)],
      ['Root hash (hex)', h('code', {class: 'hash'}, safeRoot(latest))],
      ['Signing key id', h('code', {class: 'hash'}, latest.key_id || '—')],
    ]),
    actionButton('Check signature', async () => {
      fill(sigResult, verdict(await signatureLines(latest, 'Latest tree head')));
    }),
    sigResult);
}

function safeRoot(sth) {
  try {
    return rootHex(sth);
  } catch (e) {
    return String(sth.sha256_root_hash);
  }
}

function hashCell(sth) {
  const hex = safeRoot(sth);
  return h('code', {title: hex}, abbrev(hex, 16, 6));
}
