/**
 * `openkbs-pulse/react`: React (18 or newer) bindings of the Pulse client. One client per
 * `<PulseProvider>`, hooks for channels, presence, publishing and the connection state; safe under
 * StrictMode (one socket, one subscription per channel, no presence flicker) and server rendering
 * (nothing opens on the server; the browser connects after hydration).
 * @packageDocumentation
 */
export { PulseProvider, type PulseProviderProps } from './provider.js';
export type { PulseProviderOptions } from './hub.js';
export {
  defineChannel,
  useChannel,
  useChannelEvents,
  usePublish,
  type ChannelName,
  type ChannelEventsOptions,
  type Publish,
} from './channel.js';
export { usePresence, type PresenceState } from './presence.js';
export { useConnectionState, useConnectionError, usePulseClient } from './connection.js';
