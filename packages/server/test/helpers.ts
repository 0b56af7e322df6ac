// Shared helpers of the server SDK unit tests: an msw server intercepting global fetch, and a
// client factory that forces the fetch transport (msw does not see undici's own sockets).
import { http, HttpResponse, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { runCli } from '../src/cli-run.js';
import { createPulseClient, type PulseClientOptions } from '../src/client.js';

export const API_URL = 'http://pulse.test/';
export const KB_ID = 'kb-unit';
export const API_KEY = 'sk-super-secret-api-key-1234567890';

export const server = setupServer();

/** A request body the fake API received. */
export type Received = Record<string, unknown>;

/** Installs a handler for POST {API_URL}; returns the bodies it received. */
export function onApi(answer: (body: Received, request: Request) => Response | Promise<Response>, url = API_URL): Received[] {
  const received: Received[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      const body = (await request.clone().json()) as Received;
      received.push(body);
      return answer(body, request);
    }),
  );
  return received;
}

/** Answers every request with `json` and `status`. */
export function answerWith(json: JsonBodyType, status = 200, headers?: Record<string, string>): Received[] {
  return onApi(() => HttpResponse.json(json, { status, headers }));
}

/** Records the delays the client waits between retries, without waiting. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

export function makeClient(options: PulseClientOptions = {}) {
  const { sleep, delays } = recordingSleep();
  const client = createPulseClient({
    transport: 'fetch',
    apiUrl: API_URL,
    kbId: KB_ID,
    apiKey: API_KEY,
    env: () => ({}),
    sleep,
    random: () => 0.5,
    ...options,
  });
  return { client, delays };
}

/** Every string view of an error a logger could print. */
export async function everyRendering(error: unknown): Promise<string> {
  const { inspect } = await import('node:util');
  const e = error as Error & { cause?: unknown };
  return [String(e), e.message, e.stack ?? '', inspect(e, { depth: 10 }), JSON.stringify(e), JSON.stringify(e.cause ?? null)].join('\n');
}

/** A JWT-shaped token (header and claims readable, signature not checked): the SDK refuses an answer whose token is not one. */
export const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJrYklkIjoia2ItdW5pdCIsInVzZXJJZCI6ImFsaWNlIn0.sig';
export const TOKEN_RESPONSE = { token: TOKEN, endpoint: 'wss://pulse.vpc1.us', region: 'us-east-1', expiresIn: 86400 };
/**
 * A token answer for the request `body`: its token's kbId and userId claims are the ones asked for,
 * as getToken requires (token-answer-claims.test.ts).
 */
export function tokenResponseFor(body: Received) {
  const claims = Buffer.from(JSON.stringify({ kbId: body.kbId, userId: body.userId })).toString('base64url');
  return { ...TOKEN_RESPONSE, token: `eyJhbGciOiJIUzI1NiJ9.${claims}.sig` };
}
export const PUBLISH_RESPONSE = { delivered: 3, timestamp: 1_704_067_200_000 };

/** The environment the in-process CLI tests run with: the fake API's URL and credentials. */
export const CLI_ENV = { OPENKBS_KB_ID: 'kb-cli', OPENKBS_API_KEY: API_KEY, OPENKBS_API_URL: API_URL };

/** Runs the CLI in-process on the fetch transport (msw sees it), without retries; returns its exit code and output. */
export async function runCliCaptured(argv: string[], env: Record<string, string> = CLI_ENV, clientOptions: PulseClientOptions = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    clientOptions: { transport: 'fetch', retries: 0, ...clientOptions },
  });
  return { code, stdout, stderr };
}
