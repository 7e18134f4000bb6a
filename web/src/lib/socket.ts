import type { ClientToServerEvents, ServerToClientEvents } from "@shared/realtime/socket-events";
import { io, type Socket } from "socket.io-client";

/** The tab's socket, typed by the protocol (shared/src/realtime/socket-events.ts). */
export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The tab's one socket. Same origin, so the session cookie authenticates the
 * handshake; after a login or logout the realtime client reconnects to pick
 * up the new identity. WebSocket first: no long-polling round trips before
 * the first event.
 */
export function createSocket(): AppSocket {
  return io({
    path: "/socket.io",
    autoConnect: false,
    withCredentials: true,
    transports: ["websocket", "polling"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
}
