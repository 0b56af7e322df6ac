// A connection's id is made from its number when asked (connection.ts keeps no string), and
// `service.kill(id)` finds a connection by hasId: only the exact id it gives names it.
import { describe, expect, it } from 'vitest';
import { PulseConnection } from '../src/connection.js';

// As ws makes a server's sockets (address null): no socket under it, which these tests never write to.
const ServerSideConnection = PulseConnection as unknown as new (address: null, protocols: undefined, options: object) => PulseConnection;
const connection = () => new ServerSideConnection(null, undefined, {}).accept('kb', 'u1', 1000, 2, 10);

describe('connection ids', () => {
  it('are the same each time asked, differ between connections, and have the form prefix-number', () => {
    const [a, b] = [connection(), connection()];
    expect(a.id).toBe(a.id);
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{8}-(0|[1-9a-z][0-9a-z]*)$/);
  });

  it('name only their own connection', () => {
    const [a, b] = [connection(), connection()];
    expect(a.hasId(a.id)).toBe(true);
    expect(a.hasId(b.id)).toBe(false);
  });

  it('are not matched by other spellings of the same number, or by anything else', () => {
    let a = connection();
    while (!/^[0-9a-z]+[a-z]$/.test(a.id.split('-')[1]!)) a = connection(); // two base-36 digits or more, the last a letter
    const [prefix, digits] = a.id.split('-') as [string, string];
    for (const other of [`${prefix}-0${digits}`, `${prefix}-${digits.toUpperCase()}`, `${prefix}-${digits} `, `${prefix}-`, prefix, `x${a.id}`, `${prefix}-${parseInt(digits, 36)}`, '', `${prefix}-zzzzzzzzzzzzzzzzzzzz`]) {
      expect(a.hasId(other), other).toBe(false);
    }
  });
});
