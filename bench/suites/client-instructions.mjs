// Client receive cost in instructions: the same comparison as the `client` suite (the client vs a
// raw `ws` client doing JSON.parse and the same callback, on identical frames), counted by
// valgrind's callgrind instead of timed. Instruction counts do not move with the load of a shared
// 2-core machine, so a difference of 1 % shows; the `client` suite's CPU ratios spread by ±10 %
// between rounds. What it cannot see: cache misses and GC pauses, which the CPU suite includes.
// Each subject runs bench/lib/pipeline-receiver.mjs (which forks pipeline-sender.mjs, a ws server
// writing pre-encoded frames into the subject's TCP socket; callgrind does not follow it) twice,
// for a short and a long run; the difference divided by the difference in messages is the cost
// per message, without start-up.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR, clientBundle, median, progress } from '../lib/util.mjs';

const exec = promisify(execFile);
const LABEL = {
  pulse: 'openkbs-pulse client (Pulse, subscribe(event, cb))',
  'ws-min': 'raw ws: on("message") + JSON.parse + same callback',
  'ws-onmessage': 'raw ws: onmessage (MessageEvent) + JSON.parse + callback',
};

/** Instructions executed by `node pipeline-receiver.mjs subject messages bundle` (whole process). */
async function instructions(subject, messages, bundle) {
  // --predictable: V8 without concurrent threads or time-based heuristics (GC, tiering), so the
  // count repeats run to run to the instruction (measured: two runs, the same count).
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--predictable', join(BENCH_DIR, 'lib/pipeline-receiver.mjs'), subject, String(messages), bundle];
  // A failing run (the receiver throws on a missed deadline or a wrong message) rejects here.
  const { stderr } = await exec('valgrind', args, { maxBuffer: 16 * 2 ** 20, timeout: 20 * 60_000 });
  const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!match) throw new Error(`callgrind printed no instruction count for ${subject}:\n${stderr.slice(-2000)}`);
  return Number(match[1].replaceAll(',', ''));
}

/** Instructions per message of `subject`: (long run - short run) / (long - short) messages. */
async function perMessage(subject, bundle, short, long) {
  const [a, b] = await Promise.all([instructions(subject, short, bundle), instructions(subject, long, bundle)]);
  return (b - a) / (long - short);
}

export async function run({ quick = false } = {}) {
  try {
    await exec('valgrind', ['--version']);
  } catch {
    throw new Error('valgrind is not installed (Debian: apt-get install valgrind): this suite counts instructions with its callgrind tool');
  }
  const bundle = await clientBundle();
  const [short, long] = [10_000, 60_000];
  const repeats = quick ? 1 : 3;
  const subjects = ['pulse', 'ws-min', 'ws-onmessage'];
  const counts = Object.fromEntries(subjects.map((s) => [s, []]));
  const ratios = [];
  const bar = progress('client instructions');
  for (let r = 0; r < repeats; r++) {
    for (const subject of subjects) {
      bar.update(`repeat ${r + 1}/${repeats}: ${subject} (${short.toLocaleString('en-US')} and ${long.toLocaleString('en-US')} messages under callgrind)`);
      counts[subject].push(await perMessage(subject, bundle, short, long));
    }
    ratios.push(counts.pulse[r] / counts['ws-min'][r]);
  }
  bar.done(`${repeats} repeat(s) × ${subjects.length} subjects`);
  const base = median(counts['ws-min']);
  const rows = subjects.map((subject) => ({
    subject: `${LABEL[subject]}: instructions per message`,
    value: Math.round(median(counts[subject])),
    unit: 'instr',
    ratio: median(counts[subject]) / base,
    detail: `runs: ${counts[subject].map((c) => Math.round(c).toLocaleString('en-US')).join(', ')}`,
  }));
  rows.push({
    subject: 'openkbs-pulse / raw ws (min), per repeat',
    value: median(ratios),
    unit: '×',
    ratio: null,
    detail: `median of ${ratios.length}, range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}`,
  });
  return {
    title: `Client receive instructions per message (callgrind; ${(long - short).toLocaleString('en-US')} identical frames, 50 per TCP write; sender in a process of its own)`,
    ratioLabel: 'instructions / raw ws + JSON.parse',
    rows,
    summary: { pulseInstructions: median(counts.pulse), rawInstructions: base, ratio: median(counts.pulse) / base, repeatRatios: ratios },
    note:
      'Instructions of the receiving process (valgrind --tool=callgrind, node --predictable) for a long run minus a short run, per message in between: the receive path of each subject and nothing else (the sender is a process of its own, which callgrind does not follow; in the same process, its ws listener made node\'s shared EventEmitter#emit call every subject that sends a frame, as the client does to subscribe, through a slower path: about 280 instructions per message). ' +
      'Deterministic enough to show a 1 % change; it does not see cache misses or GC pauses, which the CPU suite (client) does. Target as for the CPU suite: ≤ 1.05×.',
  };
}
