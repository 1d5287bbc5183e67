// One campaign: what it is (messages, indicators, reasons), how it grew,
// and the analyst's actions on it.

import {h, dl, field, table, badge, list, uid, fill} from '../lib/dom.js';
import {get, post, page} from '../lib/api.js';
import {can} from '../lib/session.js';
import {chart, perDay} from '../lib/chart.js';
import {day, time} from '../lib/format.js';
import {defang} from '../lib/defang.js';
import {pager} from '../lib/pager.js';
import {showStatus} from '../lib/notify.js';
import {pageTitle, back, section, form, splitList, actionButton} from '../lib/ui.js';
import {reportTable} from '../parts/report-table.js';

const enc = encodeURIComponent;

export async function render(view, {params}) {
  const id = params[0];
  pageTitle(view, 'Campaigns');
  view.append(back('#/campaigns', 'Back to the queue'));
  const body = h('div', {class: 'detail'});
  view.append(body);
  await draw(body, id);
}

async function draw(body, id) {
  const c = await get(`/api/v1/campaigns/${enc(id)}`);
  const chartBox = h('div', {}, h('p', {class: 'loading'}, 'Loading…'));
  const reasonsBox = h('div');
  fill(body, 
    h('h2', {class: 'detail-title'}, `Campaign ${c.id} `, badge(c.status)),
    dl([
      ['Status', badge(c.status)],
      ['Highest verdict', h('span', {}, badge(c.highest_verdict), ` score ${c.highest_score ?? '—'}`)],
      ['Reports', String(c.reports)],
      ['Staff who reported', String(c.unique_reporters)],
      ['Departments', list(c.departments)],
      ['Staff roles', list(c.roles)],
      ['Channels', list(c.channels)],
      ['Categories', list(c.categories)],
      ['First seen', time(c.first_seen)],
      ['Last seen', time(c.last_seen)],
    ]),
    section('Reports over time', chartBox),
    section('Indicators', indicators(c)),
    section('Why it was flagged', reasonsBox),
    can('campaigns_write') ? actions(body, c) : null,
    section('Messages', messages(c, chartBox, reasonsBox)),
    section('Timeline', table('Campaign timeline', [
      {label: 'When', rowHeader: true, cell: (e) => time(e.at)},
      {label: 'Who', cell: (e) => e.actor},
      {label: 'What', cell: (e) => e.kind},
      {label: 'Details', class: 'wide', cell: (e) => h('span', {class: 'defanged'}, defang(e.text))},
    ], c.timeline || [], 'Nothing on the timeline yet.')),
  );
}

function indicators(c) {
  const ind = c.indicators || {};
  const ul = (values) => (values && values.length ? h('ul', {class: 'ioc-list'}, values.map((v) => h('li', {}, h('code', {class: 'defanged'}, defang(v))))) : '—');
  return dl([
    ['Link domains', ul(ind.domains)],
    ['Links', ul(ind.urls)],
    ['Senders (phone numbers, short codes, addresses)', ul(c.senders)],
  ], 'facts facts-wide');
}

// The campaign's messages, 50 a page; they also feed the chart (when the
// server sends no per-day counts) and the reasons.
function messages(c, chartBox, reasonsBox) {
  let first = true;
  const p = pager((cursor) => page('/api/v1/reports', {campaign: c.id}, cursor), (items) => {
    if (first) {
      first = false;
      fillFromReports(c, items, chartBox, reasonsBox);
    }
    return reportTable(`Messages in campaign ${c.id}`, items, 'No messages.');
  }, 'Message pages');
  return [p.el, c.report_ids && c.report_ids.length ? h('details', {}, h('summary', {}, `Report ids (${c.report_ids.length})`), h('p', {}, h('code', {}, c.report_ids.join(' ')))) : null];
}

// The chart (reports per day of the first page) and the reasons, counted.
function fillFromReports(c, items, chartBox, reasonsBox) {
  const times = items.map((r) => r.reported_at);
  if (!times.length) {
    fill(chartBox, h('p', {class: 'empty'}, 'No reports.'));
  } else {
    const {labels, values} = perDay(times);
    fill(chartBox, chart({title: `Reports per day (the ${times.length} most recent reports), campaign ${c.id}`, labels, series: [{name: 'Reports', values}], kind: 'bar', labelFormat: day}));
  }
  const counts = new Map();
  for (const r of items) for (const reason of r.reasons || []) counts.set(reason, (counts.get(reason) || 0) + 1);
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  fill(reasonsBox, 
    c.categories && c.categories.length ? h('p', {}, `Categories: ${c.categories.join(', ')}.`) : null,
    rows.length ? h('ul', {class: 'reasons'}, rows.map(([reason, n]) => h('li', {}, h('span', {class: 'defanged'}, defang(reason)), n > 1 ? ` (${n} reports)` : ''))) : h('p', {class: 'empty'}, 'No reasons recorded.'));
}

function actions(body, c) {
  const redraw = () => draw(body, c.id);
  const statusNote = h('textarea', {rows: '2', maxlength: '4000'});
  const setStatus = (status, done) => async () => {
    const result = await post(`/api/v1/campaigns/${enc(c.id)}/status`, {status, ...(statusNote.value.trim() ? {note: statusNote.value.trim()} : {})});
    let text = done;
    if (result && result.notified) text += ` Staff notices: ${result.notified.sent} sent, ${result.notified.failed} failed.`;
    await redraw();
    showStatus(text);
  };
  const statusButton = (label, status, done, cls) => actionButton(label, setStatus(status, done), {class: cls});

  const noteText = h('textarea', {rows: '3', maxlength: '4000', required: true});
  const noteForm = form([field('Note text', noteText), h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Add note'))], async () => {
    await post(`/api/v1/campaigns/${enc(c.id)}/notes`, {text: noteText.value.trim()});
    await redraw();
    showStatus('Note added to the timeline.');
  });

  const mergeIds = h('input', {type: 'text', autocomplete: 'off', required: true});
  const mergeForm = form([field('Campaigns to merge into this one', mergeIds, 'Campaign ids, separated by commas or spaces.'),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Merge'))], async () => {
    const ids = splitList(mergeIds.value);
    const merged = await post(`/api/v1/campaigns/${enc(c.id)}/merge`, {campaigns: ids});
    await redraw();
    showStatus(`Merged ${ids.join(', ')} into ${merged.id || c.id}.`);
  });

  const ids = (c.report_ids || []).slice(0, 500);
  const boxes = ids.map((rid) => {
    const box = h('input', {type: 'checkbox', value: rid, id: uid('split')});
    return {box, el: h('li', {}, box, h('label', {for: box.id}, h('code', {}, rid)))};
  });
  const splitForm = form([
    h('fieldset', {}, h('legend', {}, 'Reports to move into a new campaign'),
      boxes.length ? h('ul', {class: 'checklist'}, boxes.map((b) => b.el)) : h('p', {class: 'empty'}, 'No reports.'),
      (c.report_ids || []).length > ids.length ? h('p', {class: 'hint'}, `The first ${ids.length} of ${c.report_ids.length} reports are listed.`) : null),
    h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Split'))], async () => {
    const chosen = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
    if (!chosen.length) throw new Error('Choose at least one report to move.');
    const created = await post(`/api/v1/campaigns/${enc(c.id)}/split`, {reports: chosen});
    await redraw();
    showStatus(`Moved ${chosen.length} report(s) into the new campaign ${created.id}.`);
  });

  return section('Actions',
    h('div', {class: 'action-group'},
      h('h3', {}, 'Status'),
      h('p', {class: 'hint'}, 'Confirm and block: the campaign\'s link domains and links join Wardline\'s block list (the Threat intel exports for DNS and proxies) and, where staff notices are configured, the staff it targeted are warned by text (without the link). A false positive or a closed campaign stops the blocking.'),
      field('Reason for the status change (optional)', statusNote),
      h('div', {class: 'button-row'},
        statusButton('Confirm and block', 'confirmed', 'Campaign confirmed: its indicators are on the block list.', 'button-danger'),
        statusButton('Investigating', 'investigating', 'Campaign marked as under investigation.'),
        statusButton('False positive', 'false_positive', 'Campaign marked as a false positive.'),
        statusButton('Close', 'closed', 'Campaign closed.'))),
    h('div', {class: 'action-group'}, h('h3', {}, 'Add a note'), noteForm),
    h('div', {class: 'action-group'}, h('h3', {}, 'Merge'), mergeForm),
    h('div', {class: 'action-group'}, h('h3', {}, 'Split'), splitForm),
    can('incidents_write') ? h('p', {}, h('a', {href: `#/incidents?new_kind=campaign&new_ref=${enc(c.id)}`}, 'Open an incident for this campaign')) : null);
}
