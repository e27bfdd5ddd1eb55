// Runs the express configuration `cors-doctor config --target express`
// wrote (SNIPPET, a file that uses `app` and `require`), in front of test
// routes: /…/missing answers 404, /…/fail throws (express's own 500), the
// rest 200. Usage: PORT=… SNIPPET=file node config_server.js
const fs = require('fs');
const express = require('express');

const app = express();
new Function('app', 'require', fs.readFileSync(process.env.SNIPPET, 'utf8'))(app, require);
app.all(/\/missing$/, (req, res) => res.status(404).send('missing'));
app.all(/\/fail$/, () => { throw new Error('boom'); });
app.all(/.*/, (req, res) => { res.set('X-Request-Id', '42'); res.send('ok'); });

const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
