// An express application that reproduces one lab endpoint's mistake: every
// request is forwarded to UPSTREAM (the lab) and its answer passed back,
// CORS headers and all. With SNIPPET (the configuration `cors-doctor config
// --target express --from-check …` wrote), the fix is applied as a user
// would: the snippet mounted first, and the application's own
// Access-Control-* headers — the hand-written code it replaces — removed.
// Usage: PORT=… UPSTREAM=http://127.0.0.1:… TLS_CERT=… TLS_KEY=… [SNIPPET=file] node fix_server.js
const fs = require('fs');
const express = require('express');

const app = express();
const fixed = Boolean(process.env.SNIPPET);
if (fixed) {
  new Function('app', 'require', fs.readFileSync(process.env.SNIPPET, 'utf8'))(app, require);
}
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

app.all(/.*/, async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  }
  let answer;
  try {
    answer = await fetch(process.env.UPSTREAM + req.originalUrl, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: 'manual',
    });
  } catch (e) {
    res.status(502).send(String(e));
    return;
  }
  res.status(answer.status);
  answer.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name) || name === 'content-encoding') return;
    if (fixed && name.startsWith('access-control-')) return;
    res.append(name, value);
  });
  res.send(Buffer.from(await answer.arrayBuffer()));
});

// Over HTTPS (TLS_CERT and TLS_KEY: PEM files): the pages are https, and
// WebKit blocks an https page's request to an http loopback URL as mixed
// content whatever the CORS headers say.
const server = require('https')
  .createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }, app)
  .listen(Number(process.env.PORT), '127.0.0.1', () => {
    console.log(`listening on https://127.0.0.1:${server.address().port}`);
  });
