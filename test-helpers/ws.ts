/**
 * The `ws` package for root tests (a root devDependency), re-exported with its types.
 * @module
 */
import WsWebSocket, { WebSocketServer as WsWebSocketServer } from 'ws';

/** The `ws` WebSocket class (Node client). */
export const WebSocket = WsWebSocket;
/** The `ws` WebSocket server class. */
export const WebSocketServer = WsWebSocketServer;
export type { WsWebSocket, WsWebSocketServer };
