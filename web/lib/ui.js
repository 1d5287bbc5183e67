// Building blocks shared by the pages: headings, sections, filters, buttons
// that run an API call, defanged text.

import {h, field, select, uid} from './dom.js';
import {defang} from './defang.js';
import {showError} from './notify.js';

/** The page's h1 (focusable, so navigation can move focus to it) and the document title. */
export function pageTitle(view, title, intro) {
  document.title = `${title} — Wardline`;
  view.append(h('h1', {tabindex: '-1'}, title));
  if (intro) view.append(h('p', {class: 'intro'}, intro));
}

export function section(title, ...children) {
  const id = uid('sec');
  return h('section', {class: 'panel', 'aria-labelledby': id}, h('h2', {id}, title), ...children);
}

/** For a page the role may not see (the server refuses anyway). */
export function denied(view) {
  view.append(h('p', {class: 'empty'}, 'Your role does not give access to this page. Ask an administrator if you need it.'));
}

/** Text shown defanged: links and addresses cannot be followed. */
export function defanged(text, cls = 'defanged') {
  return h('span', {class: cls}, defang(text));
}

export function link(href, text) {
  return h('a', {href}, text);
}

export function back(href, text) {
  return h('p', {class: 'back'}, h('a', {href}, `← ${text}`));
}

/**
 * A button that runs an async action: disabled while it runs; errors go
 * to the alert region.
 */
export function actionButton(label, run, attrs = {}) {
  const button = h('button', {type: 'button', ...attrs}, label);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await run(button);
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/**
 * A form whose submit runs `run(values, form)` (never a real submission:
 * the CSP forbids form actions anyway). Errors go to the alert region.
 */
export function form(children, run, attrs = {}) {
  const el = h('form', attrs, children);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = el.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await run(event.submitter || null);
    } catch (e) {
      showError(e);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return el;
}

/**
 * Filters for a list. specs: [{name, label, options?: [[value, label]], type?}];
 * the values come from and go back to the hash's query, so a filtered list
 * can be bookmarked.
 */
export function filters(specs, query, apply) {
  const controls = {};
  const fields = specs.map((spec) => {
    let control;
    if (spec.options) control = select([['', spec.any || 'Any'], ...spec.options], query[spec.name] || '');
    else control = h('input', {type: spec.type || 'text', value: query[spec.name] || '', autocomplete: 'off', placeholder: spec.placeholder});
    control.name = spec.name;
    controls[spec.name] = control;
    return field(spec.label, control);
  });
  const values = () => Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value.trim()]));
  const clearButton = h('button', {type: 'button', class: 'button-quiet'}, 'Clear filters');
  clearButton.addEventListener('click', () => apply(Object.fromEntries(Object.keys(controls).map((k) => [k, '']))));
  return form([h('div', {class: 'filter-fields'}, fields), h('div', {class: 'form-actions'}, h('button', {type: 'submit'}, 'Apply filters'), clearButton)],
    async () => apply(values()), {class: 'filters', role: 'search', 'aria-label': 'Filters'});
}

/** A hash route with a query: route('#/devices', {state: 'grace'}). */
export function route(base, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** Comma/space/newline-separated ids. */
export function splitList(text) {
  return String(text || '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}
