// Client receive CPU per message: the `openkbs-pulse` client vs a raw `ws` client that does the
// least possible work with the very same frames (JSON.parse, then the same callback).
// One sender process (bench/servers/server.mjs, "blast") writes byte-identical, pre-encoded
// frames in identical paced writes to every receiver at once; each receiver is a fresh child
// process (bench/lib/receiver.mjs) that measures its own CPU. Why it is done so: bench/README.md.
import { join } from 'node:path';
import { startServer } from '../lib/servers.mjs';
import { BENCH_DIR, clientBundle, interleave, median, progress, startChild } from '../lib/util.mjs';

const CHANNEL = 'bench';
const LABEL = {
  pulse: 'openkbs-pulse client (Pulse, subscribe(event, cb))',
  'ws-min': 'raw ws: on("message") + JSON.parse + same callback',
  'ws-onmessage': 'raw ws: onmessage (MessageEvent) + JSON.parse + callback',
  'ws-checked': 'raw ws: the old baseline (type checks before the callback)',
};

/**
 * One round: a fresh receiver process per subject, all connected at once and fed the same writes
 * at the same time (so a change in machine load hits every subject alike), a warm-up of `warm`
 * messages, then `n` measured ones. `pace` = { batch, intervalMs } for paced writes, or null for
 * the old unpaced blast (the sender writes as fast as the sockets take them).
 * Resolves with { [subject]: { cpuPerMessage, rate, messagesPerRead } }.
 */
export async function receiveRound(server, subjects, clientBundle, { n, warm, pace }) {
  const children = [];
  try {
    // Started and connected one after another, so the sender writes to them in `subjects` order.
    for (const subject of subjects) {
      const child = startChild(join(BENCH_DIR, 'lib/receiver.mjs'), [subject, server.info.url, clientBundle]);
      children.push(child);
      await child.ready;
      await untilConnections(server, children.length);
    }
    const send = (count) =>
      pace ? server.request('paced', { n: count, channel: CHANNEL, ...pace }) : server.request('blast', { n: count, channel: CHANNEL });
    let results;
    for (const count of [warm, n]) {
      await Promise.all(children.map((child) => child.request('arm', { n: count })));
      await send(count);
      results = await Promise.all(children.map((child) => child.request('result')));
      const expected = pace ? (count * (count + 1)) / 2 : count;
      for (const [i, result] of results.entries()) {
        if (result.sink !== expected) throw new Error(`${subjects[i]}: wrong messages received (sum of n ${result.sink}, expected ${expected})`);
      }
    }
    return Object.fromEntries(
      results.map((result, i) => [subjects[i], { cpuPerMessage: result.cpuUs / n, rate: n / result.seconds, messagesPerRead: n / result.reads }]),
    );
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await untilConnections(server, 0);
  }
}

/** Waits until the sender holds `count` connections (fails after 30 s rather than hang). */
export async function untilConnections(server, count) {
  const deadline = Date.now() + 30_000;
  while ((await server.request('connections')) !== count) {
    if (Date.now() > deadline) throw new Error(`the sender never held ${count} connection(s)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function run({ quick = false } = {}) {
  const n = quick ? 40_000 : 100_000;
  const warm = 20_000;
  const rounds = quick ? 3 : 9;
  // 50 frames per write, one write per ms: ~50k msg/s to each of the three receivers, below what
  // each takes on a quiet 2-core machine, so no subject's lag changes how its input is chunked
  // (the "messages per TCP read" detail shows whether that held).
  const pace = { batch: 50, intervalMs: 1 };
  const clientBundlePath = await clientBundle();
  const server = await startServer('blast');
  const subjects = ['pulse', 'ws-min', 'ws-onmessage'];
  const cpu = Object.fromEntries(subjects.map((s) => [s, []]));
  const rate = Object.fromEntries(subjects.map((s) => [s, []]));
  const perRead = Object.fromEntries(subjects.map((s) => [s, []]));
  const ratios = [];
  const bar = progress('client receive');
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotated each round: which subject the sender writes to first.
      const order = interleave(subjects, rounds).slice(round * subjects.length, (round + 1) * subjects.length);
      bar.update(`round ${round + 1}/${rounds}: ${order.join(', ')} at once, ${n} messages`);
      const result = await receiveRound(server, order, clientBundlePath, { n, warm, pace });
      for (const subject of subjects) {
        cpu[subject].push(result[subject].cpuPerMessage);
        rate[subject].push(result[subject].rate);
        perRead[subject].push(result[subject].messagesPerRead);
      }
      ratios.push(result.pulse.cpuPerMessage / result['ws-min'].cpuPerMessage);
    }
  } finally {
    await server.stop();
  }
  bar.done(`${rounds} rounds × ${n} messages per subject`);
  const base = median(cpu['ws-min']);
  const rows = subjects.map((subject) => ({
    subject: `${LABEL[subject]}: receive CPU per message`,
    value: median(cpu[subject]),
    unit: 'µs',
    ratio: median(cpu[subject]) / base,
    // Messages per TCP read shows the input was chunked alike for every subject (see README).
    detail: `${Math.round(median(rate[subject])).toLocaleString('en-US')} msg/s, ${Math.round(median(perRead[subject]))} messages per TCP read`,
  }));
  const spread = [Math.min(...ratios), Math.max(...ratios)];
  rows.push({
    subject: 'openkbs-pulse / raw ws (min), per round',
    value: median(ratios),
    unit: '×',
    ratio: null,
    detail: `median of ${ratios.length} same-round ratios, range ${spread.map((r) => r.toFixed(2)).join('–')}`,
  });
  return {
    title: `Client receive CPU per message (${n.toLocaleString('en-US')} identical frames, paced ${pace.batch} per ${pace.intervalMs} ms; the receivers in their own processes, fed at once)`,
    ratioLabel: 'CPU / raw ws + JSON.parse',
    rows,
    summary: { pulseCpuUs: median(cpu.pulse), rawCpuUs: base, onmessageCpuUs: median(cpu['ws-onmessage']), cpuRatio: median(cpu.pulse) / base, roundRatios: ratios },
    note:
      'User+system CPU of each receiving process (process.cpuUsage) per message, over the measured messages after a warm-up in the same process; fresh processes every round. ' +
      'One sender process writes the same pre-encoded WebSocket frames in the same TCP writes to all subjects at once (write order rotated per round), so load changes hit them alike; the per-round ratio row is the headline. Lower is better; the target is ≤ 1.05×.',
  };
}
