// A WebSocket server built the way Node applications build one with the ws
// package (https://github.com/websockets/ws), for e2e's
// TestWebSocketServers and TestWebSocketHijack. It listens on 127.0.0.1 (a
// free port), prints {"port": N} on stdout once listening, and serves:
//
//   /open     no origin check: ws's default (any origin is accepted)
//   /checked  verifyClient accepts only the origin given as argv[2]
//
// Each accepted socket gets one message, "hello <path> <cookie>", so a page
// can show what it read. It exits when stdin closes (its parent died) or
// on SIGTERM.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const allowed = process.argv[2] || '';
const open = new WebSocketServer({ noServer: true });
const checked = new WebSocketServer({
  noServer: true,
  verifyClient: (info) => info.origin === allowed,
});
for (const wss of [open, checked]) {
  wss.on('connection', (ws, req) => {
    ws.send('hello ' + req.url + ' ' + (req.headers.cookie || ''));
  });
}

const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  const wss = req.url === '/open' ? open : req.url === '/checked' ? checked : null;
  if (!wss) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.requestTimeout = 10000;
server.headersTimeout = 10000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
