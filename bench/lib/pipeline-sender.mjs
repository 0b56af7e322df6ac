// The sender of bench/lib/pipeline-receiver.mjs, in a process of its own (forked by the receiver):
// a ws server that answers the client's heartbeat pings, as the service does, and writes
// pre-encoded message frames straight into the TCP socket of the one client that connects, one
// write of 50 frames each time the receiver asks (IPC `{ write: w }`). Out of the receiving
// process, so that neither its instructions nor its listeners are counted with the subject's:
// run in the subject's process, its ws 'message' listener made every subject that sends a frame
// (the client subscribes) pay about 280 instructions per message more than one that sends none
// (measured with callgrind: node's shared EventEmitter#emit stopped calling listeners directly).
import { createRequire } from 'node:module';
import { frameWrites } from './pipeline-frames.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws');

const writes = frameWrites();
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
let socket;
server.on('connection', (ws) => {
  ws.on('message', (raw) => String(raw).includes('"ping"') && ws.send(JSON.stringify({ type: 'pong', timestamp: Date.now() })));
  socket = ws._socket;
  process.send({ connected: true });
});
server.once('listening', () => process.send({ port: server.address().port }));
process.on('message', ({ write }) => socket.write(writes[write % writes.length]));
// The receiver is gone (done, failed or killed): so is the sender.
process.on('disconnect', () => process.exit(0));
