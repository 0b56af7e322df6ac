// requestTarget: one reading of a request-target for every route of the service. A path is taken
// as sent (never resolved as a URL), and an absolute-form target's host is its own.
import { describe, expect, it } from 'vitest';
import { requestTarget } from '../src/target.js';

const read = (target: string | undefined) => {
  const t = requestTarget(target);
  return t && { pathname: t.pathname, query: t.searchParams.toString(), host: t.host };
};

describe('requestTarget', () => {
  it.each<[string | undefined, ReturnType<typeof read>]>([
    [undefined, { pathname: '/', query: '', host: undefined }],
    ['/', { pathname: '/', query: '', host: undefined }],
    ['/stats?x=1&y=2', { pathname: '/stats', query: 'x=1&y=2', host: undefined }],
    ['/?kbId=a&token=b?c', { pathname: '/', query: 'kbId=a&token=b%3Fc', host: undefined }],
    ['//api/', { pathname: '//api/', query: '', host: undefined }],
    ['/a/../stats', { pathname: '/a/../stats', query: '', host: undefined }],
    ['/%2e%2e/', { pathname: '/%2e%2e/', query: '', host: undefined }],
    ['http://127.0.0.1:4000/stats?x=1', { pathname: '/stats', query: 'x=1', host: '127.0.0.1:4000' }],
    ['HTTP://localhost', { pathname: '/', query: '', host: 'localhost' }],
    ['ws://[::1]:4000/?token=t', { pathname: '/', query: 'token=t', host: '[::1]:4000' }],
  ])('reads %s', (target, expected) => {
    expect(read(target)).toEqual(expected);
  });

  it.each(['*', '127.0.0.1:4000', 'stats', '//[', '/\\x', '/a b', 'ftp://evil.example/stats', 'file:///etc/passwd', 'http://user@127.0.0.1/', 'http://[/', 'http:///stats', ''])(
    'refuses %j (no route has it)',
    (target) => {
      expect(requestTarget(target)).toBeUndefined();
    },
  );
});
