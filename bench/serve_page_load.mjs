// How fast `cors-doctor serve`'s page becomes interactive (issue #18: under
// 100 ms locally): N loads into one tab of headless Chromium (Debian's, through
// conformance/'s playwright-core) load the page from a release build, and the
// Navigation Timing entries give DOM-interactive, DOMContentLoaded (the page's
// script has run: the form works) and load, from the start of navigation.
//   cargo build --release -p cors-doctor && node bench/serve_page_load.mjs [N]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.CORS_DOCTOR_BIN || path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, 'target'), 'release', 'cors-doctor');
const N = Number(process.argv[2] || 50);
const { chromium } = createRequire(path.join(REPO, 'conformance', 'package.json'))('playwright-core');

const serve = spawn(BIN, ['serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  readline.createInterface({ input: serve.stdout }).on('line', (l) => { const m = l.match(/http:\/\/\S+/); if (m) resolve(m[0]); });
  serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-serve-bench-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', ignoreDefaultArgs: true, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--remote-debugging-pipe'],
});
const version = browser.version();
const samples = { firstByte: [], interactive: [], contentLoaded: [], load: [] };
try {
  const context = await browser.newContext();
  // One tab, as a user has it open: each round loads the page into it anew
  // (the server says no-store, so nothing comes from the cache). A fresh
  // tab's renderer start-up is Chromium's, not the page's.
  const page = await context.newPage();
  for (let i = 0; i < N + 3; i++) {
    await page.goto('about:blank');
    await page.goto(url, { waitUntil: 'load' });
    const t = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { firstByte: n.responseStart, interactive: n.domInteractive, contentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
    });
    if (i < 3) continue; // warm-up
    for (const k of Object.keys(samples)) samples[k].push(t[k]);
  }
} finally {
  await browser.close();
  serve.kill();
  fs.rmSync(profile, { recursive: true, force: true });
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
console.log(`cors-doctor serve page, ${N} loads into one tab of headless Chromium ${version}, ${os.cpus().length} cores, ${new Date().toISOString()}`);
console.log('| measure (ms from navigation start) | median | p95 | max |');
console.log('|---|---:|---:|---:|');
for (const [k, xs] of Object.entries(samples)) {
  console.log(`| ${k} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
}
console.log(`page weight: index.html + app.js + style.css embedded (${['index.html', 'app.js', 'style.css'].map((f) => fs.statSync(path.join(REPO, 'crates/cli/src/commands/serve_page', f)).size).reduce((a, b) => a + b)} bytes)`);
