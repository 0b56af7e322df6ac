import { afterEach, describe, expect, it } from 'vitest';
import { isPulseError, type PulseError } from '@openkbs-pulse/protocol';
import { createPulseService, type PulseService } from '../src/index.js';

const services: PulseService[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

async function start(options: Parameters<typeof createPulseService>[0] = {}): Promise<PulseService> {
  const service = await createPulseService(options);
  services.push(service);
  return service;
}

async function rejection(promise: Promise<unknown>): Promise<PulseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPulseError(error)) throw new Error(`expected a PulseError, got ${String(error)}`);
  return error;
}

describe('mock-server errors are PulseErrors with stable codes', () => {
  it('start() after close() rejects with disconnected', async () => {
    const service = await start();
    await service.close();
    const error = await rejection(service.start());
    expect(error.code).toBe('disconnected');
    expect(error.message).toMatch(/closed/);
  });

  it('a port in use rejects with invalid_argument naming host:port, the system error as cause', async () => {
    const first = await start();
    const error = await rejection(start({ port: first.port }));
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain(`127.0.0.1:${first.port}`);
    expect(error.message).toMatch(/in use/);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(error.statusCode).toBeUndefined();
  });

  it('setEnabled on an unknown kbId throws invalid_argument and creates no tenant', async () => {
    const service = await start();
    let thrown: unknown;
    try {
      service.setEnabled('no-such-kb', false);
    } catch (error) {
      thrown = error;
    }
    expect(isPulseError(thrown) && thrown.code).toBe('invalid_argument');
    expect((thrown as Error).message).toContain('no-such-kb');
    expect(Object.keys(service.stats().kbs)).toEqual([service.kbId]);
    // Known kbs still work.
    service.setEnabled(service.kbId, false);
    expect(service.stats().kbs[service.kbId]?.enabled).toBe(false);
  });
});
