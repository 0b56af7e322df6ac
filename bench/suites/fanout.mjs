// Fan-out: one publish to N subscribers. The local service vs a raw `ws` server sending one
// pre-encoded Buffer to each client vs a socket.io server broadcasting the same payload.
// Each server runs in its own process (its CPU is measured with process.cpuUsage); the N
// subscribers are the same minimal raw `ws` clients for every server, in this process.
// Rounds alternate between servers; figures are medians over rounds.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { CHANNEL, clientUrl, closeClients, openClients, publishMessage } from '../lib/clients.mjs';
import { mockServerBundlePath, startServer } from '../lib/servers.mjs';
import { interleave, median, percentile, progress } from '../lib/util.mjs';

const MESSAGE_MARK = Buffer.from('"message"');
// PULSE_BENCH_INSPECTOR=1 adds a second local service, measured in the same interleaved rounds,
// with an inspector feed subscribed as an open inspector page would be (what it costs:
// docs/testing.md, "The inspector").
const WITH_INSPECTOR = process.env.PULSE_BENCH_INSPECTOR === '1';
/** The server a subject runs ('pulse-inspector' is the local service too). */
const serverKind = (kind) => (kind === 'pulse-inspector' ? 'pulse' : kind);

export async function run({ quick = false, subscribers = 1000 } = {}) {
  const rounds = quick ? 2 : 6;
  const publishesPerRound = quick ? 5 : 10;
  const kinds = ['ws', 'socketio'];
  const notes = [];
  if (await mockServerBundlePath()) kinds.unshift(...(WITH_INSPECTOR ? ['pulse', 'pulse-inspector'] : ['pulse']));
  else notes.push('local service not measured: packages/mock-server/src/index.ts does not exist yet');

  const bar = progress('fan-out');
  const subjects = {};
  const inspectorFeeds = [];
  try {
    for (const kind of kinds) {
      bar.update(`starting ${kind}`);
      const server = await startServer(serverKind(kind));
      if (kind === 'pulse-inspector') inspectorFeeds.push(await openInspectorFeed(server.info.apiUrl));
      const state = { expected: 0, count: 0, t0: 0, times: new Float64Array(subscribers), resolve: undefined };
      const onMessage = (data) => {
        if (state.expected === 0 || data.indexOf(MESSAGE_MARK) === -1) return;
        state.times[state.count++] = performance.now() - state.t0;
        if (state.count === state.expected) state.resolve();
      };
      const tokens = serverKind(kind) === 'pulse' ? await server.request('tokens', { n: subscribers }) : [];
      const urls = Array.from({ length: subscribers }, (_, i) => clientUrl(serverKind(kind), server.info, tokens[i]));
      const sockets = await openClients(serverKind(kind), urls, 50, onMessage, (n) => bar.update(`${kind}: ${n}/${subscribers} connected`));
      subjects[kind] = { server, sockets, state, cpuPerDelivery: [], latencies: [], rates: [] };
      // Warm up, and make sure every subscription is live before measuring.
      for (let i = 0; i < 3; i++) await publishOnce(kind, subjects[kind], subscribers, i, 10_000);
    }

    const order = interleave(kinds, rounds);
    let step = 0;
    for (const kind of order) {
      bar.update(`round ${++step}/${order.length} (${kind})`);
      const subject = subjects[kind];
      await subject.server.request('cpuMark');
      for (let p = 0; p < publishesPerRound; p++) {
        const times = await publishOnce(kind, subject, subscribers, p, 30_000);
        subject.latencies.push(...times);
        subject.rates.push(subscribers / (times[times.length - 1] / 1000));
      }
      const cpuMicros = await subject.server.request('cpuRead');
      subject.cpuPerDelivery.push(cpuMicros / (subscribers * publishesPerRound));
    }
  } finally {
    for (const feed of inspectorFeeds) feed.terminate();
    for (const subject of Object.values(subjects)) {
      await closeClients(subject.sockets);
      await subject.server.stop();
    }
  }
  bar.done(`${rounds} rounds × ${publishesPerRound} publishes × ${subscribers} subscribers per server`);

  const summary = {};
  for (const kind of kinds) {
    const subject = subjects[kind];
    summary[kind] = {
      cpuMicrosPerDelivery: median(subject.cpuPerDelivery),
      p50Ms: percentile(subject.latencies, 50),
      p99Ms: percentile(subject.latencies, 99),
      deliveriesPerSecond: median(subject.rates),
    };
  }
  const rows = fanoutRows(summary, kinds);
  return {
    title: `Fan-out: one publish to ${subscribers} subscribers (server in its own process)`,
    ratioLabel: 'vs raw ws',
    rows,
    summary,
    note:
      'The "local service vs socket.io" rows are direct ratios of the local service to the socket.io server (below 1 = the local service uses less CPU / has lower latency; above 1 for deliveries/s = it delivers more). ' +
      'Latency is from the publishing client sending the frame to each subscriber receiving it (all subscribers in one process, so it includes client-side receive time, the same for every server). ' +
      'CPU is the server process CPU time over the round divided by deliveries. Medians over interleaved rounds.' +
      (notes.length ? ` ${notes.join('; ')}.` : ''),
  };
}

const LABEL = { pulse: 'local service', 'pulse-inspector': 'local service, inspector open', ws: 'raw ws (pre-encoded Buffer)', socketio: 'socket.io (io.emit)' };
const METRICS = [
  ['cpuMicrosPerDelivery', 'server CPU per delivery', 'µs'],
  ['p50Ms', 'p50 latency', 'ms'],
  ['p99Ms', 'p99 latency', 'ms'],
  ['deliveriesPerSecond', 'deliveries/s', 'msg/s'],
];

/**
 * The rows of the suite from the per-server medians: every server against raw ws (the ratio
 * column), then the local service directly against socket.io (value = local service / socket.io).
 */
export function fanoutRows(summary, kinds = Object.keys(summary)) {
  const base = summary.ws;
  const rows = [];
  for (const kind of kinds) {
    for (const [key, what, unit] of METRICS) {
      rows.push({ subject: `${LABEL[kind]}: ${what}`, value: summary[kind][key], unit, ratio: summary[kind][key] / base[key] });
    }
  }
  if (summary.pulse && summary.socketio) {
    for (const [key, what] of METRICS) {
      rows.push({
        subject: `local service vs socket.io: ${what}`,
        value: summary.pulse[key] / summary.socketio[key],
        unit: '× socket.io',
        ratio: null,
        detail: `${summary.pulse[key].toPrecision(3)} vs ${summary.socketio[key].toPrecision(3)}`,
      });
    }
  }
  if (summary.pulse && summary['pulse-inspector']) {
    for (const [key, what] of METRICS) {
      rows.push({
        subject: `inspector open vs closed: ${what}`,
        value: summary['pulse-inspector'][key] / summary.pulse[key],
        unit: '× closed',
        ratio: null,
        detail: `${summary['pulse-inspector'][key].toPrecision(3)} vs ${summary.pulse[key].toPrecision(3)}`,
      });
    }
  }
  return rows;
}

/** Subscribes to the local service's inspector feed like the inspector page; resolves with the socket. */
async function openInspectorFeed(apiUrl) {
  const grant = await (await fetch(`${apiUrl}/_inspector/session`)).json();
  const { WebSocket } = createRequire(import.meta.url)('ws');
  const socket = new WebSocket(`${grant.endpoint}?${new URLSearchParams({ kbId: grant.kbId, token: grant.token })}`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const snapshot = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ action: 'subscribe', channel: grant.channel }));
  await snapshot;
  return socket;
}

async function publishOnce(kind, subject, subscribers, seq, timeoutMs) {
  const { state, sockets } = subject;
  state.count = 0;
  state.expected = subscribers;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind}: ${state.count}/${subscribers} deliveries after ${timeoutMs} ms`)), timeoutMs);
    state.resolve = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  state.t0 = performance.now();
  sockets[0].send(publishMessage(serverKind(kind), { text: 'hello subscribers', seq, channel: CHANNEL }));
  await done;
  state.expected = 0;
  return Array.from(state.times.subarray(0, subscribers));
}
