// A link to the page of something an incident points at, when it has one.

import {h} from '../lib/dom.js';

const enc = encodeURIComponent;

export function refLink(kind, ref) {
  const text = String(ref || '');
  if (kind === 'campaign' || text.startsWith('cmp_')) return h('a', {href: `#/campaigns/${enc(text)}`}, text);
  if (kind === 'device') return h('a', {href: `#/devices/${enc(text)}`}, text);
  if (text.startsWith('ia_')) return h('a', {href: `#/alerts/intel/${enc(text)}`}, text);
  if (text.startsWith('ehr_')) return h('a', {href: `#/ehr/${enc(text)}`}, text);
  return h('code', {}, text);
}
