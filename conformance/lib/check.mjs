// `cors-doctor check --browser B` as a "browser" of the runner (check-chromium, check-firefox, check-webkit): each scenario's
// request goes through the real binary (the probe, over the network, to the
// same recording servers the browsers used), with --resolve mapping every
// scenario host to loopback. The recorded JSON document is compared with the
// browsers' recordings by compare-check.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
export const CHECK_BIN = process.env.CORS_DOCTOR_BIN || path.join(REPO, 'target', 'release', 'cors-doctor');

// What `check` cannot express, by scenario: the runner records the reason
// instead of a result, and the comparison counts it as not applicable.
export function notExpressible(sc) {
  const init = sc.request.init || {};
  if (!/^https?:/i.test(sc.request.url)) return `the target ${sc.request.url.split(':')[0]}: URL is not an http(s) URL`;
  if (init.redirect) return `fetch() redirect mode '${init.redirect}' has no check option`;
  const spaces = sc.chromiumAddressSpaces || {};
  if (Object.keys(spaces).some((k) => k !== 'P1')) return 'the target port is overridden to another address space; check takes the target space from the resolved address (loopback)';
  return null;
}

function hostsOf(sc, ports) {
  const urls = [sc.page, sc.request.url];
  for (const r of sc.routes || []) {
    urls.push(r.url);
    for (const [k, v] of r.headers || []) if (k.toLowerCase() === 'location') urls.push(v);
  }
  const out = new Set();
  for (const u of urls) {
    try {
      const x = new URL(u.replace(/\{(P[123])\}/g, (_, k) => String(ports[k])), 'http://invalid.test/');
      if (x.hostname && x.hostname !== 'invalid.test') out.add(`${x.hostname}:${x.port || (x.protocol === 'https:' ? 443 : 80)}`);
    } catch { /* not a URL: a malformed Location is part of a scenario */ }
  }
  return [...out];
}

export function checkArgs(sc, page, request, cert, browser) {
  const args = ['check', request.url, '--page', `${page}/`, '--json', '--no-second-origin', '--browser', browser, '--cacert', cert, '--timeout', '5'];
  for (const hp of hostsOf(sc, sc.ports)) args.push('--resolve', `${hp}:127.0.0.1`);
  args.push('-X', request.method || 'GET');
  for (const [n, v] of request.headers || []) args.push('-H', `${n}: ${v}`);
  if (typeof request.body === 'string') args.push('-d', request.body);
  if (request.credentials) args.push('--credentials', request.credentials);
  if (request.mode) args.push('--mode', request.mode);
  args.push('--initiator', request.api === 'xhr' ? 'xhr' : 'fetch');
  if (request.xhrUploadListener) args.push('--upload-listener');
  const spaces = sc.chromiumAddressSpaces;
  if (spaces && spaces.P1) args.push('--page-address-space', spaces.P1);
  const target = request.init && request.init.targetAddressSpace;
  if (target) args.push('--target-address-space', target);
  return args;
}

export class CheckDriver {
  // One browser per run: a check for several browsers sends each one's
  // preflight, and the server log must hold only what this browser would send.
  constructor({ cert, browser }) {
    this.cert = cert;
    this.browser = browser;
    this.singleShot = true; // a fresh process has no preflight cache: only the first request compares
  }

  notExpressible(sc) { return notExpressible(sc); }

  async start() {
    if (!fs.existsSync(CHECK_BIN)) throw new Error(`${CHECK_BIN} not found: run \`cargo build --release\` or set CORS_DOCTOR_BIN`);
  }

  async version() {
    return new Promise((resolve) => execFile(CHECK_BIN, ['--version'], (e, out) => resolve(e ? 'cors-doctor (unknown version)' : out.trim())));
  }

  notes() { return `cors-doctor check --browser ${this.browser} --json, one process per scenario, hosts mapped with --resolve`; }

  async openPage(page) { return { page }; }

  async runInPage(handle, request, _probe, timeoutMs, sc) {
    const args = checkArgs(sc, handle.page, request, this.cert, this.browser);
    return new Promise((resolve) => {
      execFile(CHECK_BIN, args, { timeout: timeoutMs, maxBuffer: 8 << 20, env: { ...process.env, NO_COLOR: '1', HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' } }, (error, stdout, stderr) => {
        let doc = null;
        try { doc = JSON.parse(stdout); } catch { /* reported below */ }
        const browsers = {};
        for (const [b, v] of Object.entries(doc?.browsers || {})) browsers[b] = { verdict: v.verdict, console: v.console };
        const shown = args.map((a) => (a === this.cert ? path.relative(REPO, a) : a));
        resolve({ exit: error ? (error.code ?? "killed") : 0, args: shown, browsers, stderr: doc ? undefined : stderr.slice(0, 2000) });
      });
    });
  }

  async drain() { return { console: [] }; }

  async closePage() {}

  async stop() {}
}
