/**
 * What the service tells an attached inspector: one event per thing that happens (a connection
 * opens or closes, a subscription, a publish, a presence change, a refusal). The service holds
 * one optional tap and calls it only while an inspector page is open, so without one the cost
 * is a single `undefined` check at each of these points (arguments are not even evaluated).
 * @module
 */
import type { ErrorCode, JsonObject, PresenceChangeFrame } from '@openkbs-pulse/protocol';
import type { PulseConnection } from './connection.js';

/** Where a publish came from. */
export type PublishSource = PulseConnection | 'http' | 'inspector';

/** Where a refusal happened. */
export type RefusalSite = 'frame' | 'upgrade' | 'http';

/** One thing that happened in the service. */
export type ServiceEvent =
  | { kind: 'connect'; connection: PulseConnection }
  | { kind: 'disconnect'; connection: PulseConnection; code: number; reason: string }
  | { kind: 'subscribe' | 'unsubscribe'; connection: PulseConnection; channel: string }
  | {
      kind: 'publish';
      kbId: string;
      channel: string;
      event: string;
      data: JsonObject | null | undefined;
      from: PublishSource;
      delivered: number;
    }
  | { kind: 'presence'; kbId: string; change: PresenceChangeFrame }
  | { kind: 'refused'; site: RefusalSite; code: ErrorCode; message: string; kbId?: string; connection?: PulseConnection };

/** The service's one hook: set while an inspector is attached, `undefined` otherwise. */
export type ServiceTap = (event: ServiceEvent) => void;
