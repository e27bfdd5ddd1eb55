#!/usr/bin/env node
// record-har.mjs — records HAR fixtures for `cors-doctor har` from REAL browsers.
//
// What it records
//   For every endpoint of the cors-doctor lab (the table comes from the running lab's
//   /index.json: path, method, request headers, credentials mode, page origin), a fresh
//   browser context opens the endpoint's page origin (https://app.example.com, served by
//   lib/servers.mjs with the conformance test certificate) and runs the endpoint's demo
//   request with fetch() (method exactly as written, headers appended in order, the
//   credentials mode, mode "cors", no body). Recorded:
//     * the browser's own HAR export of that context / page,
//     * every console line the page got while the request ran (page-load noise dropped),
//     * whether fetch() resolved (allowed: true) or rejected with a TypeError (allowed: false).
//   Plus one combined recording (all-endpoints) where one page runs every endpoint's
//   request one after another, awaiting each (400 ms settle time after each for trailing
//   console lines, so every line is attributed to the fetch that caused it).
//
//   Chromium: Playwright's HAR recorder (browser.newContext({ recordHar })), Debian
//   Chromium launched with exactly the conformance flags (see lib/chromium.mjs) plus
//   --host-resolver-rules mapping the page origin onto the local page server. Console
//   lines: Playwright page.on('console') (which carries CDP Log.entryAdded entries); a CDP
//   session with Log.enable runs alongside and the script fails if the two disagree on the
//   CORS lines.
//   Firefox: see FIREFOX below (Firefox's own netmonitor HAR auto-export).
//
// How to run (from the repository root; needs target/debug/cors-doctor — built with
// `cargo build -p cors-doctor` only when it is missing — and `cd conformance && npm ci`):
//   node conformance/record-har.mjs                       # chromium + firefox
//   node conformance/record-har.mjs --browser chromium    # one browser
//   node conformance/record-har.mjs --only no-cors        # endpoints whose name contains this
//   options: --out DIR (default crates/har/tests/fixtures), --lab-port N (default 21787),
//            --page-port N (default 21443)
//   env: CORS_DOCTOR_BIN (lab binary), CHROMIUM_BIN (default /usr/bin/chromium),
//        FIREFOX_BIN (default /usr/lib/firefox-esr/firefox-esr)
//   The ports are fixed so that re-recording changes only what the browser really did
//   (and the timings/dates inside the HARs).
//
// What it writes (under --out, per browser directory chromium/ and firefox/):
//   <endpoint-name>.har             the browser's HAR (name = lab path without the leading
//                                   "/", "/" → "-": /ok/simple → ok-simple.har)
//   <endpoint-name>.expected.json   {"browser","browser_version","page","fetches":[{"url",
//                                   "method","allowed","console":[...]}]}
//   all-endpoints.har / all-endpoints.expected.json   the combined recording
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ServerPool } from './lib/servers.mjs';
import { ensureCert } from './lib/cert.mjs';
import { SETTLE_MS, sleep, log, writeJson, harExportPrefs, firefoxHarSession } from './lib/har-firefox.mjs';
import { CORS_LINE, launchChromiumForHar, chromiumHarSession } from './lib/har-chromium.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const REQUEST_TIMEOUT_MS = 8000;

function parseArgs(argv) {
  const o = { browser: 'all', only: null, out: path.join(ROOT, 'crates/har/tests/fixtures'), labPort: 21787, pagePort: 21443 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--browser') o.browser = next();
    else if (a === '--only') o.only = next();
    else if (a === '--out') o.out = path.resolve(next());
    else if (a === '--lab-port') o.labPort = Number(next());
    else if (a === '--page-port') o.pagePort = Number(next());
    else if (a === '-h' || a === '--help') { console.log('node conformance/record-har.mjs [--browser chromium|firefox|all] [--only SUBSTR] [--out DIR] [--lab-port N] [--page-port N]'); process.exit(0); }
    else { console.error(`unknown argument ${a}`); process.exit(2); }
  }
  return o;
}


// ---------------------------------------------------------------- lab

function labBinary() {
  if (process.env.CORS_DOCTOR_BIN) return process.env.CORS_DOCTOR_BIN;
  const bin = path.join(ROOT, 'target/debug/cors-doctor');
  if (!fs.existsSync(bin)) {
    log(`${bin} missing: cargo build -p cors-doctor`);
    execFileSync('cargo', ['build', '-p', 'cors-doctor'], { cwd: ROOT, stdio: 'inherit' });
  }
  return bin;
}

async function startLab(port) {
  const bin = labBinary();
  const proc = spawn(bin, ['lab', '--listen', `127.0.0.1:${port}`, '--color', 'never'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`lab exited (${proc.exitCode}): ${stderr}`);
    try {
      const r = await fetch(`${base}/index.json`, { headers: { Accept: 'application/json' } });
      if (r.ok) return { proc, base, index: await r.json() };
    } catch {}
    await sleep(100);
  }
  proc.kill();
  throw new Error(`lab did not answer on ${base}: ${stderr}`);
}

function endpointName(p) {
  return p.replace(/^\//, '').replace(/\//g, '-') || 'root';
}

// the fetch() the page runs, from the lab index entry
function demoRequest(ep) {
  return { url: ep.url, method: ep.method, headers: ep.headers.map((h) => [h.name, h.value]), credentials: ep.credentials };
}

// ---------------------------------------------------------------- page server


// Runs in the page: the endpoint's demo request. Self-contained (serialized).
async function runFetchInPage({ url, method, headers, credentials, timeoutMs }) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const h = new Headers();
    for (const [k, v] of headers) h.append(k, v);
    const resp = await fetch(url, { method, headers: h, credentials, mode: 'cors', signal: ctrl.signal });
    try { await resp.text(); } catch {}
    return { allowed: true, status: resp.status, type: resp.type };
  } catch (e) {
    return { allowed: false, errorName: e && e.name, error: String(e && e.message), timedOut: ctrl.signal.aborted };
  } finally {
    clearTimeout(timer);
  }
}

function checkOutcome(what, out) {
  if (out.timedOut) throw new Error(`${what}: fetch timed out after ${REQUEST_TIMEOUT_MS} ms (not a CORS verdict)`);
  if (!out.allowed && out.errorName !== 'TypeError') throw new Error(`${what}: fetch rejected with ${out.errorName}: ${out.error} (expected TypeError)`);
}

// ---------------------------------------------------------------- Chromium (Playwright HAR)

async function recordChromium({ endpoints, pagePort, outDir }) {
  const origins = [...new Set(endpoints.map((e) => e.origin))];
  // page origins → the local page server; everything else (the lab at 127.0.0.1, and
  // localhost after the lab's cross-origin redirect) → 127.0.0.1 with its own port.
  const rules = origins.map((o) => { const u = new URL(o); return `MAP ${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)} 127.0.0.1:${pagePort}`; });
  rules.push('MAP * 127.0.0.1');
  const launched = await launchChromiumForHar(rules);
  const { browser, version } = launched;
  log(`[chromium] ${version}`);
  const dir = path.join(outDir, 'chromium');
  fs.mkdirSync(dir, { recursive: true });
  const stats = { viaPlaywright: 0, viaCdpOnly: 0 };

  const session = (harFile, pageUrl, list) => chromiumHarSession(browser, { harFile, pageUrl, stats, run: async ({ page, takeConsole }) => {
    const fetches = [];
    for (const ep of list) {
      const req = demoRequest(ep);
      const out = await page.evaluate(runFetchInPage, { ...req, timeoutMs: REQUEST_TIMEOUT_MS });
      await sleep(SETTLE_MS);
      checkOutcome(`[chromium] ${ep.path}`, out);
      const console_ = takeConsole(ep.path);
      if (!out.allowed && !console_.some((t) => CORS_LINE.test(t))) log(`[chromium] ODD ${ep.path}: blocked but no "blocked by CORS policy" line: ${JSON.stringify(console_)}`);
      if (out.allowed && console_.length) log(`[chromium] note ${ep.path}: allowed, with console: ${JSON.stringify(console_)}`);
      if (out.allowed !== ep.healthy) log(`[chromium] note ${ep.path}: allowed=${out.allowed} but the lab marks healthy=${ep.healthy}`);
      fetches.push({ url: req.url, method: req.method, allowed: out.allowed, console: console_ });
      log(`[chromium] ${ep.path}: ${out.allowed ? `allowed (${out.status})` : `blocked (${out.errorName}: ${out.error})`}, ${console_.length} console line(s)`);
    }
    return fetches;
  } });

  try {
    for (const ep of endpoints) {
      const name = endpointName(ep.path);
      const pageUrl = new URL('/', ep.origin).href;
      const fetches = await session(path.join(dir, `${name}.har`), pageUrl, [ep]);
      writeJson(path.join(dir, `${name}.expected.json`), { browser: 'chromium', browser_version: version, page: pageUrl, fetches });
    }
    const pageOrigins = [...new Set(endpoints.map((e) => e.origin))];
    if (pageOrigins.length !== 1) log(`[chromium] combined recording: endpoints have several page origins (${pageOrigins.join(', ')}); using ${pageOrigins[0]}`);
    const pageUrl = new URL('/', pageOrigins[0]).href;
    const fetches = await session(path.join(dir, 'all-endpoints.har'), pageUrl, endpoints);
    writeJson(path.join(dir, 'all-endpoints.expected.json'), { browser: 'chromium', browser_version: version, page: pageUrl, fetches });
  } finally {
    await launched.close();
  }
  return { browser: 'chromium', version, files: endpoints.length + 1, stats };
}

// ---------------------------------------------------------------- Firefox (netmonitor HAR export)
//
// FIREFOX: Firefox has no host-resolver flag, so the page origin goes through a tiny
// CONNECT-only proxy of this script (page host:port → the local page server); loopback
// (the lab at 127.0.0.1, localhost after the lab's redirect) is not proxied
// (network.proxy.allow_hijacking_localhost=false). Firefox is driven as in lib/firefox.mjs
// (Marionette, --headless); the HAR is Firefox's own netmonitor export, taken by
// lib/har-firefox.mjs (shared with record-har-scenarios.mjs): the DevTools toolbox's
// HarAutomation, whose triggerExport() is called after the page's fetches, writes the file
// that is copied into the fixtures. Each recording navigates anew, which resets the
// collector (will-navigate). Console lines: the chrome-context Services.console reading of
// lib/firefox.mjs (text of each nsIScriptError).

async function startConnectProxy(pageTargets) {
  // pageTargets: Map "host:port" → local port. CONNECT only; anything else → 502.
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const [method, target] = buf.subarray(0, end).toString('latin1').split('\r\n')[0].split(' ');
      const rest = buf.subarray(end + 4);
      if (method !== 'CONNECT') { sock.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'); return; }
      const port = pageTargets.get(target.toLowerCase()) ?? Number(target.split(':').pop());
      const up = net.connect(port, '127.0.0.1', () => {
        sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (rest.length) up.write(rest);
        up.pipe(sock); sock.pipe(up);
      });
      sockets.add(up);
      up.on('close', () => { sockets.delete(up); sock.destroy(); });
      up.on('error', () => sock.destroy());
      sock.on('close', () => up.destroy());
    };
    sock.on('data', onData);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => { for (const s of sockets) s.destroy(); return new Promise((r) => server.close(() => r())); } };
}

async function recordFirefox({ endpoints, pagePort, outDir }) {
  const { FirefoxDriver } = await import('./lib/firefox.mjs');
  const targets = new Map(endpoints.map((e) => { const u = new URL(e.origin); return [`${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`, pagePort]; }));
  const proxy = await startConnectProxy(targets);
  const harDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-har-firefox-out-'));
  const makeDriver = () => new FirefoxDriver({
    proxyPort: proxy.port,
    extraPrefs: {
      'network.proxy.allow_hijacking_localhost': false, // the lab on loopback: direct
      ...harExportPrefs(harDir),
    },
  });
  const dir = path.join(outDir, 'firefox');
  fs.mkdirSync(dir, { recursive: true });
  let version = null;
  let driver = null;
  try {
    // One Firefox process per recording (fresh profile: no preflight cache, HTTP cache or
    // connections carried over from the previous recording, like Chromium's per-context).
    async function session(name, pageUrl, list) {
      driver = makeDriver();
      await driver.start();
      try { return await sessionIn(name, pageUrl, list); } finally { await driver.stop().catch(() => {}); driver = null; }
    }

    async function sessionIn(name, pageUrl, list) {
      if (!version) { version = driver.caps.browserVersion; log(`[firefox] ${version}`); }
      return firefoxHarSession(driver, { name, pageUrl, harDir, harOut: path.join(dir, `${name}.har`), run: async () => {
        const fetches = [];
        for (const ep of list) {
          const req = demoRequest(ep);
          const script = `return (${runFetchInPage.toString()})(arguments[0]);`;
          const out = (await driver.m.send('WebDriver:ExecuteScript', { script, args: [{ ...req, timeoutMs: REQUEST_TIMEOUT_MS }] }, REQUEST_TIMEOUT_MS + 5000)).value;
          await sleep(SETTLE_MS);
          checkOutcome(`[firefox] ${ep.path}`, out);
          const drained = await driver.drain();
          const console_ = drained.console.map((m) => m.text);
          if (!out.allowed && !console_.some((t) => /Cross-Origin Request Blocked/.test(t))) log(`[firefox] ODD ${ep.path}: blocked but no "Cross-Origin Request Blocked" line: ${JSON.stringify(console_)}`);
          if (out.allowed && console_.length) log(`[firefox] note ${ep.path}: allowed, with console: ${JSON.stringify(console_)}`);
          if (out.allowed !== ep.healthy) log(`[firefox] note ${ep.path}: allowed=${out.allowed} but the lab marks healthy=${ep.healthy}`);
          fetches.push({ url: req.url, method: req.method, allowed: out.allowed, console: console_ });
          log(`[firefox] ${ep.path}: ${out.allowed ? `allowed (${out.status})` : `blocked (${out.errorName}: ${out.error})`}, ${console_.length} console line(s)`);
        }
        return fetches;
      } });
    }

    for (const ep of endpoints) {
      const name = endpointName(ep.path);
      const pageUrl = new URL('/', ep.origin).href;
      const fetches = await session(name, pageUrl, [ep]);
      writeJson(path.join(dir, `${name}.expected.json`), { browser: 'firefox', browser_version: version, page: pageUrl, fetches });
    }
    const pageUrl = new URL('/', endpoints[0].origin).href;
    const fetches = await session('all-endpoints', pageUrl, endpoints);
    writeJson(path.join(dir, 'all-endpoints.expected.json'), { browser: 'firefox', browser_version: version, page: pageUrl, fetches });
  } finally {
    if (driver) await driver.stop().catch(() => {});
    await proxy.close();
    fs.rmSync(harDir, { recursive: true, force: true });
  }
  return { browser: 'firefox', version, files: endpoints.length + 1 };
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const browsers = opts.browser === 'all' ? ['chromium', 'firefox'] : opts.browser.split(',');
  const lab = await startLab(opts.labPort);
  const pool = new ServerPool(ensureCert(HERE));
  await pool.listen(opts.pagePort);
  const summaries = [];
  let failed = false;
  try {
    let endpoints = lab.index.endpoints;
    if (opts.only) endpoints = endpoints.filter((e) => endpointName(e.path).includes(opts.only));
    log(`lab ${lab.base}: ${lab.index.endpoints.length} endpoints, recording ${endpoints.length}; page server on 127.0.0.1:${opts.pagePort}`);
    for (const b of browsers) {
      try {
        if (b === 'chromium') summaries.push(await recordChromium({ endpoints, pagePort: opts.pagePort, outDir: opts.out }));
        else if (b === 'firefox') summaries.push(await recordFirefox({ endpoints, pagePort: opts.pagePort, outDir: opts.out }));
        else throw new Error(`unknown browser ${b}`);
      } catch (e) {
        failed = true;
        summaries.push({ browser: b, fatal: String(e && e.stack || e) });
      }
    }
  } finally {
    lab.proc.kill('SIGTERM');
    await pool.closeAll();
  }
  for (const s of summaries) {
    if (s.fatal) console.log(`${s.browser}: FAILED ${s.fatal}`);
    else console.log(`${s.browser}: ${s.version} | ${s.files} recordings written to ${path.relative(process.cwd(), path.join(opts.out, s.browser))}${s.stats ? ' | console ' + JSON.stringify(s.stats) : ''}`);
  }
  process.exit(failed ? 1 : 0);
}


main();
