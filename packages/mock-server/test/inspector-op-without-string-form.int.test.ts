// An outside review found: one frame on the inspector feed killed the process. The feed logged a
// refused op with `String(data.op)`, and `String({ "toString": 1 })` throws ("Cannot convert
// object to primitive value"); nothing caught it inside ws's message listener, so it was an
// uncaught exception in `pulse-local`. Any loopback client without an Origin gets a feed token.
// Now every message about a value shows it with the protocol's `shownValue`, which never throws:
// the op is refused with a result (invalid_argument) and the feed goes on.
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  await service?.close();
  service = undefined;
});

async function openFeed(s: PulseService): Promise<{ ws: WebSocket; results: Record<string, unknown>[] }> {
  const session = (await (await fetch(`${s.url}/_inspector/session`)).json()) as { kbId: string; token: string; endpoint: string; channel: string };
  const url = `${session.endpoint}?kbId=${encodeURIComponent(session.kbId)}&token=${encodeURIComponent(session.token)}&channel=${session.channel}`;
  const ws = new WebSocket(url);
  sockets.push(ws);
  const results: Record<string, unknown>[] = [];
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as { type: string; data?: Record<string, unknown> };
    if (frame.type === 'message' && frame.data?.type === 'result') results.push(frame.data);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, results };
}

const waitFor = async (probe: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return probe();
};

it('answers an inspector action whose op is an object with an own toString, without throwing out of the feed', async () => {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.prependListener('uncaughtException', record);
  try {
    service = await createPulseService();
    const feed = await openFeed(service);
    const act = (id: number, op: unknown) =>
      feed.ws.send(JSON.stringify({ action: 'publish', channel: 'inspector', event: 'action', data: { id, op } }));

    act(1, 42); // control: an unknown op is refused with a result
    act(2, { toString: 1 });
    act(3, 'pause'); // and the feed (and process) still works afterwards

    const answered = await waitFor(() => feed.results.length >= 3 || uncaught.length > 0, 5000) && feed.results.length >= 3;
    expect(uncaught.map((error) => String((error as Error)?.message ?? error))).toEqual([]);
    expect(answered).toBe(true);
    expect(feed.results.find((r) => r.id === 2)).toMatchObject({ ok: false, code: 'invalid_argument' });
    expect(service.paused).toBe(true);
  } finally {
    process.off('uncaughtException', record);
  }
});
