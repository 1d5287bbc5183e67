// One audit entry: the event, its exact leaf data, and an inclusion proof
// checked in the browser against the latest signed tree head.

import {h, dl, table, badge, fill} from '../lib/dom.js';
import {get} from '../lib/api.js';
import {time} from '../lib/format.js';
import {defang} from '../lib/defang.js';
import {pageTitle, back, section, actionButton} from '../lib/ui.js';
import {inclusionLines} from '../lib/verify.js';
import {verdict} from '../parts/verdict.js';

export async function render(view, {params}) {
  pageTitle(view, 'Audit');
  view.append(back('#/audit', 'Back to the log'));
  const index = params[0];
  const entry = await get(`/api/v1/audit/events/${encodeURIComponent(index)}`);
  const e = entry.event || {};
  const details = Object.entries(e.details || {});
  const result = h('div', {class: 'verify-result', 'aria-live': 'polite'});
  view.append(
    h('h2', {class: 'detail-title'}, `Entry #${entry.index}: `, h('code', {}, e.type)),
    dl([
      ['Time', time(e.time)],
      ['Type', h('code', {}, e.type)],
      ['Actor', e.actor],
      ['Subject', e.subject ? h('span', {class: 'defanged'}, defang(e.subject)) : ''],
      ['Outcome', badge(e.outcome)],
      ['Severity', badge(e.severity)],
      ['Source address', defang(e.source_ip)],
      ['Event id', h('code', {}, e.id)],
    ]),
    section('Details', table('Event details', [
      {label: 'Field', rowHeader: true, cell: ([k]) => k},
      {label: 'Value (defanged)', class: 'wide', cell: ([, v]) => h('span', {class: 'defanged'}, defang(String(v)))},
    ], details, 'No details.')),
    section('Proof of inclusion',
      h('p', {class: 'hint'}, 'Recomputes SHA-256(0x00 || leaf) from the text below, fetches the inclusion proof for the latest signed tree head, and checks that the proof leads to its signed root hash.'),
      actionButton('Verify inclusion', async () => {
        fill(result, h('p', {class: 'loading'}, 'Checking…'));
        try {
          const sth = await get('/api/v1/audit/sth');
          fill(result, verdict(await inclusionLines(entry, sth)));
        } catch (err) {
          result.replaceChildren();
          throw err;
        }
      }),
      result,
      h('details', {}, h('summary', {}, 'Exact leaf data (RFC 8785 canonical JSON; not defanged, as it is hashed)'),
        h('pre', {class: 'leaf', tabindex: '0'}, entry.leaf)),
      h('p', {}, 'Leaf hash: ', h('code', {class: 'hash'}, entry.leaf_hash))),
  );
}
