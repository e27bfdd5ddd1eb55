// Dual-protocol (http + https on the same port) recording test servers.
// One http.Server and one https.Server handle every connection; a net.Server per
// port peeks at the first byte (0x16 = TLS handshake) and hands the socket over.
import net from 'node:net';
import http from 'node:http';
import https from 'node:https';

const BLANK_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>cors-doctor conformance</title><link rel="icon" href="data:,"></head><body>cors-doctor conformance page</body></html>';

export class ServerPool {
  constructor({ key, cert }) {
    this.listeners = new Map(); // port -> { server, sockets:Set }
    this.config = new Map(); // port -> { routes, pageHostPort }
    this.log = []; // all requests received (global, sequence ordered)
    this.seq = 0;
    const handler = (req, res) => this._handle(req, res);
    this.http = http.createServer({ keepAliveTimeout: 5000, insecureHTTPParser: true }, handler);
    this.https = https.createServer({ key, cert, keepAliveTimeout: 5000, insecureHTTPParser: true }, handler);
    for (const s of [this.http, this.https]) {
      s.on('clientError', (err, sock) => { try { sock.destroy(); } catch {} });
    }
    this.https.on('tlsClientError', () => {});
  }

  async listen(port) {
    if (this.listeners.has(port)) return;
    const sockets = new Set();
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      sock.once('data', (buf) => {
        sock.pause();
        sock.unshift(buf);
        const target = buf[0] === 0x16 ? this.https : this.http;
        target.emit('connection', sock);
        process.nextTick(() => sock.resume());
      });
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    this.listeners.set(port, { server, sockets });
  }

  // Drop keep-alive connections (so nothing from one scenario is reused by the next)
  // and stop listening on ports that are not in keepPorts.
  async closeAll() {
    const closing = [];
    for (const [port, { server, sockets }] of this.listeners) {
      for (const s of sockets) s.destroy();
      closing.push(new Promise((r) => server.close(() => r())));
    }
    this.listeners.clear();
    this.config.clear();
    await Promise.all(closing);
  }

  configure(port, routes) { this.config.set(port, { routes }); }

  mark() { return this.seq; }
  since(mark) { return this.log.filter((e) => e.seq > mark); }

  _handle(req, res) {
    const localPort = req.socket.localPort ?? req.socket._parent?.localPort;
    const scheme = req.socket.encrypted ? 'https' : 'http';
    const host = req.headers.host || '';
    const raw = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const entry = {
      seq: ++this.seq,
      t: Date.now(),
      port: localPort,
      scheme,
      method: req.method,
      url: `${scheme}://${host}${req.url}`,
      path: req.url,
      httpVersion: req.httpVersion,
      rawHeaders: raw,
    };
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length) entry.body = body.toString('utf8').slice(0, 2000);
      this._respond(entry, req, res);
    });
  }

  _respond(entry, req, res) {
    const cfg = this.config.get(entry.port) || { routes: [] };
    // favicon is noise: answer 404 and do not log it
    const route = cfg.routes.find((r) => routeMatches(r, entry));
    if (!route && req.url === '/favicon.ico') {
      res.writeHead(404, ['Content-Length', '0']);
      return res.end();
    }
    this.log.push(entry);
    if (route) {
      entry.route = route.__index;
      const body = route.body == null ? '' : String(route.body);
      const buf = Buffer.from(body, 'utf8');
      const flat = [];
      let hasLen = false;
      for (const [k, v] of route.headers || []) {
        flat.push(k, v);
        if (k.toLowerCase() === 'content-length') hasLen = true;
      }
      const noBody = route.status === 204 || route.status === 304 || (route.status >= 100 && route.status < 200) || req.method === 'HEAD';
      if (!hasLen && !noBody) flat.push('Content-Length', String(buf.length));
      try {
        res.writeHead(route.status, flat);
        res.end(noBody ? undefined : buf);
      } catch (e) {
        entry.responseError = String(e && e.message || e);
        try { res.destroy(); } catch {}
      }
      return;
    }
    if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?'))) {
      entry.route = 'page';
      const buf = Buffer.from(BLANK_PAGE);
      res.writeHead(200, ['Content-Type', 'text/html; charset=utf-8', 'Content-Length', String(buf.length), 'Cache-Control', 'no-store']);
      return res.end(buf);
    }
    entry.route = null;
    const buf = Buffer.from('no route');
    res.writeHead(404, ['Content-Type', 'text/plain', 'Content-Length', String(buf.length)]);
    res.end(buf);
  }
}

function routeMatches(route, entry) {
  if (route.method !== '*' && route.method !== entry.method) return false;
  // route.url is absolute; compare host:port + path (scheme also compared)
  let u;
  try { u = new URL(route.url); } catch { return false; }
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (Number(port) !== entry.port) return false;
  if (u.protocol.replace(':', '') !== entry.scheme) return false;
  const hostHeader = entry.url.slice(entry.scheme.length + 3).split('/')[0].toLowerCase();
  const wantHost = `${u.hostname}:${port}`.toLowerCase();
  const hostOnly = hostHeader.replace(/:\d+$/, '');
  if (hostHeader !== wantHost && !(hostOnly === u.hostname.toLowerCase() && !hostHeader.includes(':'))) return false;
  return (u.pathname + u.search) === entry.path;
}
