#!/usr/bin/env node
// Runs every benchmark, prints each result as a ratio to its same-run baseline, writes
// bench/results/latest.json and rewrites the results table of bench/README.md.
//
//   node bench/run.mjs                 # everything (pnpm bench)
//   node bench/run.mjs --only=fanout   # some suites: bundle,fanout,connections,client,sdk
//   node bench/run.mjs --quick         # fewer rounds (smoke run)
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, ROOT_DIR } from './lib/util.mjs';

const SUITES = {
  bundle: () => import('./suites/bundle-size.mjs'),
  fanout: () => import('./suites/fanout.mjs'),
  connections: () => import('./suites/connections.mjs'),
  client: () => import('./suites/client-throughput.mjs'),
  sdk: () => import('./suites/sdk-publish.mjs'),
};

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const quick = args.includes('--quick');
const names = Object.keys(SUITES).filter((name) => !only || only.includes(name));

const resultsPath = join(BENCH_DIR, 'results/latest.json');
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : { suites: {} };
const gitRev = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: ROOT_DIR }).toString().trim();
  } catch {
    return 'unknown';
  }
})();

const fmt = (value, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : Math.abs(value) >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : String(Math.round(value * 10 ** digits) / 10 ** digits);

const results = { ...previous, suites: { ...previous.suites } };
let index = 0;
for (const name of names) {
  index++;
  process.stderr.write(`[${index}/${names.length}] ${name}\n`);
  const started = Date.now();
  try {
    const suite = await SUITES[name]();
    const result = await suite.run({ quick });
    result.seconds = Math.round((Date.now() - started) / 100) / 10;
    result.command = `node bench/run.mjs --only=${name}${quick ? ' --quick' : ''}`;
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
writeReadmeTable(results);
process.stderr.write(`wrote bench/results/latest.json and the table in bench/README.md\n`);

function printSuite(result) {
  console.log(`\n${result.title}`);
  for (const row of result.rows) {
    const ratio = row.ratio === null || row.ratio === undefined ? '' : `  ${fmt(row.ratio)}× ${result.ratioLabel}`;
    console.log(`  ${row.subject.padEnd(44)} ${fmt(row.value).padStart(12)} ${row.unit}${ratio}${row.detail ? `  (${row.detail})` : ''}`);
  }
  if (result.note) console.log(`  ${result.note}`);
}

function writeReadmeTable(all) {
  const readmePath = join(BENCH_DIR, 'README.md');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const lines = [start, ''];
  lines.push(`Machine: Node ${all.machine.node}, ${all.machine.cpus} × ${all.machine.cpuModel}, ${all.machine.memoryGB} GB. Updated ${all.updatedAt}.`, '');
  for (const [name, suite] of Object.entries(all.suites)) {
    lines.push(`### ${suite.title}`, '');
    if (suite.error) {
      lines.push(`Not measured: ${suite.error}`, '');
      continue;
    }
    lines.push(`Command: \`${suite.command}\` (commit ${suite.commit}, ${suite.measuredAt}, ${suite.seconds}s)`, '');
    lines.push(`| subject | value | unit | ratio (${suite.ratioLabel}) | detail |`, '|---|---:|---|---:|---|');
    for (const row of suite.rows) {
      lines.push(`| ${row.subject} | ${fmt(row.value)} | ${row.unit} | ${row.ratio === null || row.ratio === undefined ? '–' : fmt(row.ratio) + '×'} | ${row.detail ?? ''} |`);
    }
    if (suite.note) lines.push('', suite.note);
    lines.push('');
    void name;
  }
  lines.push(end);
  const table = lines.join('\n');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  const next = readme.includes(start)
    ? readme.slice(0, readme.indexOf(start)) + table + readme.slice(readme.indexOf(end) + end.length)
    : `${readme.trimEnd()}\n\n${table}\n`;
  writeFileSync(readmePath, next);
}
