// A connection keeps its token's exp (s), not the time it closes: when the service closes it, and
// with which code, follow from that and the service's connection TTL.
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@openkbs-pulse/protocol';
import { closesAt, closesWith, PulseConnection } from '../src/connection.js';

// As ws makes a server's sockets (address null): no socket under it, which these tests never write to.
const ServerSideConnection = PulseConnection as unknown as new (address: null, protocols: undefined, options: object) => PulseConnection;
const connection = (connectedAt: number, tokenExp: number) => new ServerSideConnection(null, undefined, {}).accept('kb', 'u1', connectedAt, tokenExp, 10);

describe('when a connection closes', () => {
  it('at its token expiry when the token ends first', () => {
    const c = connection(1_000.5, 60);
    expect(closesAt(c, 3_600_000)).toBe(60_000);
    expect(closesWith(c, 3_600_000)).toBe(CLOSE_CODES.tokenExpired);
  });

  it('after the connection TTL when that ends first', () => {
    const c = connection(1_000.5, 3_600);
    expect(closesAt(c, 60_000)).toBe(61_000.5);
    expect(closesWith(c, 60_000)).toBe(CLOSE_CODES.connectionTtl);
  });

  it('with the token expired code when both end together', () => {
    const c = connection(1_000, 61);
    expect(closesAt(c, 60_000)).toBe(61_000);
    expect(closesWith(c, 60_000)).toBe(CLOSE_CODES.tokenExpired);
  });

  it('as its info says', () => {
    const c = connection(1_000, 61);
    expect(c.info(closesAt(c, 60_000))).toMatchObject({ connectedAt: 1_000, closesAt: 61_000 });
  });
});
