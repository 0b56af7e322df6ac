// What a bench run writes, and the README results table: shared by bench/run.mjs and its tests.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The plan of a run from its arguments: which suites, whether it is a full run (no --only, no
 * --quick: the only kind that writes results/latest.json and the README table), the file its
 * results go to, and the command that reproduces it.
 * @param {string[]} args
 * @param {string[]} suites the known suite names, in run order
 */
export function runPlan(args, suites) {
  const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',').filter(Boolean);
  const quick = args.includes('--quick');
  const full = !only && !quick;
  return {
    names: suites.filter((name) => !only || only.includes(name)),
    unknown: (only ?? []).filter((name) => !suites.includes(name)),
    quick,
    full,
    resultsFile: full ? 'results/latest.json' : 'results/run.tmp.json',
    command: ['node bench/run.mjs', ...(only ? [`--only=${only.join(',')}`] : []), ...(quick ? ['--quick'] : [])].join(' '),
  };
}

export const fmt = (value, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : Math.abs(value) >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : String(Math.round(value * 10 ** digits) / 10 ** digits);

/** The markdown between the results markers of bench/README.md for `all` (a full run's results). */
export function readmeTable(all) {
  const lines = ['<!-- results:start -->', ''];
  lines.push(`Machine: Node ${all.machine.node}, ${all.machine.cpus} × ${all.machine.cpuModel}, ${all.machine.memoryGB} GB. Updated ${all.updatedAt}.`, '');
  for (const suite of Object.values(all.suites)) {
    lines.push(`### ${suite.title}`, '');
    if (suite.error) {
      lines.push(`Not measured: ${suite.error}`, '');
      continue;
    }
    lines.push(`Command: \`${suite.command}\` (commit ${suite.commit}, ${suite.measuredAt}, ${suite.seconds}s for this suite)`, '');
    lines.push(`| subject | value | unit | ratio (${suite.ratioLabel}) | detail |`, '|---|---:|---|---:|---|');
    for (const row of suite.rows) {
      lines.push(`| ${row.subject} | ${fmt(row.value)} | ${row.unit} | ${row.ratio === null || row.ratio === undefined ? '–' : fmt(row.ratio) + '×'} | ${row.detail ?? ''} |`);
    }
    if (suite.note) lines.push('', suite.note);
    lines.push('');
  }
  lines.push('<!-- results:end -->');
  return lines.join('\n');
}

/** Rewrites the results table of the README at `readmePath`. */
export function writeReadmeTable(readmePath, all) {
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const table = readmeTable(all);
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  const next = readme.includes(start)
    ? readme.slice(0, readme.indexOf(start)) + table + readme.slice(readme.indexOf(end) + end.length)
    : `${readme.trimEnd()}\n\n${table}\n`;
  writeFileSync(readmePath, next);
}
