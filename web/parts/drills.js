// Drills: the table of recorded ones and the form to record one.

import {h, field, select, table, badge, list} from '../lib/dom.js';
import {post} from '../lib/api.js';
import {can} from '../lib/session.js';
import {time, localInputToRfc3339} from '../lib/format.js';
import {showStatus} from '../lib/notify.js';
import {form, splitList} from '../lib/ui.js';

export function drillTable(caption, items) {
  return table(caption, [
    {label: 'Started', rowHeader: true, cell: (d) => time(d.started_at)},
    {label: 'Runbook', cell: (d) => h('a', {href: `#/runbooks/${encodeURIComponent(d.runbook)}`}, d.runbook)},
    {label: 'Result', cell: (d) => badge(d.result)},
    {label: 'Finished', cell: (d) => time(d.finished_at)},
    {label: 'Participants', cell: (d) => list(d.participants)},
    {label: 'What failed', class: 'wide', cell: (d) => list(d.failures)},
    {label: 'Notes', class: 'wide', cell: (d) => d.notes},
    {label: 'Recorded by', cell: (d) => d.recorded_by},
    {label: 'Wipe action', cell: (d) => (d.action ? h('code', {}, d.action) : '—')},
  ], items, 'No drills recorded.');
}

/** runbooks: names to choose from (or one, fixed). */
export function drillForm(runbooks, afterSave) {
  const runbook = select(runbooks.map((r) => [r, r]), runbooks[0] || '');
  const result = select([['passed', 'Passed'], ['failed', 'Failed']], 'passed');
  const started = h('input', {type: 'datetime-local'});
  const finished = h('input', {type: 'datetime-local'});
  const participants = h('input', {type: 'text', autocomplete: 'off'});
  const failures = h('textarea', {rows: '3'});
  const notes = h('textarea', {rows: '3', maxlength: '4000'});
  const device = h('input', {type: 'text', autocomplete: 'off'});
  const fields = [
    h('div', {class: 'field-row'}, field('Runbook', runbook), field('Result', result)),
    h('div', {class: 'field-row'}, field('Started', started, 'Empty: now.'), field('Finished', finished)),
    field('Participants', participants, 'Names, separated by commas.'),
    field('What failed', failures, 'One per line; required when the drill failed.'),
    field('Drill notes', notes),
  ];
  if (can('devices_respond')) fields.push(field('Test device', device, 'Optional: a device listed in response.test_devices; the wipe path then runs end to end against it.'));
  fields.push(h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Record drill')));
  return form(fields, async () => {
    const body = {runbook: runbook.value, result: result.value};
    if (started.value) body.started_at = localInputToRfc3339(started.value);
    if (finished.value) body.finished_at = localInputToRfc3339(finished.value);
    const people = splitList(participants.value.replace(/\n/g, ','));
    if (people.length) body.participants = people;
    const failed = failures.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (failed.length) body.failures = failed;
    if (notes.value.trim()) body.notes = notes.value.trim();
    if (device.value.trim()) body.test_device = device.value.trim();
    const saved = await post('/api/v1/drills', body);
    await afterSave();
    showStatus(`Drill of ${saved.runbook} recorded (${saved.result}).`);
  });
}
