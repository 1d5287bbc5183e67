// EHR alerts: unusual access to patient records, explained, newest first.

import {page} from '../lib/api.js';
import {pager} from '../lib/pager.js';
import {localInputToRfc3339, rfc3339ToLocalInput} from '../lib/format.js';
import {pageTitle, section, filters, go, route} from '../lib/ui.js';
import {ehrAlertTable, EHR_KINDS} from '../parts/ehr-alerts.js';

export async function render(view, {query}) {
  pageTitle(view, 'EHR alerts', 'Access to patient records that does not look like the user\'s normal work or their peers\', each with the reason in plain words. Patients are never named: Wardline keeps only keyed hashes.');
  view.append(filters([
    {name: 'user', label: 'User'},
    {name: 'kind', label: 'Kind', options: EHR_KINDS},
    {name: 'since', label: 'Since', type: 'datetime-local'},
  ], {...query, since: rfc3339ToLocalInput(query.since)}, (values) => go(route('#/ehr', {...values, since: localInputToRfc3339(values.since)}))));
  const p = pager((cursor) => page('/api/v1/ehr/alerts', {user: query.user, kind: query.kind, since: query.since}, cursor),
    (items) => ehrAlertTable('EHR access anomalies, newest first', items), 'EHR pages');
  view.append(section('Anomalies', p.el));
}
