// Formatting of times, hashes and counts for display.

const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const dayFormat = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric', timeZone: 'UTC'});

/** A Date from RFC 3339 text, Unix seconds or milliseconds (numbers above 1e11 are milliseconds). */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return new Date(value > 1e11 ? value : value * 1000);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Local date and time; the exact UTC time in the title (tooltip). */
export function time(value) {
  const d = toDate(value);
  if (!d) return value ? String(value) : '—';
  const el = document.createElement('time');
  el.dateTime = d.toISOString();
  el.title = d.toISOString();
  el.textContent = dateTime.format(d);
  return el;
}

export function timeText(value) {
  const d = toDate(value);
  return d ? dateTime.format(d) : '—';
}

/** "Nov 16" for a "2026-11-16" day. */
export function day(text) {
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? String(text) : dayFormat.format(d);
}

/** The first and last characters of a long hash: "3f2a9c01…e4d2". */
export function abbrev(hash, head = 12, tail = 4) {
  const text = String(hash || '');
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}

export function number(n) {
  return typeof n === 'number' ? n.toLocaleString() : (n ?? '—');
}

/** RFC 3339 (UTC) from an <input type="datetime-local"> value, or "". */
export function localInputToRfc3339(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The <input type="datetime-local"> value for RFC 3339 text. */
export function rfc3339ToLocalInput(text) {
  const d = toDate(text);
  if (!d) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}
