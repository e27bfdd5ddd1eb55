// Runs the fastify configuration `cors-doctor config --target fastify`
// wrote (SNIPPET, a file that uses `fastify` and `require`), with test
// routes: /…/missing answers 404, /…/fail throws (fastify's own 500), the
// rest 200. Usage: PORT=… SNIPPET=file node config_server_fastify.js
const fs = require('fs');
const fastify = require('fastify')();

new Function('fastify', 'require', fs.readFileSync(process.env.SNIPPET, 'utf8'))(fastify, require);
// Not OPTIONS: @fastify/cors answers it (and HEAD comes with GET).
fastify.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', handler: async (req, reply) => {
  const path = req.url.split('?')[0];
  if (path.endsWith('/missing')) return reply.code(404).send('missing');
  if (path.endsWith('/fail')) throw new Error('boom');
  reply.header('X-Request-Id', '42');
  return 'ok';
} });
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then((address) => {
  console.log(`listening on ${address}`);
});
