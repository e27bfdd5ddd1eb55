// Makes a results document diff-friendly: drops values that change on every run (timings, CDP
// request/frame ids) and sorts Chromium DevTools issues (their arrival order is not stable when
// one request raises two). Only removes or reorders; never changes a recorded value.
export function normalizeResults(doc) {
  for (const r of doc.scenarios) {
    delete r.durationMs;
    for (const o of r.observations) {
      delete o.elapsedMs;
      for (const c of o.console || []) delete c.networkRequestId;
      if (o.issues) {
        for (const i of o.issues) {
          for (const d of Object.values(i.details || {})) {
            if (d && typeof d === 'object') { delete d.affectedFrame; if (d.request) delete d.request.requestId; }
          }
        }
        o.issues.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      }
    }
  }
  return doc;
}

// JSON with one scenario field per line, but arrays of scalars (header pairs) kept on one line
export function stringify(v, ind = '') {
  const inner = ind + ' ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => x === null || typeof x !== 'object' || (Array.isArray(x) && x.every((y) => y === null || typeof y !== 'object')))) {
      const flat = '[' + v.map((x) => JSON.stringify(x)).join(', ') + ']';
      if (flat.length < 160 || v.every((x) => x === null || typeof x !== 'object')) return flat;
      return '[\n' + v.map((x) => inner + JSON.stringify(x)).join(',\n') + '\n' + ind + ']';
    }
    return '[\n' + v.map((x) => inner + stringify(x, inner)).join(',\n') + '\n' + ind + ']';
  }
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return '{}';
    return '{\n' + keys.map((k) => inner + JSON.stringify(k) + ': ' + stringify(v[k], inner)).join(',\n') + '\n' + ind + '}';
  }
  return JSON.stringify(v);
}
