// An outside review found: service.createToken(userId, null) throws a TypeError synchronously
// ("Cannot read properties of null (reading 'kbId')"): its options default only replaces
// undefined. createToken returns a promise, and a method that returns a promise never throws
// synchronously (a `createToken(id, opts).catch(...)` chain is skipped and the throw escapes the
// caller). Its bad userId and expiresIn are rejections with invalid_argument; null options should
// be the defaults (as the server SDK's getToken takes null options) or an invalid_argument
// rejection, never a synchronous throw. addTenant(kbId, apiKey, null) throws the same bare
// TypeError where its documented failure is a PulseError invalid_argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPulseService, type PulseService } from '../src/index.js';

let service: PulseService;
beforeAll(async () => {
  service = await createPulseService();
});
afterAll(() => service.close());

describe('null options', () => {
  it('createToken(userId, null) returns a promise instead of throwing synchronously', async () => {
    let result: Promise<string> | undefined;
    expect(() => {
      result = service.createToken('alice', null as never);
    }).not.toThrow();
    // Either the defaults or a typed refusal; never a bare TypeError.
    await result?.then(
      (token) => expect(typeof token).toBe('string'),
      (error: unknown) => expect(error).toMatchObject({ code: 'invalid_argument' }),
    );
  });

  it('addTenant(kbId, apiKey, null) adds the tenant with the defaults or throws invalid_argument, not a TypeError', () => {
    let thrown: unknown;
    try {
      service.addTenant('kb-null-options', 'key', null as never);
    } catch (error) {
      thrown = error;
    }
    if (thrown !== undefined) expect(thrown).toMatchObject({ code: 'invalid_argument' });
    else expect(service.stats().kbs['kb-null-options']).toMatchObject({ enabled: true });
  });
});

describe('options that are not an object', () => {
  it('createToken(userId, 3600) rejects with invalid_argument naming the options (never a throw, never the defaults)', async () => {
    let result: Promise<string> | undefined;
    expect(() => {
      result = service.createToken('alice', 3600 as never);
    }).not.toThrow();
    await expect(result).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('createToken: options') });
  });

  it('createToken with a kbId that is not a string rejects with invalid_argument', async () => {
    await expect(service.createToken('alice', { kbId: 5 as never })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('kbId') });
  });

  it("addTenant(kbId, apiKey, 'eu-central-1') throws invalid_argument and adds nothing", () => {
    expect(() => service.addTenant('kb-string-options', 'key', 'eu-central-1' as never)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(service.stats().kbs['kb-string-options']).toBeUndefined();
  });
});
