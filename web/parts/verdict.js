// The outcome of a verification, line by line, with one overall word.

import {h} from '../lib/dom.js';

export function verdict(lines) {
  const failed = lines.some((l) => l.ok === false);
  const partial = !failed && lines.some((l) => l.ok === null);
  const word = failed ? 'Mismatch' : partial ? 'Partly verified' : 'Verified';
  return h('div', {class: `verdict ${failed ? 'verdict-bad' : partial ? 'verdict-partial' : 'verdict-ok'}`},
    h('p', {class: 'verdict-word'}, word),
    h('ul', {}, lines.map((l) => h('li', {class: l.ok === false ? 'bad' : l.ok === null ? 'unknown' : 'ok'},
      h('span', {class: 'sr-only'}, l.ok === false ? 'Failed: ' : l.ok === null ? 'Not checked: ' : 'Passed: '), l.text))));
}
