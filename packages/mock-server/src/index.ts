/**
 * `@openkbs-pulse/mock-server`: a protocol-faithful local OpenKBS Elastic Pulse service
 * (WebSocket + HTTP API on a real loopback port) for tests and development, and a fake clock.
 * @packageDocumentation
 */
export {
  createPulseService,
  type PulseService,
  type PulseServiceOptions,
  type PulseServiceEvents,
  type CreateTokenOptions,
} from './service.js';
export type { ConnectionInfo } from './connection.js';
export type { ServiceStats, TenantStats } from './stats.js';
export { createFakeClock, type FakeClock } from './fake-clock.js';
