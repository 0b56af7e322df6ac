// shareConnection (issue 17) in Chromium: tabs of one origin and user loading the built
// pulse-share.js against the local service (in this process; bundled from source). Three figures:
// connections for 10 tabs (shared vs not), the extra latency of a follower tab over the leader tab
// for the same message (the BroadcastChannel hop), and the handover time after the leader tab
// closes (until the service has the new connection with the follower's subscription back).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL, URLSearchParams } from 'node:url';
import { mockServerBundlePath } from '../lib/servers.mjs';
import { ROOT_DIR, median, percentile, progress, round } from '../lib/util.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCRIPT = join(ROOT_DIR, 'packages/client/pulse-share.js');

const PAGE = `<!DOCTYPE html><html><head><script src="/pulse-share.js"></script></head><body><script>
  const q = new URLSearchParams(location.search);
  const pulse = new Pulse({ kbId: q.get('kb'), token: q.get('token'), endpoint: q.get('endpoint'), shareConnection: q.get('share') === '1' });
  const wait = {};
  window.t = {
    pulse,
    sub(ch) { pulse.channel(ch).subscribe('m', (d) => wait[d.n]?.()); },
    // Publish to a channel this tab listens to; resolves with the ms until the message came back,
    // or with why not within 10 s (counted as lost: a full run once waited here for ever).
    rtt(ch, n) {
      return new Promise((resolve) => {
        const start = performance.now();
        wait[n] = () => resolve(performance.now() - start);
        pulse.channel(ch).publish('m', { n }).catch((e) => resolve(e.code));
        setTimeout(() => resolve('no message within 10 s'), 10000);
      });
    },
  };
</script></body></html>`;

export async function run({ quick = false } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(SCRIPT)) throw new Error('packages/client/pulse-share.js is not built: corepack pnpm --filter openkbs-pulse build');
  const { createPulseService } = await import(pathToFileURL(await mockServerBundlePath()).href);
  const { chromium } = await import('playwright-core');
  const service = await createPulseService({ host: '127.0.0.1' });
  const script = readFileSync(SCRIPT);
  const http = createServer((req, res) => {
    const js = req.url === '/pulse-share.js';
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    res.end(js ? script : PAGE);
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${http.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const of = (user) => service.connections().filter((c) => c.userId === user);
  const until = async (check, what) => {
    for (const end = Date.now() + 20_000; Date.now() < end; ) {
      if (check()) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  let users = 0;
  const tabs = async (context, n, share) => {
    const user = `bench-${++users}`;
    const token = await service.createToken(user);
    const pages = [];
    for (let i = 0; i < n; i++) {
      const page = await context.newPage();
      await page.goto(`${base}/?${new URLSearchParams({ kb: service.kbId, token, endpoint: service.wsUrl, share: share ? '1' : '0' })}`);
      await page.waitForFunction(() => window.t.pulse.state === 'connected', undefined, { timeout: 20_000 });
      pages.push(page);
    }
    return { user, pages };
  };
  const rows = [];
  try {
    const p = progress('share');
    // 1. Connections for 10 tabs of one user.
    const counts = {};
    for (const share of [false, true]) {
      const context = await browser.newContext();
      const { user } = await tabs(context, 10, share);
      await new Promise((resolve) => setTimeout(resolve, 200)); // late extra connections would show here
      counts[share] = of(user).length;
      await context.close();
    }
    p.update(`connections: ${counts.true} shared, ${counts.false} not`);
    rows.push({ subject: '10 tabs of one user: connections, shareConnection', value: counts.true, unit: 'connections', ratio: counts.true / counts.false, detail: `${counts.false} without` });

    // 2. Follower extra latency: the round trip publish -> own receipt, in the leader tab and in a
    // follower tab, alternated (one clock per measurement: tabs' clocks do not compare to 0.1 ms).
    const rounds = quick ? 100 : 500;
    const context = await browser.newContext();
    const { user, pages } = await tabs(context, 10, true);
    const [leader, follower] = [pages[0], pages[9]];
    for (const page of [leader, follower]) await page.evaluate(() => window.t.sub('lat'));
    await until(() => of(user)[0]?.channels.includes('lat'), 'the subscription');
    const rtt = { leader: [], follower: [] };
    const lost = [];
    for (let n = 0; n < 2 * rounds; n++) {
      const [who, page] = n % 2 ? ['follower', follower] : ['leader', leader];
      const ms = await page.evaluate((k) => window.t.rtt('lat', k), n);
      if (typeof ms === 'number') rtt[who].push(ms);
      else lost.push(`${who} #${n}: ${ms}`);
    }
    await context.close();
    const extra = (median(rtt.follower) - median(rtt.leader)) / 2;
    p.update(`latency: leader ${round(median(rtt.leader))} ms, follower ${round(median(rtt.follower))} ms round trip`);
    rows.push({
      subject: 'follower tab extra latency (one way)',
      value: round(extra, 3),
      unit: 'ms',
      detail: `half the difference of median round trips publish -> own receipt: follower ${round(median(rtt.follower), 3)} ms, leader ${round(median(rtt.leader), 3)} ms, ${rounds} each; p99 ${round(percentile(rtt.follower, 99), 2)} / ${round(percentile(rtt.leader, 99), 2)} ms; ${lost.length ? `LOST ${lost.length}: ${lost.slice(0, 3).join('; ')}` : 'none lost'}`,
    });

    // 3. Handover: close the leader tab; time until the new connection has the follower's subscription.
    const handovers = [];
    for (let r = 0; r < (quick ? 3 : 10); r++) {
      const ctx = await browser.newContext();
      const { user: u, pages: [first, second] } = await tabs(ctx, 3, true);
      await second.evaluate(() => window.t.sub('h'));
      await until(() => of(u)[0]?.channels.includes('h'), 'the subscription');
      const old = of(u)[0].connectionId;
      const start = performance.now();
      await first.close();
      await until(() => of(u).some((c) => c.connectionId !== old && c.channels.includes('h')), 'the new connection');
      handovers.push(performance.now() - start);
      await ctx.close();
    }
    p.done(`handover median ${round(median(handovers))} ms`);
    rows.push({ subject: 'handover after the leader tab closes, median', value: round(median(handovers), 1), unit: 'ms', detail: `max ${round(Math.max(...handovers), 1)} ms, ${handovers.length} rounds` });
  } finally {
    await browser.close();
    await new Promise((resolve) => http.close(resolve));
    await service.close();
  }
  return {
    title: 'shareConnection: tabs of one user in Chromium (pulse-share.js, local service)',
    ratioLabel: 'vs one connection per tab',
    rows,
    note:
      'Extra latency: each tab publishes to a channel it listens to and times the round trip until its own message comes back (a follower crosses the BroadcastChannel twice: there with the publish, back with the message), leader and follower alternated; half the difference of the medians is the one-way cost of the hop. Handover: from page.close() of the leader tab until the service lists the new connection with the follower subscription (polled every 2 ms). Headless Chromium, one browser context (origin) per measurement.',
  };
}
