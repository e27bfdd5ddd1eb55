// Chromium driver: puppeteer-core over CDP. One browser process, one fresh
// browser context (CDP Target.createBrowserContext: own cookie jar, HTTP cache,
// preflight cache, socket pools) per scenario.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { runRequestInPage } from './pagescript.mjs';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || (fs.existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');

export class ChromiumDriver {
  constructor({ extraArgs = [], label = 'chromium' } = {}) {
    this.extraArgs = extraArgs;
    this.label = label;
  }

  async start() {
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-chromium-'));
    this.args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      `--user-data-dir=${this.profile}`,
      '--host-resolver-rules=MAP * 127.0.0.1',
      '--ignore-certificate-errors',
      ...this.extraArgs,
      'about:blank',
    ];
    this.browser = await puppeteer.launch({
      executablePath: CHROMIUM_BIN,
      ignoreDefaultArgs: true,
      args: this.args,
      headless: true,
      pipe: true,
      protocolTimeout: 30000,
    });
    this.versionString = await this.browser.version();
  }

  async version() { return this.versionString; }

  notes() { return { consoleCapture: 'CDP Log.entryAdded + Runtime.consoleAPICalled + Runtime.exceptionThrown; Audits.issueAdded recorded as issues', args: this.args.filter((a) => !a.startsWith('--user-data-dir')) }; }

  async openPage(pageUrl) {
    // CD_CHROMIUM_DEFAULT_CONTEXT=1: use the default (persistent-profile) context instead of a
    // fresh one per scenario, to check whether a behaviour depends on the context type.
    const useDefault = process.env.CD_CHROMIUM_DEFAULT_CONTEXT === '1';
    const ctx = useDefault ? null : await this.browser.createBrowserContext();
    const page = useDefault ? await this.browser.newPage() : await ctx.newPage();
    const cdp = await page.createCDPSession();
    const h = { ctx, page, cdp, console: [], issues: [] };
    cdp.on('Log.entryAdded', ({ entry }) => {
      const m = { via: 'Log.entryAdded', source: entry.source, level: entry.level, text: entry.text };
      if (entry.url) m.url = entry.url;
      if (entry.networkRequestId) m.networkRequestId = entry.networkRequestId;
      h.console.push(m);
    });
    cdp.on('Runtime.consoleAPICalled', (ev) => {
      h.console.push({ via: 'Runtime.consoleAPICalled', source: 'console-api', level: ev.type, text: ev.args.map((a) => a.value !== undefined ? String(a.value) : (a.description || a.type)).join(' ') });
    });
    cdp.on('Runtime.exceptionThrown', (ev) => {
      h.console.push({ via: 'Runtime.exceptionThrown', source: 'javascript', level: 'error', text: ev.exceptionDetails?.exception?.description || ev.exceptionDetails?.text });
    });
    cdp.on('Audits.issueAdded', ({ issue }) => {
      const out = { code: issue.code };
      const d = issue.details || {};
      if (d.corsIssueDetails) {
        const c = d.corsIssueDetails;
        out.corsError = c.corsErrorStatus?.corsError;
        out.failedParameter = c.corsErrorStatus?.failedParameter;
        out.initiatorOrigin = c.initiatorOrigin;
        out.url = c.request?.url;
        if (c.clientSecurityState) out.clientSecurityState = c.clientSecurityState;
        if (c.resourceIPAddressSpace) out.resourceIPAddressSpace = c.resourceIPAddressSpace;
        if (c.location) out.hasLocation = true;
      } else if (d.mixedContentIssueDetails) {
        const c = d.mixedContentIssueDetails;
        out.mixedContent = { resolutionStatus: c.resolutionStatus, insecureURL: c.insecureURL, mainResourceURL: c.mainResourceURL, resourceType: c.resourceType };
      } else {
        out.details = JSON.parse(JSON.stringify(d));
        delete out.details?.request;
      }
      h.issues.push(out);
    });
    await cdp.send('Log.enable');
    await cdp.send('Runtime.enable');
    try { await cdp.send('Audits.enable'); } catch {}
    await page.goto(pageUrl, { waitUntil: 'load', timeout: 8000 });
    // drop anything printed while loading the page
    h.console.length = 0;
    h.issues.length = 0;
    return h;
  }

  async runInPage(h, req, probe, timeoutMs) {
    return await h.page.evaluate(runRequestInPage, req, probe, timeoutMs);
  }

  drain(h) {
    const out = { console: h.console.splice(0), issues: h.issues.splice(0) };
    return out;
  }

  async closePage(h) {
    try { if (h.ctx) await h.ctx.close(); else await h.page.close(); } catch {}
  }

  async stop() {
    try { await this.browser.close(); } catch {}
    try { fs.rmSync(this.profile, { recursive: true, force: true }); } catch {}
  }
}
