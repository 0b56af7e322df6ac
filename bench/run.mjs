#!/usr/bin/env node
// Runs the benchmarks and prints each result as a ratio to its same-run baseline.
//
//   node bench/run.mjs                 # everything (pnpm bench): writes bench/results/latest.json
//                                      # and rewrites the results table of bench/README.md
//   node bench/run.mjs --only=fanout   # some suites: bundle,fanout,connections,client,instructions,memory,browser,herd,sdk
//   node bench/run.mjs --quick         # fewer rounds (smoke run)
//
// Only a full run (no --only, no --quick) writes the committed results: a quick or partial run
// writes bench/results/run.tmp.json (gitignored) and leaves README.md and latest.json alone, so
// every figure there comes from one full run whose command is the one shown.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fmt, runPlan, writeReadmeTable } from './lib/report.mjs';
import { BENCH_DIR, ROOT_DIR } from './lib/util.mjs';

const SUITES = {
  bundle: () => import('./suites/bundle-size.mjs'),
  fanout: () => import('./suites/fanout.mjs'),
  connections: () => import('./suites/connections.mjs'),
  client: () => import('./suites/client-throughput.mjs'),
  instructions: () => import('./suites/client-instructions.mjs'),
  memory: () => import('./suites/client-memory.mjs'),
  browser: () => import('./suites/browser-receive.mjs'),
  herd: () => import('./suites/reconnect-herd.mjs'),
  sdk: () => import('./suites/sdk-publish.mjs'),
  share: () => import('./suites/share-connection.mjs'),
};

const plan = runPlan(process.argv.slice(2), Object.keys(SUITES));
if (plan.unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${plan.unknown.join(', ')} (known: ${Object.keys(SUITES).join(', ')})\n`);
  process.exit(2);
}
const { names, quick } = plan;
const resultsPath = join(BENCH_DIR, plan.resultsFile);
const gitRev = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT_DIR }).toString().trim();
  } catch {
    return 'unknown';
  }
})();

const results = { full: plan.full, command: plan.command, suites: {} };
let index = 0;
for (const name of names) {
  index++;
  process.stderr.write(`[${index}/${names.length}] ${name}\n`);
  const started = Date.now();
  try {
    const suite = await SUITES[name]();
    const result = await suite.run({ quick });
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    result.command = plan.command;
    result.measuredAt = new Date().toISOString();
    result.commit = gitRev;
    results.suites[name] = result;
    printSuite(result);
  } catch (error) {
    process.stderr.write(`  ${name} failed: ${error?.stack ?? error}\n`);
    results.suites[name] = { title: name, error: String(error?.message ?? error), measuredAt: new Date().toISOString(), rows: [] };
  }
}

results.machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 2 ** 30) };
results.updatedAt = new Date().toISOString();
mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
if (plan.full) {
  writeReadmeTable(join(BENCH_DIR, 'README.md'), results);
  process.stderr.write(`wrote bench/${plan.resultsFile} and the table in bench/README.md\n`);
} else {
  process.stderr.write(`wrote bench/${plan.resultsFile} (a quick or partial run: bench/README.md and results/latest.json are only written by a full run)\n`);
}

function printSuite(result) {
  console.log(`\n${result.title}`);
  for (const row of result.rows) {
    const ratio = row.ratio === null || row.ratio === undefined ? '' : `  ${fmt(row.ratio)}× ${result.ratioLabel}`;
    console.log(`  ${row.subject.padEnd(44)} ${fmt(row.value).padStart(12)} ${row.unit}${ratio}${row.detail ? `  (${row.detail})` : ''}`);
  }
  if (result.note) console.log(`  ${result.note}`);
}
