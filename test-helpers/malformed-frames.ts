/**
 * fast-check generators of frames that break the wire protocol, each one invalid by construction
 * (so a parser that accepts one has a bug). Shared by the parser, service and client fuzz tests.
 *
 * Each generated frame says why it is invalid (`reason`), for readable counterexamples.
 * Extend by adding a case to the `oneof` of {@link malformedClientFrame} or {@link malformedServerFrame}.
 * @module
 */
import fc from 'fast-check';
import {
  CLIENT_ACTIONS,
  MAX_CHANNEL_NAME_LENGTH,
  MAX_EVENT_NAME_LENGTH,
  MAX_MESSAGE_BYTES,
  encodeFrame,
  type ClientAction,
  type ServerFrame,
} from '@openkbs-pulse/protocol';

/** One malformed frame: a text message, or a binary one. */
export interface MalformedFrame {
  /** What is wrong with it. */
  reason: string;
  /** Text frames are strings; binary frames are bytes. */
  payload: string | Uint8Array;
}

const frame = (reason: string, payload: string | Uint8Array): MalformedFrame => ({ reason, payload });

// eslint-disable-next-line no-control-regex
const name = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

/** Strings that are not valid channel names. */
const badChannel: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(''),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.integer({ min: 1, max: 20 }).map((n) => 'x'.repeat(MAX_CHANNEL_NAME_LENGTH + n)),
  fc.tuple(name, fc.integer({ min: 0, max: 0x1f })).map(([s, c]) => s + String.fromCharCode(c)),
  name.map((s) => `${s}\u007f`),
);

const badEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(''),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.integer({ min: 1, max: 20 }).map((n) => 'e'.repeat(MAX_EVENT_NAME_LENGTH + n)),
  fc.tuple(name, fc.integer({ min: 0, max: 0x1f })).map(([s, c]) => String.fromCharCode(c) + s),
);

/** Publish payloads that are not JSON objects. */
const badData: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

/** Valid JSON texts that are not objects. */
const jsonNonObject = fc
  .jsonValue({ maxDepth: 3 })
  .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
  .map((v) => frame('JSON but not an object', JSON.stringify(v)));

/** Strings that are not JSON at all. */
const notJson = fc
  .oneof(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60, unit: 'binary' }))
  .filter((s) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v !== 'object' || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  })
  .map((s) => frame('not a JSON object', s));

/** Any proper prefix of a JSON object's text is not valid JSON. */
function truncated(valid: fc.Arbitrary<string>): fc.Arbitrary<MalformedFrame> {
  return valid.chain((text) =>
    fc.integer({ min: 1, max: text.length - 1 }).map((cut) => frame('truncated mid-frame', text.slice(0, cut))),
  );
}

const binary = fc
  .uint8Array({ minLength: 0, maxLength: 64 })
  .map((bytes) => frame('binary frame', bytes));

const validAction: fc.Arbitrary<ClientAction> = fc.oneof(
  name.map((channel): ClientAction => ({ action: 'subscribe', channel })),
  fc.tuple(name, name, fc.dictionary(name, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })).map(
    ([channel, event, data]): ClientAction => ({ action: 'publish', channel, event, data: { ...data, type: event } }),
  ),
  name.map((channel): ClientAction => ({ action: 'presence_enter', channel, data: { n: 1 } })),
  fc.constant<ClientAction>({ action: 'ping' }),
);

/** Client → service frames that the service must reject with a typed `error` frame. */
export function malformedClientFrame(): fc.Arbitrary<MalformedFrame> {
  const channelActions = CLIENT_ACTIONS.filter((action) => action !== 'ping');
  return fc.oneof(
    notJson,
    jsonNonObject,
    binary,
    truncated(validAction.map((action) => encodeFrame(action))),
    fc
      .oneof(
        fc.string({ maxLength: 20 }).filter((s) => !(CLIENT_ACTIONS as readonly string[]).includes(s)),
        fc.integer(),
        fc.constant(null),
        fc.boolean(),
        fc.array(fc.constant('subscribe'), { minLength: 1, maxLength: 2 }),
      )
      .chain((action) =>
        name.map((channel) => frame('unknown action', JSON.stringify({ action, channel }))),
      ),
    name.map((channel) => frame('missing action', JSON.stringify({ channel }))),
    fc
      .tuple(fc.constantFrom(...channelActions), badChannel)
      .map(([action, channel]) => frame(`${action} with a bad channel`, JSON.stringify({ action, channel }))),
    fc
      .constantFrom(...channelActions)
      .map((action) => frame(`${action} without a channel`, JSON.stringify({ action }))),
    fc
      .tuple(name, badEvent)
      .map(([channel, event]) => frame('publish with a bad event', JSON.stringify({ action: 'publish', channel, event, data: {} }))),
    fc
      .tuple(name, name, badData)
      .map(([channel, event, data]) =>
        frame('publish with non-object data', JSON.stringify({ action: 'publish', channel, event, data })),
      ),
    fc
      .tuple(name, name, name)
      .filter(([, event, other]) => event !== other)
      .map(([channel, event, other]) =>
        frame('publish with a data.type that is not the event', JSON.stringify({ action: 'publish', channel, event, data: { type: other } })),
      ),
    fc
      .tuple(name, fc.integer({ min: 1, max: 4096 }))
      .map(([channel, extra]) =>
        frame(
          'over the size limit',
          JSON.stringify({ action: 'publish', channel, event: 'big', data: { blob: 'x'.repeat(MAX_MESSAGE_BYTES + extra) } }),
        ),
      ),
    fc
      .tuple(fc.constantFrom('subscribe', 'publish', 'ping'), name)
      .map(([action, channel]) =>
        frame('__proto__ key', `{"action":"${action}","channel":${JSON.stringify(channel)},"event":"e","data":{"__proto__":{"polluted":true}}}`),
      ),
  );
}

const validServerFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.tuple(name, name).map(([channel, type]): ServerFrame => ({ type: 'message', channel, data: { type, n: 1 }, timestamp: 1 })),
  fc.constant<ServerFrame>({ type: 'pong', timestamp: 1 }),
  name.map((channel): ServerFrame => ({
    type: 'presence',
    action: 'sync',
    channel,
    count: 1,
    members: [{ userId: 'u', connectionId: 'c', connectedAt: 1 }],
  })),
);

const badMember: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.constant('member'),
  fc.record({ connectionId: name }),
  fc.record({ userId: name }),
  fc.record({ userId: fc.constant(''), connectionId: name }),
  fc.record({ userId: name, connectionId: fc.integer() }),
  fc.record({ userId: name, connectionId: name, connectedAt: fc.oneof(fc.string(), fc.constant(null), fc.boolean()) }),
);

const badNumber: fc.Arbitrary<unknown> = fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.boolean(), fc.constant([1]));

/** Service → client frames that a client must reject (and report as a typed error). */
export function malformedServerFrame(): fc.Arbitrary<MalformedFrame> {
  return fc.oneof(
    notJson,
    jsonNonObject,
    binary,
    truncated(validServerFrame.map((f) => encodeFrame(f))),
    fc
      .oneof(
        fc.string({ maxLength: 12 }).filter((s) => !['message', 'presence', 'pong', 'error'].includes(s)),
        fc.integer(),
        fc.constant(null),
      )
      .map((type) => frame('unknown frame type', JSON.stringify({ type, channel: 'c', timestamp: 1 }))),
    fc
      .tuple(badChannel.filter((c) => typeof c !== 'string' || c === ''), name)
      .map(([channel, type]) =>
        frame('message with a bad channel', JSON.stringify({ type: 'message', channel, data: { type }, timestamp: 1 })),
      ),
    fc
      .tuple(name, fc.oneof(badData, fc.constant(null), fc.record({ type: fc.integer() }), fc.record({ other: name })))
      .map(([channel, data]) => frame('message with bad data', JSON.stringify({ type: 'message', channel, data, timestamp: 1 }))),
    fc
      .tuple(name, name, badNumber)
      .map(([channel, type, timestamp]) =>
        frame('message with a bad timestamp', JSON.stringify({ type: 'message', channel, data: { type }, timestamp })),
      ),
    fc
      .tuple(name, fc.oneof(badNumber, fc.integer({ max: -1 })))
      .map(([channel, count]) =>
        frame('presence sync with a bad count', JSON.stringify({ type: 'presence', action: 'sync', channel, count, members: [] })),
      ),
    fc
      .tuple(name, fc.oneof(fc.constant(null), fc.integer(), fc.record({ a: name })))
      .map(([channel, members]) =>
        frame('presence sync with bad members', JSON.stringify({ type: 'presence', action: 'sync', channel, count: 0, members })),
      ),
    fc
      .tuple(name, badMember)
      .map(([channel, member]) =>
        frame('presence sync with a bad member', JSON.stringify({ type: 'presence', action: 'sync', channel, count: 1, members: [member] })),
      ),
    fc
      .tuple(name, fc.constantFrom('enter', 'leave', 'update'), badMember)
      .map(([channel, action, member]) =>
        frame(`presence ${action} with a bad member`, JSON.stringify({ type: 'presence', action, channel, member })),
      ),
    fc
      .tuple(name, fc.string({ maxLength: 8 }).filter((s) => !['sync', 'enter', 'leave', 'update'].includes(s)))
      .map(([channel, action]) =>
        frame('presence with a bad action', JSON.stringify({ type: 'presence', action, channel, member: { userId: 'u', connectionId: 'c' } })),
      ),
    badNumber.map((timestamp) => frame('pong with a bad timestamp', JSON.stringify({ type: 'pong', timestamp }))),
    fc
      .oneof(fc.integer(), fc.constant(null), fc.record({ m: name }))
      .map((error) => frame('error with a non-string error', JSON.stringify({ type: 'error', error, code: 'forbidden' }))),
    name.map((channel) =>
      frame('__proto__ key', `{"type":"message","channel":${JSON.stringify(channel)},"data":{"type":"t","__proto__":{"x":1}},"timestamp":1}`),
    ),
    // The rules the client's old inline checks missed (issue 11): the client now uses the same parser.
    fc
      .tuple(name, name, fc.integer({ min: -1e15, max: -1 }))
      .map(([channel, type, timestamp]) => frame('message with a negative timestamp', JSON.stringify({ type: 'message', channel, data: { type }, timestamp }))),
    badChannel
      .filter((c) => typeof c === 'string' && c !== '')
      .map((channel) => frame('message to an invalid channel name (too long, control characters)', JSON.stringify({ type: 'message', channel, data: { type: 't' }, timestamp: 1 }))),
    fc
      .tuple(name, fc.double({ min: 0.1, max: 99.9, noNaN: true }).filter((n) => !Number.isInteger(n)))
      .map(([channel, count]) => frame('presence sync with a fractional count', JSON.stringify({ type: 'presence', action: 'sync', channel, count, members: [] }))),
    name.map((channel) =>
      frame(
        'presence sync with a count below the members listed',
        JSON.stringify({ type: 'presence', action: 'sync', channel, count: 1, members: [{ userId: 'a', connectionId: 'a' }, { userId: 'b', connectionId: 'b' }] }),
      ),
    ),
    fc.tuple(name, fc.integer({ min: 65, max: 200 })).map(([channel, depth]) => {
      let data = '{"type":"t"}';
      for (let i = 2; i < depth; i++) data = `{"type":"t","n":${data}}`;
      return frame('message nested over 64 levels', `{"type":"message","channel":${JSON.stringify(channel)},"data":${data},"timestamp":1}`);
    }),
    fc.integer({ min: -1e15, max: -1 }).map((timestamp) => frame('pong with a negative timestamp', JSON.stringify({ type: 'pong', timestamp }))),
  );
}

/** A server frame over the client parser's default limit (4 MiB): use sparingly, it is big. */
export function oversizedServerFrame(): MalformedFrame {
  return frame(
    'over the size limit',
    JSON.stringify({ type: 'message', channel: 'c', data: { type: 't', blob: 'x'.repeat(MAX_MESSAGE_BYTES * 128) }, timestamp: 1 }),
  );
}
