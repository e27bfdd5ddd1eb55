// `cors-doctor serve` driven in real headless Chromium (Debian's, through
// playwright-core, as the HAR recorder drives it): the check form against
// the lab, each browser's verdict and console line on the page, the form's
// state in the URL, the configuration for a chosen server, the scan
// matrix, the explain box, the HAR drop zone, keyboard use, an axe-core audit, and
// the token and Host checks. Screenshots go to docs/screenshots/ (the
// README shows them).
//   node --test conformance/test/
// Needs the debug binary (`cargo build -p cors-doctor`, or CORS_DOCTOR_BIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../lib/headless.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const BIN = process.env.CORS_DOCTOR_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'debug', 'cors-doctor');
const SHOTS = process.env.SCREENSHOT_DIR || path.join(REPO, 'docs', 'screenshots');
const AXE = createRequire(import.meta.url)('axe-core').source;

// Starts `cors-doctor ARGS` and resolves with the first http:// URL it prints.
function start(args) {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const url = line.match(/http:\/\/\S+/);
      if (url) resolve({ child, url: url[0] });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`cors-doctor ${args[0]} exited with ${code}`)));
  });
}

test('serve: check, explain, keyboard, accessibility, token and Host, in headless Chromium', async (t) => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build -p cors-doctor\` first (or set CORS_DOCTOR_BIN)`);
  const lab = await start(['lab', '--listen', '127.0.0.1:0']);
  const serve = await start(['serve', '--listen', '127.0.0.1:0']);
  const { browser, close } = await launchChromium('cd-serve-ui-');
  t.after(async () => {
    await close();
    lab.child.kill();
    serve.child.kill();
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  // axe-core is injected into the page, which the page's own CSP forbids.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  const labUrl = lab.url.replace(/\/$/, '');
  const target = `${labUrl}/trailing-slash`;
  await page.goto(serve.url);

  // Keyboard only: Tab goes through the view links to the URL field; Enter submits.
  const visited = [];
  for (let i = 0; i < 6 && visited.at(-1) !== 'url'; i++) {
    await page.keyboard.press('Tab');
    visited.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.deepEqual(visited, ['tab-check', 'tab-scan', 'tab-explain', 'tab-har', 'url'], 'the tab order');
  await page.keyboard.type(target);
  await page.keyboard.press('Tab');
  await page.keyboard.type('https://app.example.com');
  await page.keyboard.press('Enter');

  // Each browser's verdict and console line, as `check` gives them.
  await page.waitForSelector('.verdicts li', { timeout: 30000 });
  const verdicts = await page.$$eval('.verdicts li', (lis) => lis.map((li) => li.textContent));
  assert.equal(verdicts.length, 3, verdicts.join(' | '));
  for (const v of verdicts) assert.match(v, /blocked/, v);
  const consoles = await page.$$eval('.console', (cs) => cs.map((c) => c.textContent));
  assert.ok(consoles.some((c) => c.includes(`Access to fetch at '${target}' from origin 'https://app.example.com' has been blocked by CORS policy`)), consoles.join('\n'));
  assert.ok(consoles.some((c) => c.includes('Cross-Origin Request Blocked')), consoles.join('\n'));
  assert.ok(await page.$('.finding h4'), 'the cause and fix are shown');
  assert.ok((await page.$$('.timeline > li')).length >= 1, 'the exchanges are shown');
  // Each response line marked as the browsers judged it: the trailing-slash
  // Allow-Origin refused, with its finding.
  const refusedLines = await page.$$eval('.headers .marked.blocking', (ls) => ls.map((l) => l.textContent.toLowerCase()));
  assert.ok(refusedLines.some((l) => l.includes('access-control-allow-origin') && l.includes('https://app.example.com/')), refusedLines.join('\n'));
  await page.screenshot({ path: path.join(SHOTS, 'serve-check.png'), fullPage: true });

  // The configuration for a chosen server, from `config`.
  await page.selectOption('#fix-for', 'nginx');
  await page.click('#check-form button[type=submit]');
  await page.waitForSelector('pre.config', { timeout: 30000 });
  assert.match(await page.$eval('pre.config', (p) => p.textContent), /add_header/);

  // The form's state is in the URL: opening it again shows the same answer.
  const shared = page.url();
  assert.match(shared, /[?&]url=/);
  assert.match(shared, /[?&]origin=https%3A%2F%2Fapp\.example\.com/);
  const again = await context.newPage();
  await again.goto(shared);
  await again.waitForSelector('.verdicts li', { timeout: 30000 });
  assert.equal(await again.$eval('#url', (i) => i.value), target);
  await again.close();

  // axe-core on the answered page.
  await page.addScriptTag({ content: AXE });
  const audit = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s) — ${v.help}`);
  });
  assert.deepEqual(audit, [], `axe-core violations on the check view:\n${audit.join('\n')}`);

  // Scan: the coloured matrix; focusing a cell shows its exchange.
  await page.click('#tab-scan');
  await page.fill('#scan-url', `${labUrl}/reflect-no-vary`);
  await page.fill('#scan-origins', 'https://app.example.com');
  await page.click('#scan-form button[type=submit]');
  await page.waitForSelector('table.matrix button.cell', { timeout: 60000 });
  const cells = await page.$$('table.matrix button.cell');
  assert.ok(cells.length >= 20, `${cells.length} cells`);
  await cells[0].focus();
  assert.match(await page.$eval('.cell-detail', (d) => d.textContent), /Access-Control-Allow-Origin/);
  // Its exchange: the request it sent (with its Origin) and the response lines.
  const exchange = await page.$eval('.cell-detail .cell-exchanges', (d) => d.textContent.toLowerCase());
  assert.match(exchange, /origin: /, exchange);
  assert.match(exchange, /access-control-allow-origin: /, exchange);
  assert.match(await page.$eval('.security', (d) => d.textContent), /critical/);
  const scanAudit = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.help}`));
  assert.deepEqual(scanAudit, [], 'axe-core violations on the scan view');
  await page.screenshot({ path: path.join(SHOTS, 'serve-scan.png'), fullPage: true });

  // Explain: the paste box.
  await page.click('#tab-explain');
  await page.fill('#paste', `Access to fetch at '${target}' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`);
  await page.click('#explain-form button[type=submit]');
  await page.waitForSelector('#explain-result article', { timeout: 30000 });
  const explained = await page.$eval('#explain-result', (r) => r.textContent);
  assert.match(explained, /chromium/);
  assert.match(explained, /Fix:/);
  const explainAudit = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => v.id));
  assert.deepEqual(explainAudit, [], 'axe-core violations on the explain view');
  await page.screenshot({ path: path.join(SHOTS, 'serve-explain.png'), fullPage: true });
  // HAR: a recording made by Playwright on Chromium, chosen in the drop zone.
  await page.click('#tab-har');
  await page.setInputFiles('#har-file', path.join(REPO, 'crates/har/tests/fixtures/chromium/all-endpoints.har'));
  await page.waitForSelector('#har-result article', { timeout: 30000 });
  const har = await page.$eval('#har-result', (r) => r.textContent);
  assert.match(har, /judged as chromium/);
  assert.match(har, /blocked/);
  const harAudit = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => v.id));
  assert.deepEqual(harAudit, [], 'axe-core violations on the HAR view');
  await page.screenshot({ path: path.join(SHOTS, 'serve-har.png'), fullPage: false });
  assert.deepEqual(errors, [], 'no script error on the page');

  // Without the token, or under another host name, nothing is served.
  const bare = await context.newPage();
  const noToken = await bare.goto(serve.url.replace(/\?token=.*/, ''));
  assert.equal(noToken.status(), 403);
  const origin = new URL(serve.url);
  const api = await bare.evaluate(async (o) => (await fetch(`${o}/api/explain`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text":"x"}' })).status, origin.origin);
  assert.equal(api, 403, 'the API without the token');
});
