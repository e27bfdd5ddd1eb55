// Recording test servers with a hand-written HTTP/1.1 parser (Node's http module rejects
// methods such as "patch" or "FOO", adds headers of its own and validates values; the
// conformance suite needs exact control). Every port speaks http and https at once: the
// first byte of a connection (0x16 = TLS handshake) decides.
//
// The same pool also serves as the loopback-only forward proxy for Firefox (listenProxy):
// absolute-form requests ("GET http://api.test:20001/r HTTP/1.1") are answered in-process as
// if they had arrived on port 20001; CONNECT host:port is tunnelled to 127.0.0.1:port.
//
// With `pool.harness` set, the page at `/` carries the harness's script and `/__cd/*` is the
// harness's own channel (see lib/webkit.mjs); neither is logged.
import net from 'node:net';
import tls from 'node:tls';

export const BLANK_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>cors-doctor conformance</title><link rel="icon" href="data:,"></head><body>cors-doctor conformance page</body></html>';
const REASONS = { 200: 'OK', 201: 'Created', 204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 502: 'Bad Gateway' };

export class ServerPool {
  constructor({ key, cert }) {
    this.listeners = new Map(); // port -> { server, sockets:Set }
    this.config = new Map(); // port -> { routes }
    this.log = [];
    this.seq = 0;
    this.tls = tls.createServer({ key, cert }, (s) => this._serve(s, 'https', s.localPort ?? s._parent?._cdPort, false));
    this.tls.on('tlsClientError', () => {});
  }

  _accept(port, isProxy) {
    const sockets = new Set();
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      sock.once('data', (buf) => {
        sock.pause();
        sock.unshift(buf);
        if (buf[0] === 0x16 && !isProxy) {
          sock._cdPort = port;
          this.tls.emit('connection', sock);
        } else {
          this._serve(sock, 'http', port, isProxy);
        }
        process.nextTick(() => sock.resume());
      });
    });
    return { server, sockets };
  }

  async listen(port) {
    if (this.listeners.has(port)) return;
    const l = this._accept(port, false);
    await new Promise((resolve, reject) => {
      l.server.once('error', reject);
      l.server.listen(port, '127.0.0.1', () => { l.server.off('error', reject); resolve(); });
    });
    this.listeners.set(port, l);
  }

  async listenProxy() {
    this.proxy = this._accept(0, true);
    await new Promise((r) => this.proxy.server.listen(0, '127.0.0.1', r));
    this.proxyPort = this.proxy.server.address().port;
    return this.proxyPort;
  }

  dropProxyConnections() { for (const s of this.proxy?.sockets || []) s.destroy(); }

  async closeProxy() {
    if (!this.proxy) return;
    this.dropProxyConnections();
    await new Promise((r) => this.proxy.server.close(() => r()));
    this.proxy = null;
  }

  // Drop keep-alive connections (nothing from one scenario is reused by the next) and stop listening.
  async closeAll() {
    const closing = [];
    for (const [, { server, sockets }] of this.listeners) {
      for (const s of sockets) s.destroy();
      closing.push(new Promise((r) => server.close(() => r())));
    }
    this.listeners.clear();
    this.config.clear();
    this.dropProxyConnections();
    await Promise.all(closing);
  }

  configure(port, routes) { this.config.set(port, { routes }); }
  mark() { return this.seq; }
  since(mark) { return this.log.filter((e) => e.seq > mark); }

  _serve(sock, scheme, port, isProxy) {
    let buf = Buffer.alloc(0);
    let busy = false;
    sock.on('error', () => {});
    const pump = () => {
      if (busy) return;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) { if (buf.length > 65536) sock.destroy(); return; }
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        const [method, target, version] = lines[0].split(' ');
        const rawHeaders = lines.slice(1).filter((l) => l.length).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i), l.slice(i + 1).trim()]; });
        const get = (n) => rawHeaders.find(([k]) => k.toLowerCase() === n)?.[1];
        let rest = buf.subarray(end + 4);
        let body = Buffer.alloc(0);
        if (isProxy && method === 'CONNECT') {
          buf = Buffer.alloc(0);
          sock.removeAllListeners('data');
          this._tunnel(sock, target, rest);
          return;
        }
        const te = get('transfer-encoding');
        if (te && /chunked/i.test(te)) {
          const parsed = dechunk(rest);
          if (!parsed) return; // need more data
          body = parsed.body; rest = parsed.rest;
        } else {
          const cl = Number(get('content-length') || 0);
          if (rest.length < cl) return;
          body = rest.subarray(0, cl); rest = rest.subarray(cl);
        }
        buf = rest;
        let p = port, sch = scheme, path = target, viaProxy = false;
        if (/^https?:\/\//i.test(target)) {
          const u = new URL(target);
          p = Number(u.port || 80); sch = u.protocol.slice(0, -1); path = u.pathname + u.search; viaProxy = isProxy;
          if (isProxy && !this.listeners.has(p)) { sock.destroy(); return; } // emulate "connection refused"
        }
        const entry = { seq: ++this.seq, t: Date.now(), port: p, scheme: sch, method, url: `${sch}://${get('host') || ''}${path}`, path, httpVersion: (version || '').replace('HTTP/', ''), rawHeaders };
        if (viaProxy) entry.viaProxy = true;
        if (body.length) entry.body = body.toString('utf8').slice(0, 2000);
        const out = this._respond(entry);
        if (out.fault) { breakConnection(sock, out); return; }
        sock.write(out);
        if ((get('connection') || '').toLowerCase() === 'close') { sock.end(); return; }
      }
    };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); pump(); });
  }

  _tunnel(sock, target, head) {
    const port = Number(target.split(':').pop() || 443);
    if (!this.listeners.has(port)) { sock.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'); return; }
    const up = net.connect(port, '127.0.0.1', () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(sock);
      sock.pipe(up);
    });
    this.proxy?.sockets.add(up);
    up.on('close', () => { this.proxy?.sockets.delete(up); sock.destroy(); });
    up.on('error', () => sock.destroy());
    sock.on('close', () => up.destroy());
  }

  _respond(entry) {
    const cfg = this.config.get(entry.port) || { routes: [] };
    const route = cfg.routes.find((r) => routeMatches(r, entry));
    const noBodyFor = (st) => st === 204 || st === 304 || (st >= 100 && st < 200) || entry.method === 'HEAD';
    const build = (status, headers, body) => {
      const b = Buffer.from(body || '', 'utf8');
      const lines = [`HTTP/1.1 ${status} ${REASONS[status] || 'Status'}`];
      let hasLen = false;
      for (const [k, v] of headers) { lines.push(`${k}: ${v}`); if (k.toLowerCase() === 'content-length') hasLen = true; }
      if (!hasLen && !(status === 204 || status === 304)) lines.push(`Content-Length: ${noBodyFor(status) && entry.method !== 'HEAD' ? 0 : b.length}`);
      return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), noBodyFor(status) ? Buffer.alloc(0) : b]);
    };
    if (!route && entry.path === '/favicon.ico') return build(404, [], ''); // noise: not logged
    // A harnessed page (lib/webkit.mjs) asks for its next request and hands back what it saw: not logged.
    if (this.harness && entry.path.startsWith('/__cd/')) {
      const { status, type, body } = this.harness.handle(entry);
      return build(status, [['Content-Type', type], ['Cache-Control', 'no-store']], body);
    }
    this.log.push(entry);
    if (route) {
      entry.route = route.__index;
      if (route.fault) return faulty(route, entry.method);
      return build(route.status, route.headers || [], route.body == null ? '' : String(route.body));
    }
    if (entry.method === 'GET' && (entry.path === '/' || entry.path.startsWith('/?'))) {
      entry.route = 'page';
      return build(200, [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store']], this.harness ? this.harness.page : BLANK_PAGE);
    }
    entry.route = null;
    return build(404, [['Content-Type', 'text/plain']], 'no route');
  }
}

// A route with `fault` misbehaves on purpose (conformance: network-*):
//   reset       – the connection is reset (RST) instead of answered;
//   close       – the connection is closed (FIN) with no byte of response;
//   short-body  – the status line and headers arrive with a Content-Length larger than
//                 the body sent, then the connection closes;
//   cut-chunked – a chunked body whose last chunk never comes, then the connection closes;
//   cut-headers – the status line and headers without the blank line that ends them, then
//                 the connection closes.
function faulty(route, method) {
  const fault = route.fault;
  if (fault === 'reset' || fault === 'close') return { fault };
  const body = Buffer.from(route.body == null ? '' : String(route.body), 'utf8');
  const lines = [`HTTP/1.1 ${route.status} ${REASONS[route.status] || 'Status'}`];
  for (const [k, v] of route.headers || []) lines.push(`${k}: ${v}`);
  let payload = body;
  if (fault === 'cut-headers') return { fault, bytes: Buffer.from(lines.join('\r\n') + '\r\n', 'latin1') };
  if (fault === 'short-body') lines.push(`Content-Length: ${body.length + 100}`);
  else if (fault === 'cut-chunked') {
    lines.push('Transfer-Encoding: chunked');
    payload = Buffer.concat([Buffer.from(body.length.toString(16) + '\r\n', 'latin1'), body, Buffer.from('\r\n', 'latin1')]);
  } else throw new Error(`unknown route fault ${fault}`);
  if (method === 'HEAD') payload = Buffer.alloc(0);
  return { fault, bytes: Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), payload]) };
}

function breakConnection(sock, out) {
  if (out.fault === 'reset') sock.resetAndDestroy();
  else if (out.bytes) sock.end(out.bytes);
  else sock.end();
}

function dechunk(b) {
  const parts = [];
  let i = 0;
  for (;;) {
    const nl = b.indexOf('\r\n', i);
    if (nl < 0) return null;
    const size = parseInt(b.subarray(i, nl).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), rest: Buffer.alloc(0) };
    if (size === 0) {
      let after;
      if (b.length >= nl + 4 && b.subarray(nl + 2, nl + 4).toString('latin1') === '\r\n') after = nl + 4;
      else { const e = b.indexOf('\r\n\r\n', nl + 2); if (e < 0) return null; after = e + 4; }
      return { body: Buffer.concat(parts), rest: b.subarray(after) };
    }
    if (b.length < nl + 2 + size + 2) return null;
    parts.push(b.subarray(nl + 2, nl + 2 + size));
    i = nl + 2 + size + 2;
  }
}

function routeMatches(route, entry) {
  if (route.method !== '*' && route.method !== entry.method) return false;
  let u;
  try { u = new URL(route.url); } catch { return false; }
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (Number(port) !== entry.port) return false;
  if (u.protocol.replace(':', '') !== entry.scheme) return false;
  const hostHeader = entry.url.slice(entry.scheme.length + 3).split('/')[0].toLowerCase();
  const wantHost = `${u.hostname}:${port}`.toLowerCase();
  if (hostHeader !== wantHost && hostHeader !== u.hostname.toLowerCase()) return false;
  return (u.pathname + u.search) === entry.path;
}
