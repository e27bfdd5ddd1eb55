// Folds the recordings of a filtered run (`run.mjs --filter … --out DIR`)
// into a results directory: each scenario recorded in DIR replaces the one
// with its id (or is added), every other recording is kept. The browser
// version must match: a merge never mixes browser builds in one file.
// Usage: node conformance/merge.mjs FROM_DIR [INTO_DIR=conformance/results]
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from './lib/normalize.mjs';

const [from, into = path.join(path.dirname(new URL(import.meta.url).pathname), 'results')] = process.argv.slice(2);
if (!from) { console.error('usage: node conformance/merge.mjs FROM_DIR [INTO_DIR]'); process.exit(2); }
let failed = false;
for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.json')).sort()) {
  const target = path.join(into, file);
  const fresh = JSON.parse(fs.readFileSync(path.join(from, file), 'utf8'));
  if (!fs.existsSync(target)) { console.error(`${file}: no ${target} to merge into`); failed = true; continue; }
  const base = JSON.parse(fs.readFileSync(target, 'utf8'));
  if (base.version !== fresh.version) {
    console.error(`${file}: ${fresh.version} recorded, ${base.version} in ${target}: re-record everything instead`);
    failed = true;
    continue;
  }
  const byId = new Map(base.scenarios.map((s, i) => [s.id, i]));
  let added = 0, replaced = 0;
  for (const s of fresh.scenarios) {
    if (byId.has(s.id)) { base.scenarios[byId.get(s.id)] = s; replaced++; } else { base.scenarios.push(s); added++; }
  }
  fs.writeFileSync(target, stringify(base) + '\n');
  console.log(`${file}: ${added} added, ${replaced} replaced (${base.scenarios.length} scenarios)`);
}
process.exit(failed ? 1 : 0);
