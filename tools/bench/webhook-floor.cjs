// The floor of a webhook acknowledgement: a bare Fastify server (the gateway's framework) that reads
// the body as bytes and answers 200, nothing else, in its own process like the gateway. What the
// gateway's receiver costs above this is verification, dedupe and queueing. Prints "listening <port>".
const Fastify = require('fastify');

const server = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
server.removeAllContentTypeParsers();
server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
server.post('/v1/webhooks/:source', async () => ({ received: true }));
server.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log(`listening ${server.server.address().port}`));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
