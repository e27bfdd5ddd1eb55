#!/usr/bin/env node
// `cors-doctor check` against the real browsers: for every scenario both ran,
// the first request's verdict, console lines and preflight headers recorded
// through `check --browser B` (run.mjs --browser check) must equal what the browser did.
// Disagreements fail (exit 1) unless known-divergences.json lists them with
// an aspect `check-verdict`, `check-console` or `check-preflight`.
// Usage: node conformance/compare-check.mjs DIR
//   (DIR holds chromium.json, firefox.json, webkit.json and check-<browser>.json from `run.mjs --browser check`)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(process.argv[2] || path.join(HERE, 'results'));
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const known = JSON.parse(fs.readFileSync(path.join(HERE, 'known-divergences.json'), 'utf8')).divergences;

// The request headers of the first OPTIONS the server saw that matter to CORS.
export function preflightOf(observation) {
  const entry = (observation.serverLog || []).find((e) => e.method === 'OPTIONS');
  if (!entry) return null;
  const out = [];
  for (const [k, v] of entry.rawHeaders) {
    const name = k.toLowerCase();
    if (['origin', 'access-control-request-method', 'access-control-request-headers'].includes(name)) out.push(`${name}: ${v}`);
  }
  return out.sort().join(' | ');
}

// Firefox's third-party cookie notices are not about CORS (as in the engine's test).
// Firefox logs a security warning and its CORS error from different
// places; their order is not stable from run to run (redirect-to-data-url
// was recorded both ways), so with both kinds present order is not compared.
const sameConsole = (browser, seen, ours) => {
  if (JSON.stringify(seen) === JSON.stringify(ours)) return true;
  const cors = (t) => t.startsWith('Cross-Origin Request');
  const mixed = seen.some(cors) && !seen.every(cors);
  if (browser !== 'firefox' || !mixed) return false;
  return JSON.stringify([...seen].sort()) === JSON.stringify([...ours].sort());
};
const browserConsole = (o) => (o.console || []).map((c) => c.text).filter((t) => !t.startsWith('Cookie “'));
// Ports are assigned per run (by position in the filtered list): results merged
// from runs with different filters name the same scenario's ports differently.
const portless = (ports, text) => {
  let out = text;
  for (const [k, v] of Object.entries(ports || {})) out = out.split(`:${v}`).join(`:{${k}}`);
  return out;
};

let failures = [];
let version = '';
const lines = [];
// WebKit's "Failed to load resource: …" comes from the Web Inspector and cannot be
// recorded (see README), so it is left out of check's lines as in the engine's test.
const checkConsole = (browser, lines) => browser === 'webkit' ? lines.filter((t) => !t.startsWith('Failed to load resource')) : lines;

for (const browser of ['chromium', 'firefox', 'webkit']) {
  const recorded = read(`${browser}.json`);
  const check = read(`check-${browser}.json`);
  version = check.version;
  const byId = new Map(recorded.scenarios.map((s) => [s.id, s]));
  const tally = { compared: 0, verdict: 0, console: 0, preflight: 0, listed: 0, notExpressible: 0 };
  for (const c of check.scenarios) {
    const b = byId.get(c.id);
    if (!b || !b.observations?.length) continue;
    if (c.notExpressible) { tally.notExpressible++; continue; }
    const theirs = b.observations[0];
    const ours = c.observations?.[0];
    const verdictOf = ours?.browsers?.[browser];
    tally.compared++;
    const judge = (aspect, agree, detail) => {
      if (agree) tally[aspect]++;
      else if (known.some((k) => k.browser === browser && k.scenario === c.id && k.aspect === `check-${aspect}`)) tally.listed++;
      else failures.push(`${browser} ${c.id} [${aspect}]: ${detail}`);
    };
    if (!verdictOf) {
      judge('verdict', false, `check printed no result (exit ${ours?.exit}): ${ours?.stderr || c.runnerError || ''}`);
      continue;
    }
    const browserOk = theirs.outcome === 'response';
    const browserOpaque = theirs.type === 'opaque';
    const checkOk = verdictOf.verdict === 'allowed' || verdictOf.verdict === 'opaque';
    judge('verdict', browserOk === checkOk && (!browserOk || browserOpaque === (verdictOf.verdict === 'opaque')), `browser ${theirs.outcome} ${theirs.type || theirs.error || ''}, check ${verdictOf.verdict}`);
    const seen = browserConsole(theirs).map((t) => portless(b.ports, t));
    const checkLines = checkConsole(browser, verdictOf.console).map((t) => portless(c.ports, t));
    judge('console', sameConsole(browser, seen, checkLines), `\n    browser: ${JSON.stringify(seen)}\n    check:   ${JSON.stringify(checkLines)}`);
    const theirPreflight = portless(b.ports, preflightOf(theirs) ?? 'none');
    const ourPreflight = portless(c.ports, preflightOf(ours) ?? 'none');
    judge('preflight', theirPreflight === ourPreflight, `browser ${theirPreflight}, check ${ourPreflight}`);
  }
  const n = tally.compared;
  lines.push(`check vs ${browser} ${recorded.version}: ${n} scenarios (first request); agreement: verdict ${tally.verdict}/${n}, console ${tally.console}/${n}, preflight ${tally.preflight}/${n}; ${tally.listed} listed divergences; ${tally.notExpressible} not expressible as a check`);
}
console.log(`=== check vs browsers (${version}) ===\n${lines.join('\n')}`);
if (failures.length) {
  console.log(`\n${failures.length} disagreement(s):\n${failures.join('\n')}`);
  process.exit(1);
}
