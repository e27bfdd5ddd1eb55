#!/usr/bin/env node
// One line per scenario where the recorded browsers differ in what matters for CORS:
// script outcome, preflight sent (and its Access-Control-Request-* lines), requests seen.
// Usage: node conformance/compare.mjs results/chromium.json results/firefox.json [--all]
import fs from 'node:fs';
const args = process.argv.slice(2);
const all = args.includes('--all');
const docs = args.filter((a) => !a.startsWith('--')).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const key = (o) => {
  const out = o.outcome === 'response' ? `${o.status}/${o.type ?? 'xhr'}` : 'error';
  const reqs = (o.serverLog || []).map((e) => {
    const h = (n) => e.rawHeaders.find(([k]) => k.toLowerCase() === n)?.[1];
    if (e.method === 'OPTIONS' && h('access-control-request-method')) return `PF(${h('access-control-request-method')}${h('access-control-request-headers') ? ' ' + h('access-control-request-headers') : ''})`;
    return `${e.method}${h('origin') ? '' : '(no Origin)'}${h('origin') === 'null' ? '(Origin null)' : ''}`;
  });
  return `${out} [${reqs.join(' ')}]`;
};
const byId = docs.map((d) => new Map(d.scenarios.map((s) => [s.id, s])));
let diff = 0;
for (const s of docs[0].scenarios) {
  const rows = byId.map((m) => m.get(s.id));
  if (rows.some((r) => !r)) continue;
  const keys = rows.map((r) => r.runnerError ? 'RUNNER ERROR' : r.observations.map(key).join(' ; '));
  if (!all && keys.every((k) => k === keys[0])) continue;
  diff++;
  console.log(`${s.id}\n${docs.map((d, i) => `   ${d.browser.padEnd(9)} ${keys[i]}`).join('\n')}`);
}
console.log(`\n${diff} scenario(s) ${all ? 'listed' : 'differ'}`);
