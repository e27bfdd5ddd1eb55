// `cors-doctor proxy` in front of the lab, with real headless Chromium
// (Debian's, through playwright-core) calling the API through it from a
// page on another origin (http://app.localhost:PORT, which Chromium
// resolves to loopback itself). For each lab endpoint, the proxy's line
// must name the finding the browser's own console line names
// (`cors-doctor explain` reads the console line) and predict that console
// line word for word; with --fix, the page's requests succeed and the
// proxy says what the upstream must send.
//   node --test conformance/test/
// Needs the debug binary (`cargo build -p cors-doctor`, or CORS_DOCTOR_BIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../lib/headless.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const BIN = process.env.CORS_DOCTOR_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'debug', 'cors-doctor');

// The lab's endpoints the page calls, as fetch() calls them.
const CASES = [
  { path: '/no-cors' },
  { path: '/wrong-origin' },
  { path: '/trailing-slash' },
  { path: '/multiple-values' },
  { path: '/duplicate-lines' },
  { path: '/ok/wildcard' },
  { path: '/preflight-404', init: { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' } },
  { path: '/preflight-405', init: { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' } },
  { path: '/preflight-redirect-https', init: { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' } },
  { path: '/method-missing', init: { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' } },
  { path: '/header-missing', init: { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': '42' }, body: '{}' } },
];

// `cors-doctor ARGS`, its first line, and every later JSON line as it comes.
function start(args, { json = false } = {}) {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
  const events = [];
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    let first = null;
    lines.on('line', (line) => {
      if (first === null) {
        first = line;
        const url = json ? JSON.parse(line).proxy : (line.match(/http:\/\/\S+/) || [])[0];
        resolve({ child, url: url.replace(/\/$/, ''), events });
      } else if (json) {
        events.push(JSON.parse(line));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`cors-doctor ${args[0]} exited with ${code}`)));
  });
}

// The page's server: one empty page.
function pageServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>page</title>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// The proxy's decisive event for PATH: the last fetch judged for it.
async function eventFor(events, path, since) {
  for (let i = 0; i < 100; i++) {
    const found = events.slice(since).filter((e) => e.path === path && e.judgement === 'fetch');
    if (found.length) return found.at(-1);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no judged event for ${path}: ${JSON.stringify(events.slice(since))}`);
}

function explain(line) {
  const run = spawnSync(BIN, ['explain', '--json', '-'], { input: line, encoding: 'utf8' });
  return JSON.parse(run.stdout).messages[0];
}

test('proxy: the live line names the browser console\'s finding; --fix lets the page through, in headless Chromium', async (t) => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build -p cors-doctor\` first (or set CORS_DOCTOR_BIN)`);
  const lab = await start(['lab', '--listen', '127.0.0.1:0']);
  const proxy = await start(['proxy', '--upstream', lab.url, '--listen', '127.0.0.1:0', '--json'], { json: true });
  const fixing = await start(['proxy', '--upstream', lab.url, '--listen', '127.0.0.1:0', '--json', '--fix', '--server', 'express'], { json: true });
  const server = await pageServer();
  const pageUrl = `http://app.localhost:${server.address().port}/`;
  const { browser, close } = await launchChromium('cd-proxy-');
  t.after(async () => {
    await close();
    for (const c of [lab, proxy, fixing]) c.child.kill();
    server.close();
  });
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(pageUrl);

  const call = (base, c) => page.evaluate(async ({ url, init }) => {
    try {
      const r = await fetch(url, init);
      await r.text();
      return 'ok';
    } catch (e) {
      return 'failed';
    }
  }, { url: base + c.path, init: c.init || {} });

  const compared = [];
  for (const c of CASES) {
    const before = consoleLines.length;
    const since = proxy.events.length;
    const outcome = await call(proxy.url, c);
    const event = await eventFor(proxy.events, c.path, since);
    // Console lines arrive after the promise settles; give them a moment.
    await new Promise((r) => setTimeout(r, 300));
    const cors = consoleLines.slice(before).filter((l) => /CORS policy/.test(l));
    if (outcome === 'ok') {
      assert.equal(event.verdict, 'allowed', `${c.path}: the page read it, the proxy said ${JSON.stringify(event)}`);
      assert.deepEqual(cors, [], `${c.path}: no CORS error in the console`);
      continue;
    }
    assert.equal(event.verdict, 'blocked', `${c.path}: the page failed, the proxy said ${JSON.stringify(event)}`);
    assert.equal(cors.length, 1, `${c.path}: one CORS line in the console: ${JSON.stringify(consoleLines.slice(before))}`);
    assert.equal(event.console[0], cors[0], `${c.path}: the proxy predicts the console line`);
    const said = explain(cors[0]);
    assert.ok(said.candidates.includes(event.finding),
      `${c.path}: the console line means ${JSON.stringify(said.candidates)}; the proxy said ${event.finding}`);
    compared.push(`${c.path}: ${event.finding}`);
  }
  t.diagnostic(`blocked in Chromium, same finding and console line from the proxy: ${compared.join(', ')}`);
  assert.ok(compared.length >= 9, 'most of the lab\'s endpoints are compared');

  // --fix: the same blocked calls now succeed, and each says what the upstream must send.
  for (const c of CASES.filter((c) => ['/no-cors', '/preflight-404', '/method-missing', '/header-missing'].includes(c.path))) {
    const since = fixing.events.length;
    assert.equal(await call(fixing.url, c), 'ok', `${c.path} through --fix`);
    const fixed = fixing.events.slice(since).filter((e) => e.fix && e.fix.added.length);
    assert.ok(fixed.length >= 1, `${c.path}: a fixed exchange: ${JSON.stringify(fixing.events.slice(since))}`);
    for (const e of fixed) {
      assert.ok(e.fix.upstream_must_send.some(([n, v]) => n === 'Access-Control-Allow-Origin' && v === pageUrl.replace(/\/$/, '')),
        `${c.path}: ${JSON.stringify(e.fix)}`);
      assert.match(e.fix.config, /cors\(|Access-Control-Allow-Origin/i, `${c.path}: the express configuration`);
    }
  }
});
