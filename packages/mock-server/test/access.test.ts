import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { crossSiteProblem, hostHeaderName, isLoopbackHost, originAllowed, readoutAllowed, secretMatches, type AccessPolicy } from '../src/access.js';

const loopback: AccessPolicy = { loopbackOnly: true, allowedOrigins: [], adminKey: 'k' };
const exposed: AccessPolicy = { loopbackOnly: false, allowedOrigins: [], adminKey: 'k' };
const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('access rules', () => {
  it('knows loopback listen addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '', '192.168.1.2', 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('reads host names out of Host headers', () => {
    expect(hostHeaderName('localhost:8080')).toBe('localhost');
    expect(hostHeaderName('[::1]:80')).toBe('::1');
    expect(hostHeaderName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostHeaderName('[')).toBeUndefined();
    expect(hostHeaderName(undefined)).toBeUndefined();
  });

  it('allows no Origin, loopback origins and listed ones only', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('http://localhost:5173', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', [])).toBe(true);
    expect(originAllowed('http://[::1]:3000', [])).toBe(true);
    expect(originAllowed('https://evil.example', [])).toBe(false);
    expect(originAllowed('null', [])).toBe(false);
    expect(originAllowed('file://', [])).toBe(false);
    expect(originAllowed('https://app.example', ['https://app.example'])).toBe(true);
    expect(originAllowed('https://evil.example', ['*'])).toBe(true);
  });

  it('refuses non-loopback Host headers on a loopback service (DNS rebinding) and foreign origins', () => {
    expect(crossSiteProblem(request({ host: '127.0.0.1:1234' }), loopback)).toBeUndefined();
    expect(crossSiteProblem(request({ host: 'evil.example:1234' }), loopback)).toMatch(/Host/);
    expect(crossSiteProblem(request({}), loopback)).toMatch(/Host/);
    expect(crossSiteProblem(request({ host: 'evil.example:1234' }), exposed)).toBeUndefined();
    expect(crossSiteProblem(request({ host: 'localhost', origin: 'https://evil.example' }), loopback)).toMatch(/allowedOrigins/);
  });

  it('lets read-outs through on loopback, and with the API key elsewhere', () => {
    expect(readoutAllowed(request({ host: 'localhost:1' }), loopback)).toBe(true);
    expect(readoutAllowed(request({ host: 'localhost:1', origin: 'https://evil.example' }), loopback)).toBe(false);
    expect(readoutAllowed(request({ host: '10.0.0.2:1' }), exposed)).toBe(false);
    expect(readoutAllowed(request({ host: '10.0.0.2:1', authorization: 'Bearer nope' }), exposed)).toBe(false);
    expect(readoutAllowed(request({ host: '10.0.0.2:1', authorization: 'Bearer k' }), exposed)).toBe(true);
  });

  it('compares secrets whatever their lengths', () => {
    expect(secretMatches('local-api-key', 'local-api-key')).toBe(true);
    expect(secretMatches('local-api-ke', 'local-api-key')).toBe(false);
    expect(secretMatches('', 'local-api-key')).toBe(false);
    expect(secretMatches(42, 'local-api-key')).toBe(false);
  });
});
