import type { Server as HttpServer } from "node:http";
import type { ClientToServerEvents, ServerToClientEvents } from "@shared/realtime/socket-events";
import { Server, type Socket } from "socket.io";
import type { AuthUser } from "../modules/auth/auth.service.js";
import { isCrossSite, rawClientAddress, rawOwnOrigin } from "../plugins/security.js";

/** What the app keeps on each socket. */
export interface SocketData {
  /** The signed-in user of the handshake; null when anonymous or once the session ended. */
  user: AuthUser | null;
  /** Ends the private rooms when the token expires. */
  expiry?: NodeJS.Timeout;
}

/** Instances send each other nothing through Socket.IO: envelopes travel on the event bus. */
type InterServerEvents = Record<string, never>;

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SocketServerOptions {
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  /** Holds one of the address's connection slots; null when it has all it may (SPEC "Security contract"). */
  openSocket(address: string): Promise<(() => void) | null>;
  /** True once the app is closing: new connections are refused. */
  draining(): boolean;
}

/** Where allowRequest leaves the release of the connection slot it took, for the engine's close. */
const RELEASE_SLOT = Symbol("release socket slot");

/**
 * Socket.IO on the API's HTTP server, with the handshake checks that run before
 * Socket.IO itself: no new connections while draining, none from another site,
 * and at most so many per client address (the slot is released when the
 * engine's connection closes).
 */
export function createSocketServer(http: HttpServer, opts: SocketServerOptions): RealtimeServer {
  const allowedOrigins = new Set(opts.allowedOrigins.map((o) => o.toLowerCase()));
  const io: RealtimeServer = new Server(http, {
    path: "/socket.io",
    serveClient: false,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    // SPEC "Security contract": socket messages of at most 16 KB.
    maxHttpBufferSize: 16 * 1024,
    allowRequest: async (req, callback) => {
      // A client told to disconnect that reconnects at once would otherwise hold the closing server open.
      if (opts.draining()) return callback("shutting down", false);
      // A page of another site must not open a socket with the visitor's cookie (SPEC "Security contract").
      const headers = req.headers as { origin?: string; "sec-fetch-site"?: string };
      if (isCrossSite(headers, rawOwnOrigin(req, opts.trustProxy), allowedOrigins))
        return callback("cross-site handshake refused", false);
      const release = await opts.openSocket(rawClientAddress(req, opts.trustProxy));
      if (!release) return callback("too many connections from this address", false);
      (req as unknown as Record<symbol, () => void>)[RELEASE_SLOT] = release;
      callback(null, true);
    },
  });

  io.engine.on("connection", (conn: { request: object; once(e: "close", f: () => void): void }) => {
    const release = (conn.request as Record<symbol, (() => void) | undefined>)[RELEASE_SLOT];
    if (release) conn.once("close", release);
  });
  return io;
}
