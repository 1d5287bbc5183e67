// DOM building without HTML strings: every text goes in through textContent.

let nextId = 0;

/** A unique element id with a readable prefix. */
export function uid(prefix = 'f') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

const PROPS = new Set(['hidden', 'disabled', 'checked', 'required', 'selected', 'multiple', 'value', 'open']);

/**
 * h('button', {type: 'button', onclick: fn, class: 'x'}, 'Text', child, ...)
 * Attributes are set with setAttribute (never "style" or inline handlers);
 * on* keys with a function become event listeners; children are nodes or text.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** The same for SVG elements. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'style' || (key.startsWith('on') && typeof value !== 'function')) {
      throw new Error(`refusing to set ${key} as an attribute`);
    }
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (PROPS.has(key) && !(el instanceof SVGElement)) el[key] = value === true ? true : value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** Appends nodes and strings (as text); skips null, undefined and false. */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces el's children; null, undefined and false are skipped, as in h(). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A labelled form control: returns {wrap, input}. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('in');
  const wrap = h('div', {class: 'field'}, h('label', {for: control.id}, label));
  if (hint) {
    const hintEl = h('span', {class: 'hint', id: uid('hint')}, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    wrap.append(control, hintEl);
  } else {
    wrap.append(control);
  }
  return wrap;
}

/** <select> from [value, label] pairs (or plain strings). */
export function select(options, value = '', attrs = {}) {
  const el = h('select', attrs);
  for (const option of options) {
    const [v, label] = Array.isArray(option) ? option : [option, option];
    el.append(h('option', {value: v, selected: v === value}, label));
  }
  el.value = value;
  return el;
}

/** A definition list from [term, value] pairs; values are nodes or text, empty ones are shown as "—". */
export function dl(pairs, cls = 'facts') {
  const list = h('dl', {class: cls});
  for (const [term, value] of pairs) {
    if (value === undefined) continue;
    const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0);
    list.append(h('div', {}, h('dt', {}, term), h('dd', {}, empty ? '—' : value)));
  }
  return list;
}

/**
 * A table in a horizontally scrolling, keyboard-focusable region.
 * columns: [{label, cell: row => node|text, class?}]
 */
export function table(caption, columns, rows, empty = 'Nothing to show.') {
  if (!rows.length) return h('p', {class: 'empty'}, empty);
  const head = h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label)));
  const body = h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c, i) => {
    const value = c.cell(row);
    const content = value === null || value === undefined || value === '' ? '—' : value;
    return i === 0 && c.rowHeader ? h('th', {scope: 'row', class: c.class}, content) : h('td', {class: c.class}, content);
  }))));
  const t = h('table', {}, h('caption', {}, caption), h('thead', {}, head), body);
  return h('div', {class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0'}, t);
}

/** A small word badge (status, verdict, severity) with a class derived from the word. */
export function badge(word) {
  if (word === null || word === undefined || word === '') return '—';
  const text = String(word);
  return h('span', {class: `badge badge-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}, text.replace(/_/g, ' '));
}

/** A comma-separated list of texts (or "—"). */
export function list(values, map = (v) => v) {
  if (!values || !values.length) return '—';
  return values.map(map).join(', ');
}
