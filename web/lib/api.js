// Calls to the Wardline API with the session cookie; every POST carries the
// CSRF token. Errors become ApiError with the server's code and message.

import {csrfToken} from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, field, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
    this.handled = false;
  }
}

let onUnauthorized = () => {};

/** Called with the ApiError when any call answers 401 (the session ended). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** path plus the query's non-empty values. */
export function withQuery(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * One call: {status, data, response}. Options: body (sent as JSON), headers,
 * raw (data is the Response, unread), auth401 (false: a 401 is an ordinary
 * error, e.g. a failed sign-in, and not "the session ended").
 */
export async function request(method, path, options = {}) {
  const headers = {Accept: 'application/json', ...(options.headers || {})};
  const init = {method, credentials: 'same-origin', headers, cache: 'no-store'};
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    if (csrfToken()) headers['X-CSRF-Token'] = csrfToken();
    init.body = JSON.stringify(options.body === undefined ? {} : options.body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'Cannot reach the Wardline server. Check the connection and try again.');
  }
  if (response.ok && options.raw) return {status: response.status, data: response, response};
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
  } else {
    data = await response.text();
  }
  if (response.ok) return {status: response.status, data, response};
  const err = data && typeof data === 'object' && data.error ? data.error : {};
  const error = new ApiError(response.status, err.code || `http_${response.status}`,
    err.message || `The server answered ${response.status} ${response.statusText}`.trim(), err.field, data);
  if (response.status === 401 && options.auth401 !== false) {
    error.handled = true;
    onUnauthorized(error);
  }
  throw error;
}

export async function get(path, query) {
  return (await request('GET', withQuery(path, query))).data;
}

export async function post(path, body, options = {}) {
  return (await request('POST', path, {...options, body})).data;
}

/** Rows a list page shows. */
const PAGE_SIZE = 50;

/** One page of a list endpoint: {items, next_cursor}. */
export async function page(path, query, cursor, limit = PAGE_SIZE) {
  const data = await get(path, {...query, limit, cursor});
  return {items: (data && data.items) || [], next_cursor: (data && data.next_cursor) || '', data};
}

/**
 * Downloads a file through fetch (so a refusal is shown as a message, not
 * as a page of JSON), then hands it to the browser as a Blob under a
 * temporary object URL.
 */
export async function download(path, filename) {
  const {data: response} = await request('GET', path, {raw: true, headers: {Accept: '*/*'}});
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
