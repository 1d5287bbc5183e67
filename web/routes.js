// Every page: its hash pattern, the nav link it belongs to, the permissions
// that show it (any of them), and the module that draws it.

export const routes = [
  {pattern: /^overview$/, nav: 'overview', title: 'Overview', perm: '', load: () => import('./pages/overview.js')},
  {pattern: /^campaigns$/, nav: 'campaigns', title: 'Campaigns', perm: 'reports_read', load: () => import('./pages/campaigns.js')},
  {pattern: /^campaigns\/([^/]+)$/, nav: 'campaigns', title: 'Campaigns', perm: 'reports_read', load: () => import('./pages/campaign.js')},
  {pattern: /^reports$/, nav: 'reports', title: 'Reports', perm: 'reports_read reports_write', load: () => import('./pages/reports.js')},
  {pattern: /^alerts$/, nav: 'alerts', title: 'Alerts', perm: 'intel_read ehr_read', load: () => import('./pages/alerts.js')},
  {pattern: /^alerts\/intel\/([^/]+)$/, nav: 'alerts', title: 'Alerts', perm: 'intel_read', load: () => import('./pages/intel-alert.js')},
  {pattern: /^incidents$/, nav: 'incidents', title: 'Incidents', perm: 'incidents_read', load: () => import('./pages/incidents.js')},
  {pattern: /^incidents\/([^/]+)$/, nav: 'incidents', title: 'Incidents', perm: 'incidents_read', load: () => import('./pages/incident.js')},
  {pattern: /^devices$/, nav: 'devices', title: 'Devices', perm: 'devices_read', load: () => import('./pages/devices.js')},
  {pattern: /^devices\/([^/]+)$/, nav: 'devices', title: 'Devices', perm: 'devices_read', load: () => import('./pages/device.js')},
  {pattern: /^access$/, nav: 'access', title: 'Access', perm: 'incidents_read', load: () => import('./pages/access.js')},
  {pattern: /^intel$/, nav: 'intel', title: 'Threat intel', perm: 'intel_read', load: () => import('./pages/intel.js')},
  {pattern: /^audit$/, nav: 'audit', title: 'Audit', perm: 'audit_read', load: () => import('./pages/audit.js')},
  {pattern: /^audit\/events\/(\d+)$/, nav: 'audit', title: 'Audit', perm: 'audit_read', load: () => import('./pages/audit-event.js')},
  {pattern: /^runbooks$/, nav: 'runbooks', title: 'Runbooks', perm: 'incidents_read', load: () => import('./pages/runbooks.js')},
  {pattern: /^runbooks\/([^/]+)$/, nav: 'runbooks', title: 'Runbooks', perm: 'incidents_read', load: () => import('./pages/runbook.js')},
  {pattern: /^ehr$/, nav: 'ehr', title: 'EHR alerts', perm: 'ehr_read', load: () => import('./pages/ehr.js')},
  {pattern: /^ehr\/([^/]+)$/, nav: 'ehr', title: 'EHR alerts', perm: 'ehr_read', load: () => import('./pages/ehr-alert.js')},
];
