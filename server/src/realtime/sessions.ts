import type { Envelope } from "@shared/realtime/events";
import { rooms } from "@shared/realtime/rooms";
import type { SessionEnded } from "@shared/realtime/socket-events";
import type { RealtimeServer, RealtimeSocket } from "./socket-server.js";

/** The longest delay setTimeout takes (about 24.8 days); a later expiry is re-armed by the next handshake anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The sessions of this instance's sockets. A signed-in socket joins its
 * session's room (`session:<id>`) at the handshake. A session ends for a socket
 * when its token expires (this instance's timer) or when a `session:ended`
 * event reaches the room (a logout, through the pipeline and the bus, on
 * whichever instance holds the socket): the socket leaves its private rooms,
 * becomes anonymous (it cannot subscribe to them again) and is told
 * `session:ended`. Public rooms keep working.
 */
export class Sessions {
  constructor(private readonly io: RealtimeServer) {}

  /** Called for each new socket. */
  attach(socket: RealtimeSocket) {
    const user = socket.data.user;
    if (!user) return;
    socket.join(rooms.session(user.sessionId));
    // Token expiry ends private subscriptions, as a logout does.
    const ms = user.expiresAt * 1000 - Date.now();
    socket.data.expiry = setTimeout(
      () => this.endFor(socket, { sessionId: user.sessionId, reason: "expired" }),
      Math.min(Math.max(ms, 0), MAX_TIMER_MS),
    );
    socket.on("disconnect", () => {
      if (socket.data.expiry) clearTimeout(socket.data.expiry);
    });
  }

  /** A `session:ended` envelope reached this instance: ends the session on each of its sockets here. */
  end(e: Envelope<"session:ended">) {
    const nsp = this.io.of("/");
    for (const id of [...(nsp.adapter.rooms.get(e.room) ?? [])]) {
      const socket = nsp.sockets.get(id);
      if (socket) this.endFor(socket, e.data);
    }
  }

  private endFor(socket: RealtimeSocket, ended: SessionEnded) {
    for (const room of socket.rooms) if (room.startsWith("user:") || room.startsWith("session:")) socket.leave(room);
    if (socket.data.expiry) clearTimeout(socket.data.expiry);
    socket.data.user = null;
    socket.emit("session:ended", ended);
  }
}
