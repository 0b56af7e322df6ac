/**
 * The `GET /stats` document: connections, channels, presence members and message counts per kb.
 * @module
 */
import type { Region } from '@openkbs-pulse/protocol';
import type { Tenant } from './channels.js';

/** Counts of one knowledge base. */
export interface TenantStats {
  /** Whether Pulse is enabled for this kb. */
  enabled: boolean;
  /** The kb's region (reported in its tokens and API answers). */
  region: Region;
  /** Open connections. */
  connections: number;
  /** Channels with at least one subscriber or presence member. */
  channels: number;
  /** Subscriptions over all channels. */
  subscriptions: number;
  /** Presence members over all channels. */
  presenceMembers: number;
  /** Messages published (over WebSocket and HTTP). */
  published: number;
  /** Message frames delivered to subscribers. */
  delivered: number;
}

/** What `service.stats()` and `GET /stats` return. */
export interface ServiceStats {
  /** Whether the service answers frames (false while paused). */
  answering: boolean;
  /** Open connections, over every kb. */
  connections: number;
  /** Active channels, over every kb. */
  channels: number;
  /** Presence members, over every kb. */
  presenceMembers: number;
  /** Messages published, over every kb. */
  published: number;
  /** Message frames delivered, over every kb. */
  delivered: number;
  /** Counts per kbId. */
  kbs: Record<string, TenantStats>;
}

/** Counts of one tenant. */
export function tenantStats(tenant: Tenant): TenantStats {
  let subscriptions = 0;
  let presenceMembers = 0;
  for (const state of tenant.channels.values()) {
    subscriptions += state.subscribers.size;
    presenceMembers += state.members.size;
  }
  return {
    enabled: tenant.enabled,
    region: tenant.region,
    connections: tenant.connections,
    channels: tenant.channels.size,
    subscriptions,
    presenceMembers,
    published: tenant.published,
    delivered: tenant.delivered,
  };
}

/** The stats document of every tenant. */
export function serviceStats(tenants: Iterable<Tenant>, answering: boolean): ServiceStats {
  const entries: [string, TenantStats][] = [];
  const stats: ServiceStats = { answering, connections: 0, channels: 0, presenceMembers: 0, published: 0, delivered: 0, kbs: {} };
  for (const tenant of tenants) {
    const counts = tenantStats(tenant);
    entries.push([tenant.kbId, counts]);
    stats.connections += counts.connections;
    stats.channels += counts.channels;
    stats.presenceMembers += counts.presenceMembers;
    stats.published += counts.published;
    stats.delivered += counts.delivered;
  }
  // Any kbId is an own key, `__proto__` too (fromEntries defines each; `kbs[kbId] =` on an object
  // literal called the __proto__ setter, and that kb vanished from the read-out).
  stats.kbs = Object.fromEntries(entries);
  return stats;
}
