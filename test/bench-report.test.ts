// The bench runner's plan and tables (bench/run.mjs, bench/lib/report.mjs, suite row builders):
// only a full run writes the committed results, the README shows the command that produced them,
// ratios are against the right baselines.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript bench library
import { readmeTable, runPlan } from '../bench/lib/report.mjs';
// @ts-expect-error plain JavaScript bench suite
import { BASELINE, bundleRows } from '../bench/suites/bundle-size.mjs';
// @ts-expect-error plain JavaScript bench suite
import { fanoutRows } from '../bench/suites/fanout.mjs';

const SUITES = ['bundle', 'fanout', 'connections', 'client', 'sdk'];

describe('runPlan', () => {
  it('a full run (no options) writes results/latest.json; its command is plain `node bench/run.mjs`', () => {
    expect(runPlan([], SUITES)).toMatchObject({ full: true, names: SUITES, resultsFile: 'results/latest.json', command: 'node bench/run.mjs' });
  });

  it.each([
    [['--quick'], SUITES, 'node bench/run.mjs --quick'],
    [['--only=fanout'], ['fanout'], 'node bench/run.mjs --only=fanout'],
    [['--only=sdk,bundle', '--quick'], ['bundle', 'sdk'], 'node bench/run.mjs --only=sdk,bundle --quick'],
  ])('%j is partial: results go to a gitignored .tmp.json', (args, names, command) => {
    const plan = runPlan(args, SUITES);
    expect(plan).toMatchObject({ full: false, names, command });
    expect(plan.resultsFile).toMatch(/^results\/[^/]+\.tmp\.json$/);
  });

  it('reports unknown suite names', () => {
    expect(runPlan(['--only=fanot'], SUITES).unknown).toEqual(['fanot']);
  });
});

describe('readmeTable', () => {
  it('shows each suite with the command of the run', () => {
    const table = readmeTable({
      machine: { node: 'v20', cpus: 2, cpuModel: 'cpu', memoryGB: 8 },
      updatedAt: 'now',
      suites: { bundle: { title: 'Bundle', command: 'node bench/run.mjs', commit: 'abc', measuredAt: 't', seconds: 1, ratioLabel: 'r', rows: [{ subject: 's', value: 1, unit: 'B', ratio: 1 }] } },
    });
    expect(table).toContain('Command: `node bench/run.mjs` (commit abc');
    expect(table).not.toContain('--only');
  });
});

describe('bundle-size rows', () => {
  it('are ratios to our client bundled the same way as the peers; pulse.js as shipped is an extra row', () => {
    const rows = bundleRows({
      [BASELINE]: { minBytes: 30_000, gzipBytes: 10_000 },
      'socket.io-client': { minBytes: 45_000, gzipBytes: 15_000 },
      'openkbs-pulse (pulse.js as shipped)': { minBytes: 24_000, gzipBytes: 8_000 },
    });
    expect(BASELINE).toBe('openkbs-pulse');
    expect(Object.fromEntries(rows.map((r: { subject: string; ratio: number }) => [r.subject, r.ratio]))).toEqual({
      'openkbs-pulse': 1,
      'socket.io-client': 1.5,
      'openkbs-pulse (pulse.js as shipped)': 0.8,
    });
  });
});

describe('fan-out rows', () => {
  const summary = {
    pulse: { cpuMicrosPerDelivery: 2, p50Ms: 10, p99Ms: 20, deliveriesPerSecond: 90_000 },
    ws: { cpuMicrosPerDelivery: 4, p50Ms: 10, p99Ms: 10, deliveriesPerSecond: 100_000 },
    socketio: { cpuMicrosPerDelivery: 8, p50Ms: 20, p99Ms: 40, deliveriesPerSecond: 45_000 },
  };

  it('keep every server against raw ws', () => {
    const rows = fanoutRows(summary, ['pulse', 'ws', 'socketio']);
    expect(rows.find((r: { subject: string }) => r.subject === 'socket.io (io.emit): server CPU per delivery')).toMatchObject({ value: 8, ratio: 2 });
    expect(rows.find((r: { subject: string }) => r.subject === 'local service: p99 latency')).toMatchObject({ value: 20, ratio: 2 });
  });

  it('add the local service directly against socket.io', () => {
    const rows = fanoutRows(summary, ['pulse', 'ws', 'socketio']);
    const direct = rows.filter((r: { subject: string }) => r.subject.startsWith('local service vs socket.io'));
    expect(direct.map((r: { subject: string; value: number }) => [r.subject, r.value])).toEqual([
      ['local service vs socket.io: server CPU per delivery', 0.25],
      ['local service vs socket.io: p50 latency', 0.5],
      ['local service vs socket.io: p99 latency', 0.5],
      ['local service vs socket.io: deliveries/s', 2],
    ]);
  });

  it('with PULSE_BENCH_INSPECTOR=1, add the local service with an inspector open, directly against it closed', () => {
    const open = { cpuMicrosPerDelivery: 2.2, p50Ms: 10, p99Ms: 25, deliveriesPerSecond: 81_000 };
    const rows = fanoutRows({ ...summary, 'pulse-inspector': open }, ['pulse', 'pulse-inspector', 'ws', 'socketio']);
    expect(rows.find((r: { subject: string }) => r.subject === 'local service, inspector open: server CPU per delivery')).toMatchObject({ value: 2.2 });
    const direct = rows.filter((r: { subject: string }) => r.subject.startsWith('inspector open vs closed'));
    expect(direct.map((r: { subject: string; value: number }) => [r.subject, Number(r.value.toFixed(2))])).toEqual([
      ['inspector open vs closed: server CPU per delivery', 1.1],
      ['inspector open vs closed: p50 latency', 1],
      ['inspector open vs closed: p99 latency', 1.25],
      ['inspector open vs closed: deliveries/s', 0.9],
    ]);
  });
});
