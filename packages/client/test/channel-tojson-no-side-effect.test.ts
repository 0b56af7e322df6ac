// An outside review noticed: JSON.stringify(channel) (a debug log of a Pulse channel) started
// presence tracking of a subscribed channel, as reading presence.members does, so logging it sent
// a presence request and kept presence up to date from then on. Logging shows what is known now
// and changes nothing.
import { expect, it } from 'vitest';
import { flush, setupPulse } from './helpers.js';

it('JSON.stringify of a subscribed channel sends nothing and starts no tracking; reading members does', async () => {
  const { ws, pulse } = setupPulse();
  ws.last.accept();
  const room = pulse.channel('room');
  room.subscribe('m', () => {});
  await flush();
  const presenceFrames = () => ws.last.frames.filter((f) => String(f.action).startsWith('presence')).length;
  expect(JSON.parse(JSON.stringify(room))).toEqual({ name: 'room', presence: { members: [], count: 0 } });
  await flush();
  expect(presenceFrames()).toBe(0);
  // control: reading members starts tracking (a presence request).
  expect(room.presence.members).toEqual([]);
  await flush();
  expect(presenceFrames()).toBe(1);
});
