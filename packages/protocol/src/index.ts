/**
 * `@openkbs-pulse/protocol`: the OpenKBS Elastic Pulse wire protocol, limits, regions and
 * error codes, shared by the client, the server SDK and the local service. No dependencies.
 * @packageDocumentation
 */
export * from './limits.js';
export * from './errors.js';
export * from './regions.js';
export * from './frames.js';
export * from './api.js';
export * from './clock.js';
export * from './outgoing.js';
export { checkServerFrame, isPresenceMember } from './server-frame-check.js';
export { injectedOptionsProblem } from './injected.js';
export type { ParseResult, ParseSuccess, ParseFailure } from './result.js';
export {
  channelNameProblem,
  eventNameProblem,
  publishDataProblem,
  tokenRequestProblem,
  isTokenLifetime,
  secretKeyBytes,
  SECRET_RULE,
  isTimestamp,
  MAX_TIME_MS,
  mergeEventIntoData,
  shownValue,
  messageText,
  unreadableData,
  type JsonObject,
} from './validate.js';
