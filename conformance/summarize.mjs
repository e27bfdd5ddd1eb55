#!/usr/bin/env node
// Prints a compact text view of a results/<browser>.json file: one block per scenario with
// the script outcome, the preflight/actual requests the server saw, and the console lines.
// Usage: node conformance/summarize.mjs results/chromium.json [--filter SUBSTR]
import fs from 'node:fs';
const [file, ...rest] = process.argv.slice(2);
const fi = rest.indexOf('--filter');
const filter = fi >= 0 ? rest[fi + 1] : null;
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
console.log(`# ${doc.browser} ${doc.version}`);
for (const s of doc.scenarios) {
  if (filter && !s.id.includes(filter)) continue;
  console.log(`\n## ${s.id} — ${s.description}`);
  if (s.runnerError) console.log(`  RUNNER ERROR: ${s.runnerError}`);
  for (const o of s.observations) {
    const res = o.outcome === 'response' ? `response ${o.status} ${o.type || ''} headers=[${o.headers.map((h) => h[0]).join(',')}]` : `error ${o.errorName}: ${o.error}`;
    console.log(`  #${o.repeat} ${res}`);
    for (const e of o.serverLog || []) {
      const interesting = e.rawHeaders.filter(([k]) => /^(origin|access-control-request-.*|content-type|authorization|x-.*|range|accept|accept-language|content-language|hoge|dpr|save-data|cookie|last-event-id)$/i.test(k));
      console.log(`    server: ${e.method} ${e.url} ${interesting.map(([k, v]) => `${k}: ${v.length > 40 ? v.slice(0, 40) + '…' : v}`).join(' | ')}`);
    }
    for (const c of o.console || []) console.log(`    console[${c.source || c.category || ''}/${c.level || ''}]: ${c.text}`);
    for (const c of o.issues || []) console.log(`    issue: ${c.code} ${c.corsError || c.details?.deprecationIssueDetails?.type || c.mixedContent?.resolutionStatus || ''} ${c.failedParameter !== undefined ? JSON.stringify(c.failedParameter) : ''}`);
    for (const c of o.bidiLog || []) console.log(`    bidi[${c.type}/${c.level}]: ${c.text}`);
  }
}
