// Firefox driver: Marionette (WebDriver classic over Firefox's own TCP protocol) for
// navigation, script and chrome-context console reading; WebDriver BiDi log.entryAdded
// (same session, webSocketUrl capability) recorded alongside for comparison.
// All traffic goes through the loopback-only proxy in lib/servers.mjs.
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { Marionette } from './marionette.mjs';
import { runRequestInPage } from './pagescript.mjs';

export const FIREFOX_BIN = process.env.FIREFOX_BIN || '/usr/lib/firefox-esr/firefox-esr';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

function prefs(marionettePort, proxyPort, extraPrefs = {}) {
  const p = {
    'marionette.port': marionettePort,
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.share_proxy_settings': false,
    'network.proxy.allow_hijacking_localhost': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.socks': '',
    'network.trr.mode': 5,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.http.speculative-parallel-limit': 0,
    'network.http.http3.enable': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    // keep http pages http (HTTPS-First would otherwise try TLS on our dual-protocol ports)
    'dom.security.https_first': false,
    'dom.security.https_first_schemeless': false,
    'dom.security.https_first_pbm': false,
    'dom.security.https_only_mode': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage': 'about:blank',
    'browser.startup.page': 0,
    'browser.newtabpage.enabled': false,
    'app.update.disabledForTesting': true,
    'app.update.auto': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.server': '',
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'services.settings.server': 'http://127.0.0.1:9/',
    'security.OCSP.enabled': 0,
    'browser.ping-centre.telemetry': false,
    'browser.tabs.warnOnClose': false,
    'devtools.console.stdout.content': false,
    'remote.prefs.recommended': true,
    ...extraPrefs,
  };
  return Object.entries(p).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n';
}

// Runs in Firefox's parent process (Marionette chrome context).
const READ_CONSOLE = `
  const out = [];
  for (const m of Services.console.getMessageArray() || []) {
    let e;
    try { e = m.QueryInterface(Ci.nsIScriptError); } catch (_) { e = null; }
    if (e) {
      const lvl = (e.flags & Ci.nsIScriptError.warningFlag) ? 'warning' : (e.flags & Ci.nsIScriptError.infoFlag) ? 'info' : 'error';
      out.push({ kind: 'nsIScriptError', level: lvl, category: e.category, text: e.errorMessage, sourceName: e.sourceName, innerWindowID: e.innerWindowID, isFromPrivateWindow: e.isFromPrivateWindow, timeStamp: e.timeStamp });
    } else {
      out.push({ kind: 'nsIConsoleMessage', level: 'log', text: m.message, timeStamp: m.timeStamp });
    }
  }
  Services.console.reset();
  return out;
`;

export class FirefoxDriver {
  constructor(opts = {}) { this.opts = opts; }

  async start() {
    // the loopback-only forward proxy is part of the recording server pool (lib/servers.mjs)
    // (opts.proxyPort: a proxy of the caller's own, e.g. record-har.mjs; opts.extraPrefs /
    // opts.extraArgs: added to user.js / the command line)
    const proxyPort = this.opts.proxyPort || this.opts.pool.proxyPort || await this.opts.pool.listenProxy();
    this.mPort = await freePort();
    this.bidiPort = await freePort();
    this.profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-firefox-'));
    fs.writeFileSync(path.join(this.profile, 'user.js'), prefs(this.mPort, proxyPort, this.opts.extraPrefs));
    this.proc = spawn(FIREFOX_BIN, ['--headless', '--marionette', '--remote-allow-system-access', '--no-remote', '--remote-debugging-port', String(this.bidiPort), '--profile', this.profile, ...(this.opts.extraArgs || []), 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_HEADLESS: '1' },
    });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    this.m = new Marionette();
    await this.m.connect(this.mPort, '127.0.0.1', 45000);
    const sess = await this.m.send('WebDriver:NewSession', { acceptInsecureCerts: true, webSocketUrl: true, pageLoadStrategy: 'normal' }, 60000);
    this.caps = sess.capabilities;
    this.versionString = `Firefox/${this.caps.browserVersion}`;
    await this.m.send('WebDriver:SetTimeouts', { script: 30000, pageLoad: 8000 });
    this.bidiLog = [];
    this.bidiNote = null;
    if (this.caps.webSocketUrl) {
      try { await this._bidi(this.caps.webSocketUrl); } catch (e) { this.bidiNote = `BiDi unavailable: ${e.message}`; }
    } else this.bidiNote = 'no webSocketUrl in session capabilities';
    if (!this.bidiNote) {
      // self-check: does BiDi log.entryAdded deliver a plain console.log from content?
      await this.m.send('WebDriver:ExecuteScript', { script: 'console.log("cors-doctor bidi self-check"); return 1;', args: [] });
      await new Promise((r) => setTimeout(r, 300));
      const ok = this.bidiLog.some((e) => e.text && e.text.includes('cors-doctor bidi self-check'));
      this.bidiNote = ok ? 'BiDi log.entryAdded works (console.log self-check received)' : 'BiDi log.entryAdded subscribed but self-check console.log not received';
      this.bidiLog.length = 0;
    }
  }

  async _bidi(url) {
    this.ws = new WebSocket(url);
    await new Promise((res, rej) => { this.ws.once('open', res); this.ws.once('error', rej); });
    let id = 0;
    const pending = new Map();
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); return; }
      if (msg.method === 'log.entryAdded') {
        const p = msg.params;
        this.bidiLog.push({ type: p.type, level: p.level, text: p.text, method: p.method, source: p.source?.context ? 'context' : undefined });
      }
    });
    const send = (method, params) => new Promise((r) => { const i = ++id; pending.set(i, r); this.ws.send(JSON.stringify({ id: i, method, params })); });
    const r = await send('session.subscribe', { events: ['log.entryAdded'] });
    if (r.type === 'error' || r.error) throw new Error(`session.subscribe: ${r.error} ${r.message}`);
  }

  async version() { return this.versionString; }

  notes() { return { consoleCapture: 'Marionette chrome context: Services.console.getMessageArray() (nsIScriptError), reset before each request', bidi: this.bidiNote }; }

  async _chrome(script, args = []) {
    await this.m.send('Marionette:SetContext', { value: 'chrome' });
    try { return (await this.m.send('WebDriver:ExecuteScript', { script, args })).value; } finally { await this.m.send('Marionette:SetContext', { value: 'content' }); }
  }

  async openPage(pageUrl) {
    this.opts.pool?.dropProxyConnections();
    await this.m.send('WebDriver:Navigate', { url: pageUrl }, 15000);
    await new Promise((r) => setTimeout(r, 50));
    await this._chrome(READ_CONSOLE); // discard page-load noise
    this.bidiLog.length = 0;
    return { pageUrl };
  }

  async runInPage(h, req, probe, timeoutMs) {
    const script = `return (${runRequestInPage.toString()}).apply(null, arguments);`;
    return (await this.m.send('WebDriver:ExecuteScript', { script, args: [req, probe, timeoutMs] }, timeoutMs + 5000)).value;
  }

  async drain(h) {
    const all = await this._chrome(READ_CONSOLE);
    // keep content-related messages; drop parent-process chrome noise
    const console = all.filter((m) => !(m.sourceName && /^(chrome|resource|moz-extension):/.test(m.sourceName)) && !(m.kind === 'nsIConsoleMessage'))
      .map(({ timeStamp, isFromPrivateWindow, ...m }) => m);
    const dropped = all.length - console.length;
    const out = { console, bidiLog: this.bidiLog.splice(0) };
    if (dropped) out.consoleDropped = all.filter((m) => !console.includes(m)).map((m) => m.text).slice(0, 5);
    return out;
  }

  async closePage() {
    try { await this.m.send('WebDriver:Navigate', { url: 'about:blank' }, 5000); } catch {}
  }

  async stop() {
    try { await this.m.send('Marionette:Quit', {}, 5000); } catch {}
    try { this.ws?.close(); } catch {}
    this.m?.close();
    await new Promise((r) => { if (this.proc.exitCode !== null) return r(); const t = setTimeout(() => { try { this.proc.kill('SIGKILL'); } catch {} r(); }, 5000); this.proc.once('exit', () => { clearTimeout(t); r(); }); });
    try { fs.rmSync(this.profile, { recursive: true, force: true }); } catch {}
  }
}
