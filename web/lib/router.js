// Hash routes: "#/campaigns/cmp_1?status=new" → {path: "campaigns/cmp_1", query: {status: "new"}}.

export function currentRoute() {
  const hash = location.hash || '';
  if (!hash.startsWith('#/')) return {path: 'overview', query: {}, explicit: false};
  const [path, queryText = ''] = hash.slice(2).split('?');
  const query = Object.fromEntries(new URLSearchParams(queryText));
  return {path: path.replace(/\/+$/, '') || 'overview', query, explicit: true};
}

/** The first route whose pattern matches, with its decoded parameters. */
export function match(routes, path) {
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (m) return {route: r, params: m.slice(1).map((p) => decodeURIComponent(p))};
  }
  return null;
}
