/**
 * The `ws` package for root tests. The root package does not depend on `ws`, so it is loaded
 * from the bench workspace package, which does; its types come from the root `@types/ws`.
 * @module
 */
import { createRequire } from 'node:module';
import type WsWebSocket from 'ws';
import type { WebSocketServer as WsWebSocketServer } from 'ws';

const load = createRequire(new URL('../bench/package.json', import.meta.url));
const ws = load('ws') as { WebSocket: typeof WsWebSocket; WebSocketServer: typeof WsWebSocketServer };

/** The `ws` WebSocket class (Node client). */
export const WebSocket = ws.WebSocket;
/** The `ws` WebSocket server class. */
export const WebSocketServer = ws.WebSocketServer;
export type { WsWebSocket, WsWebSocketServer };
