// A `clock` option that is not a clock ({}, 5) was taken by createPulseService, and every token it
// minted then failed with a bare TypeError ("clock.now is not a function"), as did each connection.
// It is refused when the service is created, with invalid_argument naming the option.
import { afterEach, expect, it } from 'vitest';
import { createFakeClock, createPulseService, type PulseService, type PulseServiceOptions } from '../src/index.js';

let service: PulseService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

const created = (options: PulseServiceOptions): Promise<unknown> =>
  createPulseService(options).then(
    (made) => ((service = made), 'created'),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  );

it.each([{}, 5, { now: () => 0 }])('refuses clock: %j as invalid_argument naming it', async (clock) => {
  expect(await created({ clock: clock as never })).toEqual({ code: 'invalid_argument', message: expect.stringMatching(/^clock must be an object with now\(\), setTimeout\(\) and clearTimeout\(\)/) });
});

it('takes a fake clock, and no clock', async () => {
  expect(await created({ clock: createFakeClock() })).toBe('created');
  await service?.close();
  expect(await created({ clock: undefined })).toBe('created');
});
