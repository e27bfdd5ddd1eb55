// Browser-free checks of the recording server and the scenario files:
//   node --test conformance/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { ServerPool } from '../lib/servers.mjs';
import { loadScenarios } from '../lib/scenarios.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function cert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cd-test-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=t', '-keyout', `${dir}/k`, '-out', `${dir}/c`], { stdio: 'ignore' });
  return { key: fs.readFileSync(`${dir}/k`), cert: fs.readFileSync(`${dir}/c`) };
}

function raw(port, text) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => { out += d; if (out.includes('\r\n\r\n') && /Content-Length: (\d+)/.test(out)) { const n = Number(out.match(/Content-Length: (\d+)/)[1]); if (out.length >= out.indexOf('\r\n\r\n') + 4 + n) { s.destroy(); resolve(out); } } });
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
}

test('raw server: any method, duplicate response lines, exact request header log, proxy form', async () => {
  const pool = new ServerPool(cert());
  const port = 47001;
  await pool.listen(port);
  pool.configure(port, [
    { __index: 0, method: 'patch', url: `http://api.test:${port}/r`, status: 200, headers: [['Access-Control-Allow-Origin', 'a'], ['Access-Control-Allow-Origin', ''], ['X-A', '1']], body: 'ok' },
  ]);
  const mark = pool.mark();
  const res = await raw(port, `patch /r HTTP/1.1\r\nHost: api.test:${port}\r\nX-Foo: 1\r\nx-foo: 2\r\nContent-Length: 3\r\n\r\nabc`);
  assert.match(res, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(res, /Access-Control-Allow-Origin: a\r\nAccess-Control-Allow-Origin: \r\n/);
  assert.doesNotMatch(res, /^Date:/m);
  const [e] = pool.since(mark);
  assert.equal(e.method, 'patch');
  assert.deepEqual(e.rawHeaders.slice(1, 3), [['X-Foo', '1'], ['x-foo', '2']]);
  assert.equal(e.body, 'abc');
  assert.equal(e.route, 0);
  // unmatched path → 404, logged with route null
  const r404 = await raw(port, `GET /nope HTTP/1.1\r\nHost: api.test:${port}\r\n\r\n`);
  assert.match(r404, /^HTTP\/1\.1 404/);
  // proxy: absolute-form request answered as if it had arrived on the target port
  const pp = await pool.listenProxy();
  const rp = await raw(pp, `patch http://api.test:${port}/r HTTP/1.1\r\nHost: api.test:${port}\r\nContent-Length: 0\r\n\r\n`);
  assert.match(rp, /X-A: 1/);
  assert.equal(pool.log.at(-1).viaProxy, true);
  await pool.closeAll();
  await pool.closeProxy();
});

test('scenario files: ids unique and kebab-case, at least 150, routes well-formed', () => {
  const all = loadScenarios(path.join(HERE, '..', 'scenarios'));
  assert.ok(all.length >= 150, `only ${all.length} scenarios`);
  for (const s of all) {
    assert.ok(['fetch', 'xhr'].includes(s.request.api), s.id);
    for (const r of s.routes) {
      assert.ok(typeof r.url === 'string' && Number.isInteger(r.status ?? 200), s.id);
      for (const h of r.headers || []) assert.ok(Array.isArray(h) && h.length === 2, s.id);
    }
  }
});

test('harness channel (WebKit driver): harnessed page served, /__cd/ answered by the harness and never logged', async () => {
  const pool = new ServerPool(cert());
  const port = 47003;
  await pool.listen(port);
  pool.configure(port, []);
  const seen = [];
  pool.harness = {
    page: '<!doctype html><script>/*harness*/</script>',
    handle: (entry) => { seen.push(`${entry.method} ${entry.path}`); return { status: 200, type: 'application/json', body: '{"id":"1"}' }; },
  };
  const mark = pool.mark();
  const page = await raw(port, `GET / HTTP/1.1\r\nHost: app.test:${port}\r\n\r\n`);
  assert.match(page, /\/\*harness\*\//);
  const job = await raw(port, `GET /__cd/job HTTP/1.1\r\nHost: app.test:${port}\r\n\r\n`);
  assert.match(job, /\{"id":"1"\}/);
  const result = await raw(port, `POST /__cd/result HTTP/1.1\r\nHost: app.test:${port}\r\nContent-Length: 2\r\n\r\n{}`);
  assert.match(result, /^HTTP\/1\.1 200/);
  assert.deepEqual(seen, ['GET /__cd/job', 'POST /__cd/result']);
  // only the page load is in the server log the comparison reads
  assert.deepEqual(pool.since(mark).map((e) => e.path), ['/']);
  pool.harness = null;
  const plain = await raw(port, `GET / HTTP/1.1\r\nHost: app.test:${port}\r\n\r\n`);
  assert.doesNotMatch(plain, /harness/);
  await pool.closeAll();
});
