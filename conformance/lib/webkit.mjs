// WebKit driver: WebKitGTK's MiniBrowser (Debian's libwebkit2gtk-4.1-0), the same WebCore
// CORS code and console wording as Safari, on a private X display (Xvfb).
//
// No WebDriver: WebKitWebDriver's automation web views do not honour MiniBrowser's
// --enable-write-console-messages-to-stdout, and nothing else hands out WebKit's console.
// Instead each scenario gets a fresh MiniBrowser process and profile (nothing carries
// over) that opens the scenario's page; the pool serves that page with a small harness
// script which asks the pool for the next request (`/__cd/job`, same-origin, not logged),
// runs it with the same in-page code as the other drivers, and posts what script saw
// (`/__cd/result`). The browser writes console messages to stdout, one line each
// ("CONSOLE SECURITY ERROR …"), line-buffered through stdbuf so that each request's lines
// can be told apart. All traffic goes through the pool's loopback-only proxy, as Firefox's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { BLANK_PAGE } from './servers.mjs';
import { runRequestInPage } from './pagescript.mjs';

export const MINIBROWSER_BIN = process.env.MINIBROWSER_BIN || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function harnessPage() {
  const script = `(async () => {
  const run = ${runRequestInPage.toString()};
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  for (;;) {
    let job = null;
    try { job = await (await fetch('/__cd/job', { cache: 'no-store' })).json(); } catch (e) { await pause(50); continue; }
    if (!job || !job.id) { await pause(10); continue; }
    let out;
    try { out = await run(job.req, job.probe, job.timeoutMs); } catch (e) { out = { outcome: 'error', errorName: 'HarnessError', error: String(e) }; }
    await fetch('/__cd/result', { method: 'POST', body: JSON.stringify({ id: job.id, out }) });
  }
})();`;
  return BLANK_PAGE.replace('</body>', `<script>${script}</script></body>`);
}

// One console line as MiniBrowser prints it: "[url:line:col: ]CONSOLE <SOURCE> <LEVEL> <text>".
const CONSOLE_LINE = /(?:^|: )CONSOLE (\w+) (\w+) (.*)$/;

async function freeDisplay() {
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n++) {
    if (!fs.existsSync(`/tmp/.X11-unix/X${n}`) && !fs.existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number');
}

export class WebKitDriver {
  constructor(opts = {}) {
    this.opts = opts;
    this.pool = opts.pool;
  }

  async start() {
    this.proxyPort = this.pool.proxyPort || await this.pool.listenProxy();
    const n = await freeDisplay();
    this.xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !fs.existsSync(`/tmp/.X11-unix/X${n}`); i++) await sleep(50);
    if (!fs.existsSync(`/tmp/.X11-unix/X${n}`)) throw new Error(`Xvfb :${n} did not start`);
    this.display = `:${n}`;
    this.versionString = `WebKitGTK/${execFileSync(MINIBROWSER_BIN, ['--version'], { env: this._env() }).toString().trim().replace(/^WebKitGTK\s*/i, '')}`;
    this.pool.harness = {
      page: harnessPage(),
      handle: (entry) => this._handle(entry),
    };
  }

  _env() {
    return { ...process.env, DISPLAY: this.display, NO_AT_BRIDGE: '1', GTK_A11Y: 'none', WEBKIT_DISABLE_COMPOSITING_MODE: '1' };
  }

  _handle(entry) {
    if (entry.path.startsWith('/__cd/job')) {
      const h = this.current;
      if (h) h.ready = true;
      const job = h && h.job && !h.job.taken ? h.job : null;
      if (job) job.taken = true;
      return { status: 200, type: 'application/json', body: JSON.stringify(job ? { id: job.id, req: job.req, probe: job.probe, timeoutMs: job.timeoutMs } : {}) };
    }
    if (entry.path === '/__cd/result' && entry.method === 'POST') {
      const h = this.current;
      try {
        const { id, out } = JSON.parse(entry.body || '{}');
        if (h && h.job && h.job.id === id) h.job.resolve(out);
      } catch { /* a truncated body: the request's own timeout reports it */ }
      return { status: 204, type: 'text/plain', body: '' };
    }
    return { status: 404, type: 'text/plain', body: 'no such harness path' };
  }

  async version() { return this.versionString; }

  notes() { return { consoleCapture: 'MiniBrowser --enable-write-console-messages-to-stdout (one process and profile per scenario), page driven by an in-page harness over same-origin /__cd/ requests', display: 'Xvfb' }; }

  async openPage(pageUrl) {
    const h = { lines: [], partial: '', ready: false, job: null, seq: 0 };
    this.current = h;
    // Not --private: MiniBrowser's private window ignores the console setting. A fresh
    // profile per scenario instead (XDG dirs), and a fresh process has no memory caches.
    h.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-webkit-'));
    const args = ['--ignore-tls-errors', `--proxy=http://127.0.0.1:${this.proxyPort}`, '--enable-write-console-messages-to-stdout=true', pageUrl];
    h.proc = spawn('stdbuf', ['-oL', '-eL', MINIBROWSER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...this._env(), HOME: h.profile, XDG_DATA_HOME: h.profile, XDG_CACHE_HOME: h.profile, XDG_CONFIG_HOME: h.profile }, detached: true });
    const take = (d) => {
      const text = h.partial + d.toString('utf8');
      const parts = text.split('\n');
      h.partial = parts.pop();
      for (const l of parts) {
        if (process.env.CD_WEBKIT_RAW) process.stderr.write('RAW ' + l + '\n');
        const m = CONSOLE_LINE.exec(l);
        if (m) h.lines.push({ source: m[1].toLowerCase(), level: m[2].toLowerCase(), text: m[3] });
      }
    };
    h.proc.stdout.on('data', take);
    h.proc.stderr.on('data', take);
    const t0 = Date.now();
    while (!h.ready) {
      if (h.proc.exitCode !== null) throw new Error(`MiniBrowser exited with ${h.proc.exitCode} before the page was ready`);
      if (Date.now() - t0 > 8000) throw new Error('the harnessed page did not ask for a job within 8 s');
      await sleep(10);
    }
    h.lines.length = 0; // page-load noise
    return h;
  }

  async runInPage(h, req, probe, timeoutMs) {
    const id = `${process.pid}-${++h.seq}`;
    const result = new Promise((resolve) => { h.job = { id, req, probe, timeoutMs, resolve }; });
    return await result;
  }

  async drain(h) {
    const console = h.lines.splice(0).filter((m) => !(m.source === 'js' && m.level === 'log'));
    return { console };
  }

  async closePage(h) {
    this.current = null;
    if (!h || !h.proc) return;
    try { process.kill(-h.proc.pid, 'SIGKILL'); } catch {}
    await new Promise((r) => { if (h.proc.exitCode !== null || h.proc.signalCode) return r(); const t = setTimeout(r, 2000); h.proc.once('exit', () => { clearTimeout(t); r(); }); });
    try { fs.rmSync(h.profile, { recursive: true, force: true }); } catch {}
  }

  async stop() {
    this.pool.harness = null;
    try { this.xvfb?.kill('SIGKILL'); } catch {}
  }
}
