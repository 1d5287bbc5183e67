// Cursor paging: 50 items a page, "Next page" follows next_cursor and
// "Previous page" goes back through a stack of the cursors seen.

import {h, fill} from './dom.js';
import {showError} from './notify.js';

/**
 * pager(load, render): load(cursor) answers {items, next_cursor};
 * render(items) answers the node that shows them. Returns the element
 * (with its controls) and reload() to start again from the first page.
 */
export function pager(load, render, label = 'Pages') {
  const results = h('div', {class: 'pager-results', 'aria-live': 'polite'});
  const prev = h('button', {type: 'button', class: 'button-quiet', disabled: true}, 'Previous page');
  const next = h('button', {type: 'button', class: 'button-quiet', disabled: true}, 'Next page');
  const where = h('span', {class: 'pager-where'});
  const controls = h('div', {class: 'pager', role: 'group', 'aria-label': label}, prev, where, next);
  const el = h('div', {class: 'paged'}, results, controls);
  let stack = [''];  // the cursor of each page seen; '' is the first
  let nextCursor = '';
  let busy = false;

  // Shows the page of the last cursor in `cursors`; the stack moves only on success.
  async function show(cursors) {
    if (busy) return;
    busy = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const pageData = await load(cursors[cursors.length - 1]);
      stack = cursors;
      nextCursor = pageData.next_cursor || '';
      fill(results, render(pageData.items, pageData));
      where.textContent = `Page ${stack.length}`;
    } catch (e) {
      showError(e);
      if (!results.firstChild) fill(results, h('p', {class: 'empty'}, 'Could not load this list.'));
    } finally {
      busy = false;
      results.removeAttribute('aria-busy');
      const focused = document.activeElement;
      prev.disabled = stack.length <= 1;
      next.disabled = !nextCursor;
      controls.hidden = stack.length <= 1 && !nextCursor;
      // Keep keyboard focus on a live control when the one pressed is now disabled.
      if (focused === next && next.disabled && !prev.disabled) prev.focus();
      if (focused === prev && prev.disabled && !next.disabled) next.focus();
    }
  }

  prev.addEventListener('click', () => show(stack.slice(0, -1)));
  next.addEventListener('click', () => show([...stack, nextCursor]));

  const reload = () => show(['']);
  reload();
  return {el, reload};
}
