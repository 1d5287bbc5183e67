// A small SVG chart (lines or grouped bars over labelled points), drawn with
// DOM calls; colours come from the stylesheet (.series-N). Every chart has a
// text summary for screen readers and its numbers in a table under
// "Show data".

import {h, svg, uid} from './dom.js';

const W = 720;
const H = 240;
const M = {top: 12, right: 12, bottom: 30, left: 44};

// The top of the y axis: four equal steps of 1, 2 or 5 times a power of ten.
function niceMax(value) {
  if (value <= 4) return 4;
  const quarter = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(quarter));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= quarter) return 4 * step * magnitude;
  }
  return 40 * magnitude;
}

/**
 * chart({title, labels, series: [{name, values}], kind: 'line'|'bar', labelFormat})
 * labels: x-axis labels (e.g. days); values: numbers, one per label.
 */
export function chart({title, labels, series, kind = 'line', labelFormat = (l) => l}) {
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.map((v) => Number(v) || 0))));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const n = Math.max(labels.length, 1);
  const slot = plotW / n;
  const x = (i) => M.left + slot * (i + 0.5);
  const y = (v) => M.top + plotH - (plotH * (Number(v) || 0)) / max;

  const totals = series.map((s) => `${s.name}: ${s.values.reduce((a, b) => a + (Number(b) || 0), 0)}`).join('; ');
  const root = svg('svg', {viewBox: `0 0 ${W} ${H}`, class: `chart chart-${kind}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMidYMid meet'},
    svg('title', {id: titleId}, title),
    svg('desc', {id: descId}, labels.length ? `From ${labelFormat(labels[0])} to ${labelFormat(labels[labels.length - 1])}. Totals: ${totals}.` : 'No data.'));

  // Grid and y axis: five lines, integer labels.
  for (let k = 0; k <= 4; k += 1) {
    const value = (max * k) / 4;
    const yy = y(value);
    root.append(svg('line', {x1: M.left, x2: W - M.right, y1: yy, y2: yy, class: k === 0 ? 'axis' : 'grid'}));
    root.append(svg('text', {x: M.left - 6, y: yy + 4, 'text-anchor': 'end', class: 'tick'}, Number.isInteger(value) ? String(value) : value.toFixed(1)));
  }
  // X labels: at most about eight, evenly spread.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, i) => {
    if (i % every === 0 || i === labels.length - 1) {
      root.append(svg('text', {x: x(i), y: H - 10, 'text-anchor': 'middle', class: 'tick'}, labelFormat(label)));
    }
  });

  series.forEach((s, si) => {
    const group = svg('g', {class: `series series-${si % 6}`});
    if (kind === 'bar') {
      const barW = Math.min(48, Math.max(2, (slot * 0.8) / series.length));
      s.values.forEach((v, i) => {
        const top = y(v);
        const bar = svg('rect', {x: x(i) - (barW * series.length) / 2 + barW * si, y: top, width: Math.max(1, barW - 1), height: Math.max(0, M.top + plotH - top)});
        bar.append(svg('title', {}, `${s.name}, ${labelFormat(labels[i])}: ${v}`));
        group.append(bar);
      });
    } else {
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      group.append(svg('polyline', {points, fill: 'none'}));
      s.values.forEach((v, i) => {
        const dot = svg('circle', {cx: x(i), cy: y(v), r: 3});
        dot.append(svg('title', {}, `${s.name}, ${labelFormat(labels[i])}: ${v}`));
        group.append(dot);
      });
    }
    root.append(group);
  });

  const legend = h('ul', {class: 'legend'}, series.map((s, si) => h('li', {}, h('span', {class: `swatch series-${si % 6}`, 'aria-hidden': 'true'}), s.name)));
  const data = h('details', {class: 'chart-data'},
    h('summary', {}, 'Show data'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('caption', {}, title),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Point'), series.map((s) => h('th', {scope: 'col'}, s.name)))),
      h('tbody', {}, labels.map((label, i) => h('tr', {}, h('th', {scope: 'row'}, labelFormat(label)), series.map((s) => h('td', {}, String(s.values[i] ?? 0)))))))));
  return h('figure', {class: 'chart-figure'}, root, series.length > 1 ? legend : null, data);
}

/** Counts per UTC day for the days from the first to the last time (at most `maxDays`, the latest ones). */
export function perDay(times, maxDays = 60) {
  const days = times.map((t) => new Date(t)).filter((d) => !Number.isNaN(d.getTime())).map((d) => d.toISOString().slice(0, 10)).sort();
  if (!days.length) return {labels: [], values: []};
  const labels = [];
  const last = new Date(`${days[days.length - 1]}T00:00:00Z`);
  let d = new Date(`${days[0]}T00:00:00Z`);
  const earliest = new Date(last.getTime() - (maxDays - 1) * 86400000);
  if (d < earliest) d = earliest;
  for (; d <= last; d = new Date(d.getTime() + 86400000)) labels.push(d.toISOString().slice(0, 10));
  const counts = new Map(labels.map((l) => [l, 0]));
  for (const day of days) if (counts.has(day)) counts.set(day, counts.get(day) + 1);
  return {labels, values: labels.map((l) => counts.get(l))};
}
