// Browser receive cost: Chromium page script time per message (CDP Performance.getMetrics
// ScriptDuration) for the shipped pulse.js, a raw WebSocket + JSON.parse page, and socket.io-client,
// on identical frames from one sender on 127.0.0.1 (bench/servers/server.mjs "blast", paced writes;
// socket.io gets the same data in its own framing). The pages are plain HTML: the driver never
// runs script in them; a page reports progress by fetching /signal from the bench's HTTP server.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { startServer } from '../lib/servers.mjs';
import { BENCH_DIR, ROOT_DIR, benchToken, interleave, median, progress } from '../lib/util.mjs';
import { untilConnections } from './client-throughput.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// BENCH_PULSE_JS=<file> measures another build (e.g. of an earlier commit) in place of the shipped one.
const PULSE_JS = process.env.BENCH_PULSE_JS ?? join(ROOT_DIR, 'packages/client/pulse.js');
// The package's exports hide dist/, so the file is read from the bench's own node_modules.
const SOCKET_IO_JS = join(BENCH_DIR, 'node_modules/socket.io-client/dist/socket.io.min.js');
const CHANNEL = 'bench';
const LABEL = {
  pulse: 'pulse.js as shipped (Pulse, subscribe(event, cb))',
  raw: 'raw WebSocket: onmessage + JSON.parse + same callback',
  socketio: 'socket.io-client (socket.on(event, cb))',
};

/** The page of `subject`: connects to `url`, calls the same callback per message, signals at each mark. */
function page(subject, url, marks) {
  const connect = {
    pulse: `const pulse = new Pulse({ kbId: 'kb', token: ${JSON.stringify(benchToken('kb'))}, endpoint: SENDER_URL });
      pulse.channel(${JSON.stringify(CHANNEL)}).subscribe('tick', callback);
      pulse.on('error', (error) => console.error('pulse error: ' + error.message));
      pulse.onStateChange((state) => state === 'connected' && signal('open'));`,
    raw: `const ws = new WebSocket(SENDER_URL);
      ws.onmessage = (event) => callback(JSON.parse(event.data).data);
      ws.onopen = () => signal('open');`,
    socketio: `const socket = io(SENDER_URL, { transports: ['websocket'], reconnection: false });
      socket.on('tick', callback);
      socket.on('connect', () => signal('open'));`,
  }[subject];
  const script = { pulse: '<script src="/pulse.js"></script>', raw: '', socketio: '<script src="/socket.io.min.js"></script>' }[subject];
  return `<!DOCTYPE html><html><head><title>${subject}</title>${script}</head><body><script>
    const SENDER_URL = ${JSON.stringify(url)};
    const marks = ${JSON.stringify(marks)};
    let count = 0;
    let sink = 0;
    const signal = (what) => fetch('/signal?subject=${subject}&what=' + what + '&count=' + count + '&sink=' + sink);
    // The same callback in every page; a signal only at the end of each batch.
    function callback(data) {
      sink += data.n;
      if (++count === marks[0]) {
        marks.shift();
        signal('mark');
      }
    }
    ${connect}
  </script></body></html>`;
}

export async function run({ quick = false } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(PULSE_JS)) throw new Error('packages/client/pulse.js is not built: corepack pnpm --filter openkbs-pulse build');
  const { chromium } = await import('playwright-core');
  const n = quick ? 30_000 : 100_000;
  const warm = 10_000;
  const rounds = quick ? 2 : 5;
  const pace = { batch: 50, intervalMs: 1 };
  const subjects = ['pulse', 'raw', 'socketio'];
  const sender = await startServer('blast');
  const senderUrl = sender.info.url;
  const waiters = new Map();
  const http = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/signal') {
      const key = `${url.searchParams.get('subject')}/${url.searchParams.get('what')}`;
      const waiter = waiters.get(key);
      waiters.delete(key);
      waiter?.({ count: Number(url.searchParams.get('count')), sink: Number(url.searchParams.get('sink')) });
      res.writeHead(204).end();
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
    } else if (url.pathname === '/pulse.js' || url.pathname === '/socket.io.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(url.pathname === '/pulse.js' ? PULSE_JS : SOCKET_IO_JS));
    } else {
      const subject = url.pathname.slice(1);
      if (!LABEL[subject]) return res.writeHead(404).end();
      const target = subject === 'socketio' ? senderUrl : `${senderUrl}/`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(subject, target, [warm, warm + n]));
    }
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${http.address().port}`;
  // A page that never signals (a script error, a refused connection) fails the run instead of hanging it.
  const signalled = (subject, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${subject} page: no "${what}" signal within 60 s`)), 60_000);
      waiters.set(`${subject}/${what}`, (value) => (clearTimeout(timer), resolve(value)));
    });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  });
  const script = Object.fromEntries(subjects.map((s) => [s, []]));
  const thread = Object.fromEntries(subjects.map((s) => [s, []]));
  const ratios = { pulse: [], socketio: [] };
  const bar = progress('browser receive');
  try {
    for (let round = 0; round < rounds; round++) {
      const order = interleave(subjects, rounds).slice(round * subjects.length, (round + 1) * subjects.length);
      bar.update(`round ${round + 1}/${rounds}: ${order.join(', ')} pages at once, ${n} messages`);
      // A browser context per page: contexts never share a renderer process, so each page has a
      // main thread of its own (ThreadTime is per thread) and no page's work runs on another's.
      const contexts = [];
      try {
        const pages = {};
        for (const subject of order) {
          const open = signalled(subject, 'open');
          const context = await browser.newContext();
          contexts.push(context);
          const p = await context.newPage();
          p.on('pageerror', (error) => process.stderr.write(`  ${subject} page error: ${error.message}\n`));
          p.on('console', (message) => message.type() === 'error' && process.stderr.write(`  ${subject} page console: ${message.text()}\n`));
          const cdp = await context.newCDPSession(p);
          await cdp.send('Performance.enable');
          await p.goto(`${base}/${subject}`);
          await open;
          await untilConnections(sender, Object.keys(pages).length + 1);
          pages[subject] = { page: p, cdp };
        }
        // ScriptDuration is wall time in script (a busy machine inflates it); ThreadTime is the
        // CPU time of the page's main thread, which load does not inflate: both are reported.
        const metricsOf = async (subject) => {
          const { metrics } = await pages[subject].cdp.send('Performance.getMetrics');
          const value = (name) => metrics.find((m) => m.name === name).value;
          return { script: value('ScriptDuration'), thread: value('ThreadTime') };
        };
        const batch = async (count, total) => {
          const done = order.map((subject) => signalled(subject, 'mark'));
          await sender.request('paced', { n: count, channel: CHANNEL, ...pace });
          const marks = await Promise.all(done);
          for (const [i, mark] of marks.entries()) {
            if (mark.count !== total) throw new Error(`${order[i]}: ${mark.count} messages, expected ${total}`);
          }
        };
        await batch(warm, warm);
        const before = Object.fromEntries(await Promise.all(order.map(async (s) => [s, await metricsOf(s)])));
        await batch(n, warm + n);
        const perMessage = {};
        for (const subject of order) {
          const after = await metricsOf(subject);
          perMessage[subject] = ((after.script - before[subject].script) / n) * 1e6;
          thread[subject].push(((after.thread - before[subject].thread) / n) * 1e6);
        }
        for (const subject of subjects) script[subject].push(perMessage[subject]);
        ratios.pulse.push(perMessage.pulse / perMessage.raw);
        ratios.socketio.push(perMessage.socketio / perMessage.raw);
      } finally {
        for (const context of contexts) await context.close();
      }
      await untilConnections(sender, 0);
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => http.close(resolve));
    await sender.stop();
  }
  bar.done(`${rounds} rounds × ${n} messages per page`);
  const raw = median(script.raw);
  const rows = subjects.map((subject) => ({
    subject: `${LABEL[subject]}: page script time per message`,
    value: median(script[subject]),
    unit: 'µs',
    ratio: median(script[subject]) / raw,
  }));
  for (const subject of subjects) {
    rows.push({ subject: `${LABEL[subject]}: main-thread CPU per message`, value: median(thread[subject]), unit: 'µs', ratio: median(thread[subject]) / median(thread.raw), detail: 'CDP ThreadTime' });
  }
  for (const subject of ['pulse', 'socketio']) {
    rows.push({
      subject: `${subject === 'pulse' ? 'pulse.js' : 'socket.io-client'} / raw WebSocket, per round`,
      value: median(ratios[subject]),
      unit: '×',
      ratio: null,
      detail: `median of ${rounds} same-round ratios, range ${Math.min(...ratios[subject]).toFixed(2)}–${Math.max(...ratios[subject]).toFixed(2)}`,
    });
  }
  return {
    title: `Browser receive: Chromium page script time per message (${n.toLocaleString('en-US')} identical messages, three pages fed at once)`,
    ratioLabel: 'vs raw WebSocket + JSON.parse',
    rows,
    summary: { scriptUs: Object.fromEntries(subjects.map((s) => [s, median(script[s])])), threadUs: Object.fromEntries(subjects.map((s) => [s, median(thread[s])])), ratios },
    note:
      'CDP Performance.getMetrics ScriptDuration (and ThreadTime, main-thread CPU) of each page over the measured messages (after a warm-up), per message; the per-round ratios are of ScriptDuration. ' +
      `Pages are plain HTML the driver never runs script in; one sender writes the same frames in the same paced writes (${pace.batch} per ${pace.intervalMs} ms) to all three (socket.io: the same data framed as 42["tick",data]). Headless Chromium, a fresh browser context (renderer process) per page and round; the per-round ratio rows are the headline.`,
  };
}
