// The backend + client scenario run inside Deno and Bun (and any runtime with a global
// WebSocket and fetch), against a local service whose URL, kbId and API key come as arguments.
// It imports the packages by name (Deno through `npm:` specifiers), so each runtime's own
// resolver picks the entry points. It prints one line, `RESULT <json>`, that the vitest test
// around it reads: facts, not verdicts.
const Deno = globalThis.Deno;
const [apiUrl, kbId, apiKey] = Deno ? Deno.args : process.argv.slice(2);
const credentials = { kbId, apiKey, apiUrl };

// Counts sockets made with the runtime's own WebSocket, to tell whether the client picked it.
const Native = globalThis.WebSocket;
let nativeSockets = 0;
globalThis.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    nativeSockets++;
  }
};

const npm = Deno ? 'npm:' : '';
const { default: pulse } = await import(`${npm}openkbs-pulse/server`);
const { default: Pulse } = await import(`${npm}openkbs-pulse`);

const result = { runtime: Deno ? `deno ${Deno.version.deno}` : `bun ${globalThis.Bun.version}` };
const deadline = (ms, what) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms));

try {
  const { token, endpoint } = await pulse.getToken(kbId, apiKey, 'runtime-user', { apiUrl });
  result.token = typeof token === 'string' && token.length > 0;
  result.endpoint = endpoint;

  const client = new Pulse({ kbId, token, endpoint });
  const channel = client.channel('runtime');
  const received = new Promise((resolve) => channel.subscribe('hello', (data) => resolve(data)));
  const connected = new Promise((resolve) => {
    client.onStateChange((state) => state === 'connected' && resolve());
    if (client.state === 'connected') resolve();
  });
  await Promise.race([connected, deadline(10_000, 'connection')]);
  result.connected = true;
  await channel.presence.enter({ name: 'runtime-user' });

  const published = await pulse.publish('runtime', 'hello', { from: 'server' }, credentials);
  result.published = published;
  result.received = await Promise.race([received, deadline(10_000, 'delivery')]);

  // A client publish, delivered back to the same subscriber (at-least-once confirmed by the service).
  const echoed = new Promise((resolve) => channel.subscribe('echo', (data) => resolve(data)));
  await channel.publish('echo', { from: 'client' });
  result.echoed = await Promise.race([echoed, deadline(10_000, 'echo')]);

  // Presence through the server SDK: the client's enter is applied once its channel is synced.
  let members = await pulse.presence('runtime', credentials);
  for (let i = 0; i < 50 && members.count === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    members = await pulse.presence('runtime', credentials);
  }
  result.presence = members;
  result.nativeSockets = nativeSockets;
  client.disconnect();
  await pulse.close();
} catch (error) {
  result.error = String(error?.stack ?? error);
}
console.log(`RESULT ${JSON.stringify(result)}`);
// Deno and Bun keep running while a timer or socket is open; the answer is printed, so stop.
if (Deno) Deno.exit(0);
else process.exit(0);
