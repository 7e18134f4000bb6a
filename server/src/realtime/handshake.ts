import type { Logger } from "../lib/log.js";
import type { AuthUser } from "../modules/auth/auth.service.js";
import { tokenOf } from "../plugins/auth.js";
import type { RealtimeServer } from "./socket-server.js";

export interface HandshakeOptions {
  parseCookie(header: string): Record<string, string | undefined>;
  /** The user a token stands for; null when it is invalid, expired or revoked. */
  authenticate(token: string): Promise<AuthUser | null>;
  log: Logger;
}

/**
 * Who a socket is (SPEC "Realtime protocol"): `auth: {token}`, else the
 * `Authorization` header, else the session cookie. No token: anonymous, public
 * rooms only. A token given explicitly that is not valid refuses the
 * connection; a stale cookie only means "signed out".
 */
export function authenticateSockets(io: RealtimeServer, opts: HandshakeOptions) {
  io.use(async (socket, next) => {
    try {
      const fromAuth = typeof socket.handshake.auth?.token === "string" ? socket.handshake.auth.token : null;
      const cookies = opts.parseCookie(socket.handshake.headers.cookie ?? "");
      const found = fromAuth
        ? { token: fromAuth, explicit: true }
        : tokenOf({ authorization: socket.handshake.headers.authorization }, cookies);
      socket.data.user = found ? await opts.authenticate(found.token) : null;
      if (found?.explicit && !socket.data.user) {
        const err = new Error("unauthorized") as Error & { data?: unknown };
        err.data = { code: "UNAUTHORIZED", message: "The token is invalid or has expired" };
        return next(err);
      }
      next();
    } catch (err) {
      opts.log.error({ err }, "socket handshake failed");
      next(new Error("internal error"));
    }
  });
}
