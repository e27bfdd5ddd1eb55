#!/usr/bin/env node
// cors-doctor conformance runner: records what real browsers do for each scenario.
// Usage: node conformance/run.mjs [--browser chromium|firefox|webkit|check|all] [--filter SUBSTR] [--out results/DIR]
// `check` runs each scenario through `cors-doctor check` instead of a browser (see lib/check.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ServerPool } from './lib/servers.mjs';
import { ensureCert } from './lib/cert.mjs';
import { loadScenarios, subst } from './lib/scenarios.mjs';
import { normalizeResults, stringify } from './lib/normalize.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCENARIO_TIMEOUT_MS = 10000; // hard bound per scenario (page load + all repeats)
const REQUEST_TIMEOUT_MS = 6000; // in-page abort/timeout for one request
const SETTLE_MS = 400; // wait after a request settles for trailing console lines

function parseArgs(argv) {
  const o = { browser: 'all', filter: null, timings: false, out: path.join(HERE, 'results'), scenarios: path.join(HERE, 'scenarios') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--browser') o.browser = next();
    else if (a === '--filter') o.filter = next();
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--scenarios') o.scenarios = path.resolve(next());
    else if (a === '--timings') o.timings = true;
    else if (a === '-h' || a === '--help') { console.log('node conformance/run.mjs [--browser chromium|firefox|webkit|check|all] [--filter SUBSTR] [--out results/DIR]  (all = chromium,firefox,webkit)'); process.exit(0); }
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  return o;
}



function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`runner timeout: ${what} exceeded ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function stripLog(entries) {
  return entries.map(({ seq, t, ...e }) => e);
}

async function runScenario(driver, pool, sc) {
  const ports = sc.ports;
  const page = subst(sc.page, ports);
  const request = subst(sc.request, ports);
  const routes = subst(sc.routes || [], ports).map((r, i) => ({ ...r, __index: i, method: r.method || '*', status: r.status ?? 200 }));
  // A `check` process has no preflight cache to carry over: one request only.
  const repeat = driver.singleShot ? 1 : request.repeat || 1;
  // names of all response headers the routes send (lower-cased) -> probed with headers.get()
  const probe = [...new Set(routes.flatMap((r) => (r.headers || []).map(([k]) => k.toLowerCase())))].sort();
  const closed = new Set((sc.closedPorts || []).map((k) => ports[k]));
  for (const p of Object.values(ports)) {
    if (closed.has(p)) continue;
    await pool.listen(p);
    pool.configure(p, routes);
  }
  const result = { id: sc.id, file: sc.file, description: sc.description, page, request, ports, observations: [] };
  const unsupported = driver.notExpressible ? driver.notExpressible(sc) : null;
  if (unsupported) return { ...result, notExpressible: unsupported, durationMs: 0 };
  let handle;
  const t0 = Date.now();
  try {
    handle = await withTimeout(driver.openPage(page), 9000, 'page load');
    for (let i = 0; i < repeat; i++) {
      const remaining = SCENARIO_TIMEOUT_MS - (Date.now() - t0);
      if (remaining < 1000) throw new Error(`runner timeout: scenario exceeded ${SCENARIO_TIMEOUT_MS} ms before repeat ${i + 1}`);
      const mark = pool.mark();
      const reqTimeout = Math.min(REQUEST_TIMEOUT_MS, remaining - 500);
      const outcome = await withTimeout(driver.runInPage(handle, request, probe, reqTimeout, sc), reqTimeout + 2000, 'request');
      if (!driver.singleShot) await sleep(SETTLE_MS); // check has exited: nothing trails
      const drained = await driver.drain(handle);
      const obs = { repeat: i + 1, ...outcome, console: drained.console };
      if (drained.issues) obs.issues = drained.issues;
      if (drained.bidiLog) obs.bidiLog = drained.bidiLog;
      obs.serverLog = stripLog(pool.since(mark));
      result.observations.push(obs);
    }
  } catch (e) {
    result.runnerError = String(e && e.stack || e).split('\n').slice(0, 3).join(' | ');
  } finally {
    if (handle) await withTimeout(driver.closePage(handle), 5000, 'close page').catch(() => {});
    await pool.closeAll();
  }
  result.durationMs = Date.now() - t0;
  return result;
}

async function makeDriver(browser, opts = {}) {
  if (browser === 'chromium') {
    const { ChromiumDriver } = await import('./lib/chromium.mjs');
    return new ChromiumDriver(opts);
  }
  if (browser === 'firefox') {
    const { FirefoxDriver } = await import('./lib/firefox.mjs');
    return new FirefoxDriver(opts);
  }
  if (browser === 'webkit') {
    const { WebKitDriver } = await import('./lib/webkit.mjs');
    return new WebKitDriver(opts);
  }
  if (browser.startsWith('check-')) {
    const { CheckDriver } = await import('./lib/check.mjs');
    return new CheckDriver({ ...opts, browser: browser.slice('check-'.length) });
  }
  throw new Error(`unknown browser ${browser}`);
}

function appliesTo(sc, browser) {
  const engine = browser.replace(/^check-/, '');
  return !sc.browsers || sc.browsers.includes(engine);
}

async function runBrowser(browser, scenarios, pool, outDir, timings = false) {
  const t0 = Date.now();
  const selected = scenarios.filter((s) => appliesTo(s, browser));
  if (!selected.length) return { browser, version: '(not started: no scenario selected)', run: 0, runnerErrors: 0, wallMs: 0, file: null };
  // scenarios that need a special browser launch (address-space overrides) are grouped
  const plain = selected.filter((s) => !s.chromiumAddressSpaces);
  const special = selected.filter((s) => s.chromiumAddressSpaces);
  const results = new Map();
  let version = null;
  let notes = null;
  const groups = [{ list: plain, opts: {} }];
  if (special.length && browser === 'chromium') { // check-chromium takes the page's space as an option instead
    const ov = [];
    for (const s of special) for (const [k, space] of Object.entries(s.chromiumAddressSpaces)) ov.push(`127.0.0.1:${s.ports[k]}=${space}`);
    groups.push({ list: special, opts: { extraArgs: [`--ip-address-space-overrides=${ov.join(',')}`] }, note: 'ip-address-space-overrides' });
  } else if (special.length) {
    groups[0].list = selected; // other browsers: no such flag, run them normally
  }
  let runnerErrors = 0;
  for (const g of groups) {
    if (!g.list.length) continue;
    const driver = await makeDriver(browser, { ...g.opts, pool, cert: pool.certPath });
    await driver.start();
    version = version || await driver.version();
    if (!notes) notes = driver.notes ? driver.notes() : null;
    for (const sc of g.list) {
      const r = await runScenario(driver, pool, sc);
      if (g.opts.extraArgs) r.browserArgs = g.opts.extraArgs;
      if (r.runnerError) runnerErrors++;
      results.set(sc.id, r);
      const o = r.notExpressible ? `not expressible: ${r.notExpressible}` : r.observations.map((x) => x.browsers ? Object.entries(x.browsers).map(([b, v]) => `${b}:${v.verdict}`).join(' ') : x.outcome === 'response' ? `${x.status}${x.type ? '/' + x.type : ''}` : 'error').join(',');
      process.stderr.write(`[${browser}] ${sc.id}: ${r.runnerError ? 'RUNNER ERROR ' + r.runnerError : o} (${r.durationMs} ms)\n`);
      if (r.runnerError && /Target closed|Session closed|Connection closed|browser has disconnected|Marionette connection closed/i.test(r.runnerError)) {
        process.stderr.write(`[${browser}] browser died, restarting\n`);
        await driver.stop().catch(() => {});
        await driver.start();
      }
    }
    await driver.stop();
  }
  const ordered = selected.map((s) => results.get(s.id)).filter(Boolean);
  // keep the committed files diff-friendly (see lib/normalize.mjs); --timings keeps everything
  const doc0 = { scenarios: ordered };
  if (!timings) normalizeResults(doc0);
  const doc = { browser, version, generatedBy: 'conformance/run.mjs', notes, scenarios: ordered };
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${browser}.json`);
  fs.writeFileSync(file, stringify(doc) + '\n');
  return { browser, version, run: ordered.length, runnerErrors, wallMs: Date.now() - t0, file };
}

// a bug in a server callback must not kill a long run: report it and carry on
process.on('uncaughtException', (e) => { process.stderr.write(`uncaught exception (run continues): ${e && e.stack || e}\n`); });

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let scenarios = loadScenarios(opts.scenarios);
  if (opts.filter) scenarios = scenarios.filter((s) => s.id.includes(opts.filter) || s.file.includes(opts.filter));
  const browsers = (opts.browser === 'all' ? 'chromium,firefox,webkit' : opts.browser).split(',').flatMap((b) => (b === 'check' ? ['check-chromium', 'check-firefox', 'check-webkit'] : [b]));
  const tlsMaterial = ensureCert(HERE);
  const pool = new ServerPool(tlsMaterial);
  pool.certPath = tlsMaterial.certPath;
  const summaries = [];
  const t0 = Date.now();
  for (const b of browsers) {
    try {
      summaries.push(await runBrowser(b, scenarios, pool, opts.out, opts.timings));
    } catch (e) {
      summaries.push({ browser: b, version: null, run: 0, runnerErrors: 0, fatal: String(e && e.stack || e), wallMs: 0 });
    }
  }
  console.log('\n=== conformance summary ===');
  for (const s of summaries) {
    if (s.fatal) { console.log(`${s.browser}: FATAL ${s.fatal.split('\n')[0]}`); continue; }
    console.log(`${s.browser}: ${s.version} | scenarios run: ${s.run} | runner errors: ${s.runnerErrors} | wall time: ${(s.wallMs / 1000).toFixed(1)} s${s.file ? ' | ' + path.relative(process.cwd(), s.file) : ''}`);
  }
  console.log(`total wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(summaries.some((s) => s.fatal) ? 1 : 0);
}

main();
