// The self-signed certificate both recorders serve their https pages with
// (conformance/.cache, not committed).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export function ensureCert(HERE) {
  const dir = path.join(HERE, '.cache');
  // v2: every scenario host named exactly (webpki, used by `check`, does not
  // match `*.test` against a single-label suffix); v1 files are ignored.
  const key = path.join(dir, 'test-key-v2.pem');
  const cert = path.join(dir, 'test-cert-v2.pem');
  if (!fs.existsSync(key) || !fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=cors-doctor conformance test',
      '-addext', 'subjectAltName=DNS:app.test,DNS:api.test,DNS:other.test,DNS:www.app.test,DNS:*.test,DNS:localhost,DNS:api.localhost,DNS:*.api.test,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert), certPath: cert };
}
