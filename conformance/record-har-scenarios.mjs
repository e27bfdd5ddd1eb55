#!/usr/bin/env node
// record-har-scenarios.mjs — HAR fixtures of the conformance scenario FAMILIES for
// `cors-doctor har`, recorded from real browsers: Firefox (its own netmonitor HAR export)
// and Chromium (Playwright's HAR recorder), with the session code of record-har.mjs
// (lib/har-firefox.mjs, lib/har-chromium.mjs).
//
// What it records
//   A family is one scenarios/*.json file (10-acao, 20-credentials, …). For each family ONE
//   page is opened — in a fresh Firefox (fresh profile), or a fresh Chromium context — and
//   every scenario of the family runs in it, one after another, awaiting each: the
//   scenario's request exactly as run.mjs makes it (lib/pagescript.mjs: fetch or
//   XMLHttpRequest, method, headers, body, credentials, mode, init, `repeat` times), then
//   400 ms settle time for trailing console lines, then the console lines are taken (Firefox:
//   Services.console as lib/firefox.mjs reads it; Chromium: Playwright's console event checked
//   against CDP Log.entryAdded) — so every line is attributed to the request that caused it.
//   At the end the browser's HAR is written.
//   Ports: run.mjs gives every scenario its own three ports; here {P1} (the page's port) is
//   the same for the whole family run — the first scenario's P1 — so that all scenarios share
//   the page; {P2}/{P3} stay the scenario's own (fresh origins: nothing keyed by origin or URL,
//   such as the preflight cache, carries over from one scenario to the next). Routes on the
//   page's port are replaced by each scenario's own before it runs. Proxy connections
//   (Firefox) are dropped between scenarios, as run.mjs does between pages.
//   Scenarios of one family whose page origins differ (scheme or host of `page`) are grouped
//   by page origin: one recording per family + page origin.
//   The servers, the loopback-only proxy Firefox goes through and the host mapping
//   (Chromium: --host-resolver-rules="MAP * 127.0.0.1") are those of run.mjs
//   (lib/servers.mjs; every name → 127.0.0.1). Nothing leaves 127.0.0.1.
//   Each fetch is also compared with results/<browser>.json (one page per scenario, ports
//   blanked) and any difference is printed as a note: the family run should not change what
//   the browser does.
//
// Skipped (listed under "skipped" in the family's expected.json)
//   * 90-lna, in both browsers: its scenarios are Chromium-only (`browsers`), and need a
//     Chromium launched with --ip-address-space-overrides for their ports (Local Network
//     Access; run.mjs starts a second Chromium for them); Firefox has no such switch.
//   * Families 96-header-order and 97-network-failures are not recorded by default (not in
//     issue 16's list; 97's broken connections make the browsers retry on their own).
//     --family selects any file.
//   Everything else runs in a plain page (including file: and connection-refused requests,
//   which simply never reach a server).
//
// Chromium: Playwright's HAR has no preflights and no response for a request CORS blocked
// (status -1, `_failureText`), so from it only the fetches whose responses are in the file
// can be judged; the expected.json still holds what Chromium did for every fetch.
//
// How to run (from the repository root; `cd conformance && npm ci` first):
//   node conformance/record-har-scenarios.mjs                        # Firefox, every family
//   node conformance/record-har-scenarios.mjs --browser chromium     # or all (firefox, chromium)
//   node conformance/record-har-scenarios.mjs --family 60-max-age    # one family (repeatable)
//   options: --out DIR (default crates/har/tests/fixtures; writes DIR/<browser>-scenarios/),
//            --base-port N (default 23000: ports are fixed so re-recording changes only what
//            the browser really did, and a conformance run on CD_BASE_PORT=20000 is not hit)
//   env: FIREFOX_BIN (default /usr/lib/firefox-esr/firefox-esr), CHROMIUM_BIN (default
//        /usr/bin/chromium)
//
// What it writes (under --out/<browser>-scenarios/)
//   <family>.har, <family>.expected.json                 the family's main page origin
//   <family>--<scheme>-<host>.har / .expected.json        other page origins of the family
//   expected.json: {"browser","browser_version","page","family","fetches":[{"scenario",
//   "repeat","url","method","allowed","console":[...]}],"skipped":[{"scenario","reason"}]}
//   (the format of record-har.mjs plus the scenario id and repeat of each fetch);
//   allowed = the request resolved (fetch) / loaded (XHR), console = the page's console lines
//   while it ran.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerPool } from './lib/servers.mjs';
import { ensureCert } from './lib/cert.mjs';
import { loadScenarios, subst } from './lib/scenarios.mjs';
import { runRequestInPage } from './lib/pagescript.mjs';
import { SETTLE_MS, sleep, log, writeJson, harExportPrefs, firefoxHarSession } from './lib/har-firefox.mjs';
import { launchChromiumForHar, chromiumHarSession } from './lib/har-chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const REQUEST_TIMEOUT_MS = 8000;
const DEFAULT_FAMILIES = ['10-acao', '20-credentials', '30-preflight-triggers', '40-preflight-response', '50-expose', '60-max-age', '70-redirects', '80-modes', '85-mixed-content', '90-lna', '95-header-names'];

function parseArgs(argv) {
  const o = { browser: 'firefox', families: null, out: path.join(ROOT, 'crates/har/tests/fixtures'), basePort: 23000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--browser') o.browser = next();
    else if (a === '--family') (o.families ??= []).push(next().replace(/\.json$/, ''));
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--base-port') o.basePort = Number(next());
    else if (a === '-h' || a === '--help') { console.log('node conformance/record-har-scenarios.mjs [--browser firefox|chromium|all] [--family NAME]... [--out DIR] [--base-port N]'); process.exit(0); }
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  return o;
}


// recordings of one family: scenarios grouped by page origin (template with {P1})
function groupsOf(family, scenarios) {
  const groups = new Map();
  for (const sc of scenarios) {
    if (!groups.has(sc.page)) groups.set(sc.page, []);
    groups.get(sc.page).push(sc);
  }
  const list = [...groups.entries()].map(([page, scs]) => ({ pageTemplate: page, scenarios: scs }));
  list.sort((a, b) => b.scenarios.length - a.scenarios.length); // the main origin: most scenarios
  return list.map((g, i) => {
    const u = new URL(g.pageTemplate.replace('{P1}', '1'));
    return { ...g, name: i === 0 ? family : `${family}--${u.protocol.slice(0, -1)}-${u.hostname}` };
  });
}

// What results/<browser>.json (run.mjs, one page per scenario) recorded, ports blanked: the
// family run is expected to match it; a difference is reported (not fatal).
function referenceOf(browser) {
  const file = path.join(HERE, `results/${browser}.json`);
  if (!fs.existsSync(file)) return new Map();
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  return new Map(doc.scenarios.map((s) => [s.id, s]));
}
const blankPorts = (t) => t.replace(/:\d{2,5}\b/g, ':PORT');

// The scenarios of one group, one after another in the open page. runInPage(request) → what
// lib/pagescript.mjs returns; takeConsole(what) → the console lines since the last call.
async function runScenarios({ browser, pool, group, p1, runInPage, takeConsole, reference, notes }) {
  const out = [];
  for (const sc of group.scenarios) {
    const ports = { ...sc.ports, P1: p1 };
    const request = subst(sc.request, ports);
    const routes = subst(sc.routes || [], ports).map((r, i) => ({ ...r, __index: i, method: r.method || '*', status: r.status ?? 200 }));
    const closed = new Set((sc.closedPorts || []).map((k) => ports[k]));
    for (const p of [ports.P2, ports.P3]) {
      if (closed.has(p)) continue;
      await pool.listen(p);
      pool.configure(p, routes);
    }
    pool.configure(p1, routes); // the page's port: this scenario's routes (GET / stays the page)
    pool.dropProxyConnections();
    const ref = reference.get(sc.id);
    const repeat = request.repeat || 1;
    for (let i = 0; i < repeat; i++) {
      const r = await runInPage(request);
      await sleep(SETTLE_MS);
      const console_ = await takeConsole(sc.id);
      const allowed = r.outcome === 'response';
      if (r.timedOut) notes.push(`${sc.id}#${i + 1}: timed out after ${REQUEST_TIMEOUT_MS} ms`);
      const refObs = ref?.observations?.[i];
      if (refObs) {
        const refAllowed = refObs.outcome === 'response';
        const refConsole = refObs.console.map((m) => blankPorts(m.text));
        if (refAllowed !== allowed || JSON.stringify(refConsole) !== JSON.stringify(console_.map(blankPorts))) {
          notes.push(`${sc.id}#${i + 1}: differs from results/${browser}.json (one page per scenario): allowed ${refAllowed} → ${allowed}, console ${JSON.stringify(refConsole)} → ${JSON.stringify(console_.map(blankPorts))}`);
        }
      }
      out.push({ scenario: sc.id, repeat: i + 1, url: request.url, method: request.method || 'GET', allowed, console: console_ });
      log(`[${browser}] ${group.name} ${sc.id}${repeat > 1 ? `#${i + 1}` : ''}: ${allowed ? `allowed (${r.status})` : `blocked (${r.errorName}: ${r.error})`}, ${console_.length} console line(s)`);
    }
  }
  return out;
}

async function recordGroupFirefox({ pool, group, p1, pageUrl, outDir, harDir, reference, notes }) {
  const { FirefoxDriver } = await import('./lib/firefox.mjs');
  const driver = new FirefoxDriver({ pool, extraPrefs: harExportPrefs(harDir) });
  await driver.start();
  try {
    const fetches = await firefoxHarSession(driver, {
      name: group.name, pageUrl, harDir, harOut: path.join(outDir, `${group.name}.har`),
      run: () => runScenarios({
        browser: 'firefox', pool, group, p1, reference, notes,
        runInPage: (request) => driver.runInPage(null, request, [], REQUEST_TIMEOUT_MS),
        takeConsole: async () => (await driver.drain()).console.map((m) => m.text),
      }),
    });
    return { version: driver.caps.browserVersion, fetches };
  } finally {
    await driver.stop().catch(() => {});
  }
}

async function recordGroupChromium({ pool, group, p1, pageUrl, outDir, chromium, stats, reference, notes }) {
  const fetches = await chromiumHarSession(chromium.browser, {
    harFile: path.join(outDir, `${group.name}.har`), pageUrl, stats,
    run: ({ page, takeConsole }) => runScenarios({
      browser: 'chromium', pool, group, p1, reference, notes, takeConsole,
      runInPage: (request) => page.evaluate(`(${runRequestInPage.toString()})(${JSON.stringify(request)}, [], ${REQUEST_TIMEOUT_MS})`),
    }),
  });
  return { version: chromium.version, fetches };
}

// One recording per family + page origin, in a fresh Firefox / a fresh Chromium context.
async function recordBrowser({ browser, all, families, opts, pool, summary }) {
  const outDir = path.join(opts.out, `${browser}-scenarios`);
  fs.mkdirSync(outDir, { recursive: true });
  const reference = referenceOf(browser);
  const harDir = browser === 'firefox' ? fs.mkdtempSync(path.join(os.tmpdir(), 'cd-har-scenarios-firefox-')) : null;
  const chromium = browser === 'chromium' ? await launchChromiumForHar(['MAP * 127.0.0.1']) : null;
  const stats = { viaPlaywright: 0, viaCdpOnly: 0 };
  let failed = false;
  try {
    for (const family of families) {
      const scs = all.filter((s) => s.file === `${family}.json`);
      if (!scs.length) throw new Error(`no scenario file ${family}.json`);
      const skipped = [];
      for (const s of scs) {
        if (s.browsers && !s.browsers.includes(browser)) skipped.push({ scenario: s.id, reason: `not run in ${browser} (scenario's browsers: ${s.browsers.join(', ')})` });
        else if (s.chromiumAddressSpaces) skipped.push({ scenario: s.id, reason: 'Local Network Access: needs a Chromium launched with --ip-address-space-overrides for its ports (run.mjs starts a second Chromium for these); not recorded here' });
      }
      const runnable = scs.filter((s) => !skipped.some((k) => k.scenario === s.id));
      if (!runnable.length) {
        log(`[${browser}] ${family}: nothing to record (${skipped.length} scenarios skipped: ${skipped[0]?.reason})`);
        summary.push(`${browser} ${family}: not recorded (${skipped.length} scenarios skipped: ${skipped[0]?.reason})`);
        continue;
      }
      const groups = groupsOf(family, runnable);
      for (const group of groups) {
        const t0 = Date.now();
        const notes = [];
        const p1 = group.scenarios[0].ports.P1;
        const pageUrl = new URL('/', subst(group.pageTemplate, { P1: p1 })).href;
        try {
          await pool.listen(p1);
          pool.configure(p1, []);
          const args = { pool, group, p1, pageUrl, outDir, harDir, chromium, stats, reference, notes };
          const r = browser === 'firefox' ? await recordGroupFirefox(args) : await recordGroupChromium(args);
          writeJson(path.join(outDir, `${group.name}.expected.json`), { browser, browser_version: r.version, page: pageUrl, family, fetches: r.fetches, skipped: group === groups[0] ? skipped : [] });
          for (const n of notes) log(`[${browser}] note ${n}`);
          summary.push(`${browser} ${group.name}: ${group.scenarios.length} scenarios, ${r.fetches.length} fetches (${r.fetches.filter((f) => f.allowed).length} allowed), ${skipped.length && group === groups[0] ? `${skipped.length} skipped, ` : ''}${notes.length} difference(s) from results/${browser}.json, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        } catch (e) {
          failed = true;
          summary.push(`${browser} ${group.name}: FAILED ${e && e.stack || e}`);
        } finally {
          await pool.closeAll();
        }
      }
    }
  } finally {
    if (harDir) fs.rmSync(harDir, { recursive: true, force: true });
    if (chromium) await chromium.close();
  }
  if (browser === 'chromium') summary.push(`chromium console capture: ${JSON.stringify(stats)}`);
  return !failed;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const all = loadScenarios(path.join(HERE, 'scenarios'), opts.basePort);
  const families = opts.families || DEFAULT_FAMILIES;
  const browsers = opts.browser === 'all' ? ['firefox', 'chromium'] : opts.browser.split(',');
  const pool = new ServerPool(ensureCert(HERE));
  const summary = [];
  let ok = true;
  try {
    for (const browser of browsers) {
      if (!['firefox', 'chromium'].includes(browser)) throw new Error(`unknown browser ${browser}`);
      try {
        ok = (await recordBrowser({ browser, all, families, opts, pool, summary })) && ok;
      } catch (e) {
        ok = false;
        summary.push(`${browser}: FAILED ${e && e.stack || e}`);
      }
    }
  } finally {
    await pool.closeProxy();
    await pool.closeAll();
  }
  console.log(summary.join('\n'));
  process.exit(ok ? 0 : 1);
}

main();
