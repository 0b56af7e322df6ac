// Idle client memory, measured in a process of its own (run with --expose-gc):
//   node memory-child.mjs [client bundle]
// IPC `measure`: opens `n` clients of one subject to the service, each with one channel subscribed,
// and returns heapUsed + external per client after forced GC; with `snapshot`, also where the bytes
// go: two heap snapshots (before and after) summed by node type and constructor name.
import { createRequire } from 'node:module';
import { getHeapSnapshot } from 'node:v8';
import { URLSearchParams } from 'node:url';
import { pool, serveIpc } from './util.mjs';

const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const [clientBundle] = process.argv.slice(2);
const CHANNEL = 'bench';

function heapNow() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Opens one client of `subject`; resolves with it once it is connected (and has asked to subscribe). */
async function openOne(subject, info, token) {
  if (subject === 'pulse') {
    const { default: Pulse } = await import(clientBundle);
    const pulse = new Pulse({ kbId: info.kbId, token, endpoint: info.url, WebSocket });
    pulse.channel(CHANNEL).subscribe('tick', onMessage);
    await new Promise((resolve) => {
      const stop = pulse.onStateChange((state) => state === 'connected' && (stop(), resolve()));
    });
    return { close: () => pulse.disconnect() };
  }
  if (subject === 'realtime') {
    const { default: Pulse } = await import(clientBundle);
    const realtime = new Pulse.Realtime({ kbId: info.kbId, token, endpoint: info.url, WebSocket });
    realtime.channels.get(CHANNEL).subscribe('tick', (message) => onMessage(message.data));
    await new Promise((resolve) => {
      const connected = () => (realtime.connection.off('connected', connected), resolve());
      realtime.connection.on('connected', connected);
    });
    return { close: () => realtime.close() };
  }
  // A bare ws client subscribed by its URL (the service's `channel` query parameter), with a
  // listener that parses what arrives, held in an array: the least a subscribed client needs.
  const socket = new WebSocket(`${info.url}?${new URLSearchParams({ kbId: info.kbId, token, channel: CHANNEL })}`);
  socket.on('message', (raw) => onMessage(JSON.parse(raw.toString()).data));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { close: () => socket.terminate() };
}

let received = 0;
function onMessage() {
  received++;
}

/** A heap snapshot summed by "type: name" (constructor for objects, function for closures): { key: [count, bytes] }. */
async function heapSummary() {
  globalThis.gc();
  const chunks = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk);
  const snapshot = JSON.parse(chunks.join(''));
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const { nodes, strings } = snapshot;
  const summary = new Map();
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'array' || type === 'hidden';
    const key = named ? `${type}: ${strings[nodes[i + nameAt]].slice(0, 60)}` : type;
    const entry = summary.get(key) ?? [0, 0];
    entry[0]++;
    entry[1] += nodes[i + sizeAt];
    summary.set(key, entry);
  }
  return summary;
}

const clients = [];
serveIpc({
  measure: async ({ subject, n, info, tokens, snapshot, inFlight = 50 }) => {
    if (subject === 'pulse' || subject === 'realtime') await import(clientBundle); // module code is not per-client memory
    // Nor is code compiled on first use (functions compile lazily, on the first client): one client
    // of the subject is opened and closed before the baseline, for every subject alike.
    const warm = await openOne(subject, info, tokens[0]);
    warm.close();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const before = snapshot ? await heapSummary() : undefined;
    const base = heapNow();
    await pool(tokens.slice(0, n), inFlight, async (token) => clients.push(await openOne(subject, info, token)));
    // Let subscribe actions and their answers settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bytes = heapNow() - base;
    let top;
    if (snapshot) {
      const after = await heapSummary();
      top = [...after]
        .map(([key, [count, size]]) => [key, (count - (before.get(key)?.[0] ?? 0)) / n, (size - (before.get(key)?.[1] ?? 0)) / n])
        .filter(([, , size]) => size > 0)
        .sort((a, b) => b[2] - a[2])
        .slice(0, 60)
        .map(([key, count, size]) => ({ key, countPerClient: Math.round(count * 100) / 100, bytesPerClient: Math.round(size) }));
    }
    return { perClient: bytes / n, top };
  },
  close: async () => {
    for (const client of clients.splice(0)) client.close();
    return received;
  },
});
process.send({ ready: { pid: process.pid } });
