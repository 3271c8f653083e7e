// The transport floor of a cache hit: a bare WebSocket server (the same `ws` library and settings as
// the gateway) that answers every sendMessage frame with a token frame and a done frame, written
// together as the gateway writes a cached answer, and does nothing else. The chat bench runs it as
// its own process, like the gateway, and paces it exactly like the hits: what a hit costs above this
// is the gateway's own work. Prints "listening <port>" once ready.
const http = require('node:http');
const { WebSocketServer } = require('ws');

const answer = 'This week the best sellers are …';
const server = http.createServer((_, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)));
wss.on('connection', (ws, request) => {
  const transport = request.socket;
  ws.on('message', (data) => {
    const { requestId } = JSON.parse(String(data));
    transport.cork();
    ws.send(JSON.stringify({ type: 'token', requestId, text: answer }));
    ws.send(JSON.stringify({ type: 'done', requestId, cached: true, model: 'cache', intent: 'trending', timings: { validate: 0, intent: 0, 'cache-lookup': 0, stream: 0, enqueue: 0 } }));
    process.nextTick(() => transport.uncork());
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
