// An express API with the `cors` package, for cors-doctor verify's tests.
// Usage: PORT=… MODE=correct|no-port|auth-before-cors|reflect node server.js
// The allowed page origin is http://app.example.com:3000.
const express = require('express');
const cors = require('cors');

const mode = process.env.MODE || 'correct';
const allowed = mode === 'no-port' ? ['http://app.example.com'] : ['http://app.example.com:3000'];
const options = {
  origin: mode === 'reflect' ? true : allowed,
  credentials: true,
  methods: ['GET', 'PUT'],
  allowedHeaders: ['Content-Type', 'Authorization'],
  exposedHeaders: ['X-Request-Id'],
  maxAge: 600,
};

const app = express();
if (mode === 'auth-before-cors') {
  // The classic: authentication runs first and answers the credential-less preflight.
  app.use((req, res, next) => (req.get('authorization') ? next() : res.status(401).send('login first')));
}
app.use(cors(options));
app.use((req, res, next) => { res.set('X-Request-Id', '42'); next(); });
app.get('/api/items', (req, res) => res.send('items'));
app.put('/api/items', (req, res) => res.send('saved'));
app.use((req, res) => res.status(404).send('not found'));

const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port} (${mode})`);
});
