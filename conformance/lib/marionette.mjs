// Minimal Marionette (Firefox remote protocol, v3) client: "<len>:<json>" framing,
// commands [0, id, name, params], responses [1, id, error, result].
import net from 'node:net';

export class Marionette {
  async connect(port, host = '127.0.0.1', timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this._connectOnce(port, host);
        return this.hello;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`Marionette connect failed: ${e.message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
  _connectOnce(port, host) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, host);
      this.buf = Buffer.alloc(0);
      this.pending = new Map();
      this.id = 0;
      let greeted = false;
      sock.on('error', (e) => { if (!greeted) reject(e); else this._failAll(e); });
      sock.on('close', () => { this.closed = true; this._failAll(new Error('Marionette connection closed')); });
      sock.on('data', (d) => {
        this.buf = Buffer.concat([this.buf, d]);
        for (;;) {
          const colon = this.buf.indexOf(0x3a);
          if (colon < 0) break;
          const len = Number(this.buf.subarray(0, colon).toString());
          if (this.buf.length < colon + 1 + len) break;
          const msg = JSON.parse(this.buf.subarray(colon + 1, colon + 1 + len).toString('utf8'));
          this.buf = this.buf.subarray(colon + 1 + len);
          if (!greeted) { greeted = true; this.hello = msg; this.sock = sock; this.closed = false; resolve(); continue; }
          if (Array.isArray(msg) && msg[0] === 1) {
            const p = this.pending.get(msg[1]);
            if (p) {
              this.pending.delete(msg[1]);
              if (msg[2]) p.reject(Object.assign(new Error(`${msg[2].error}: ${msg[2].message}`), { marionette: msg[2] }));
              else p.resolve(msg[3]);
            }
          }
        }
      });
    });
  }
  _failAll(e) { for (const p of this.pending?.values() || []) p.reject(e); this.pending?.clear(); }
  send(name, params = {}, timeoutMs = 30000) {
    if (this.closed) return Promise.reject(new Error('Marionette connection closed'));
    const id = ++this.id;
    const data = Buffer.from(JSON.stringify([0, id, name, params]), 'utf8');
    this.sock.write(`${data.length}:`);
    this.sock.write(data);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.pending.delete(id); reject(new Error(`Marionette ${name} timed out`)); }, timeoutMs);
      this.pending.set(id, { resolve: (v) => { clearTimeout(t); resolve(v); }, reject: (e) => { clearTimeout(t); reject(e); } });
    });
  }
  close() { try { this.sock.destroy(); } catch {} }
}
