// Loading and validating scenario files; port allocation.
import fs from 'node:fs';
import path from 'node:path';

export const BASE_PORT = Number(process.env.CD_BASE_PORT || 20000);

export function loadScenarios(dir, basePort = BASE_PORT) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const all = [];
  const seen = new Set();
  for (const f of files) {
    const arr = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (!Array.isArray(arr)) throw new Error(`${f}: not an array`);
    for (const s of arr) {
      if (!s.id || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(s.id)) throw new Error(`${f}: bad id ${s.id}`);
      if (seen.has(s.id)) throw new Error(`${f}: duplicate id ${s.id}`);
      seen.add(s.id);
      all.push({ ...s, file: f });
    }
  }
  // deterministic ports: 3 per scenario, by position in the full (unfiltered) list
  all.forEach((s, i) => { s.ports = { P1: basePort + 3 * i, P2: basePort + 3 * i + 1, P3: basePort + 3 * i + 2 }; });
  return all;
}

/** A scenario value with its `{P1}`…`{P3}` port placeholders filled in from `ports`. */
export function subst(v, ports) {
  if (typeof v === 'string') return v.replace(/\{(P[123])\}/g, (_, k) => String(ports[k]));
  if (Array.isArray(v)) return v.map((x) => subst(x, ports));
  if (v && typeof v === 'object') { const o = {}; for (const [k, x] of Object.entries(v)) o[k] = subst(x, ports); return o; }
  return v;
}
