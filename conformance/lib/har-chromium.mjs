// Shared by record-har.mjs and record-har-scenarios.mjs: Chromium recordings through
// Playwright's HAR recorder (see "Chromium" in record-har.mjs's header).
//
// Debian Chromium is launched with exactly the conformance flags (lib/chromium.mjs) plus the
// caller's --host-resolver-rules. Console lines: Playwright page.on('console') (which carries
// CDP Log.entryAdded entries); a CDP session with Log.enable runs alongside, and a line only
// CDP saw is added (and counted in stats.viaCdpOnly).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep, log } from './har-firefox.mjs';

export const CORS_LINE = /has been blocked by CORS policy/;

// rules: the --host-resolver-rules entries
export async function launchChromiumForHar(rules) {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-har-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', `--user-data-dir=${profile}`,
    `--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors',
    '--remote-debugging-pipe', // Playwright's transport (ignoreDefaultArgs drops its own copy)
  ];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', ignoreDefaultArgs: true, args, headless: true, timeout: 60000 });
  return {
    browser,
    version: browser.version(),
    close: async () => { await browser.close().catch(() => {}); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}

// One fresh context recording harFile: loads pageUrl (page-load console lines dropped), then
// run({ page, takeConsole }) — takeConsole(what) returns the console lines since the last call.
// Closing the context writes the HAR.
export async function chromiumHarSession(browser, { harFile, pageUrl, stats, run }) {
  const context = await browser.newContext({ recordHar: { path: harFile, content: 'omit' }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const pw = [];
  const cdpLines = [];
  page.on('console', (m) => pw.push({ type: m.type(), text: m.text() }));
  const cdp = await context.newCDPSession(page);
  cdp.on('Log.entryAdded', ({ entry }) => cdpLines.push({ source: entry.source, level: entry.level, text: entry.text }));
  await cdp.send('Log.enable');
  await page.goto(pageUrl, { waitUntil: 'load', timeout: 15000 });
  await sleep(100);
  pw.length = 0; cdpLines.length = 0; // drop page-load noise
  const takeConsole = (what) => {
    const pwText = pw.splice(0).map((m) => m.text);
    const cdpText = cdpLines.splice(0).map((m) => m.text);
    // Every CDP Log line must have reached Playwright's console event too.
    const missing = cdpText.filter((t) => !pwText.includes(t));
    if (!missing.length) { stats.viaPlaywright++; return pwText; }
    log(`[chromium] ${what}: ${missing.length} CDP Log line(s) not seen by page.on('console'), using CDP Log.entryAdded: ${JSON.stringify(missing)}`);
    stats.viaCdpOnly++;
    return [...new Set([...pwText, ...cdpText])];
  };
  let result;
  try {
    result = await run({ page, takeConsole });
  } finally {
    await context.close(); // writes the HAR
  }
  if (!fs.existsSync(harFile)) throw new Error(`Playwright wrote no HAR at ${harFile}`);
  return result;
}
