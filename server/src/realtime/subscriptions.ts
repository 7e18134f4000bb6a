import { parseRoom, type Room } from "@shared/realtime/rooms";
import type { SubscribeAck, UnsubscribeAck } from "@shared/realtime/socket-events";
import type { Logger } from "../lib/log.js";
import { SOCKET_LIMITS } from "../plugins/limits.js";
import type { RealtimeSocket } from "./socket-server.js";

export interface SubscriptionOptions {
  /** Whether this socket may subscribe once more now (SPEC: 20 per second per socket). */
  maySubscribe(socketId: string): Promise<boolean>;
  projectExists(id: string): Promise<boolean>;
  /** The room's current number, once everything numbered up to it reached this instance's sockets (EventBus.currentSeq). */
  currentSeq(room: Room): Promise<number>;
  /**
   * The number the ack carries, decided at the moment it is sent: the bus's
   * number, or the last one this instance already handed to the room's sockets
   * if that is higher (RoomStream.ackSeq).
   */
  ackSeq(room: Room, seq: number): number;
  log: Logger;
}

/** The ack callback a client passed, if it passed one (its payload is not trusted). */
const replyOf =
  <A>(ack: unknown) =>
  (answer: A) => {
    if (typeof ack === "function") ack(answer);
  };

/**
 * `subscribe` and `unsubscribe` (SPEC "Realtime protocol"): public rooms for
 * anyone, `user:<id>` only for that user, at most SOCKET_LIMITS.roomsPerSocket
 * rooms, projects that exist. The ack carries the room's current seq, read
 * after the join: anything numbered later reaches the socket.
 */
export function handleSubscriptions(socket: RealtimeSocket, opts: SubscriptionOptions) {
  socket.on("subscribe", async (payload: unknown, ack: unknown) => {
    const reply = replyOf<SubscribeAck>(ack);
    try {
      // Each subscribe can cost a database lookup: 20 per second per socket, 100 rooms at most.
      if (!(await opts.maySubscribe(socket.id)))
        return reply({ ok: false, error: { code: "RATE_LIMITED", message: "Too many subscribes; slow down" } });
      const { room, lastSeq } = (payload ?? {}) as { room?: unknown; lastSeq?: unknown };
      const parsed = parseRoom(room);
      if (!parsed) return reply({ ok: false, error: { code: "BAD_ROOM", message: "Unknown room" } });
      if (parsed.kind === "user" && socket.data.user?.id !== parsed.id)
        return reply({
          ok: false,
          error: { code: "FORBIDDEN", message: "You may only subscribe to your own user room" },
        });
      const name: Room = parsed.kind === "feed" ? "feed" : `${parsed.kind}:${parsed.id}`;
      if (
        !socket.rooms.has(name) &&
        [...socket.rooms].filter((r) => parseRoom(r)).length >= SOCKET_LIMITS.roomsPerSocket
      )
        return reply({ ok: false, error: { code: "TOO_MANY_ROOMS", message: "Unsubscribe from a room first" } });
      if (parsed.kind === "project" && !(await opts.projectExists(parsed.id)))
        return reply({ ok: false, error: { code: "NOT_FOUND", message: "Project not found" } });
      // Join first, then read the number: anything numbered after the read reaches this socket.
      await socket.join(name);
      // Synchronous from here to the reply: no envelope can slip between them.
      const seq = opts.ackSeq(name, await opts.currentSeq(name));
      reply(typeof lastSeq === "number" ? { ok: true, seq, missed: lastSeq !== seq } : { ok: true, seq });
    } catch (err) {
      opts.log.error({ err }, "subscribe failed");
      reply({ ok: false, error: { code: "INTERNAL", message: "Could not subscribe" } });
    }
  });

  socket.on("unsubscribe", async (payload: unknown, ack: unknown) => {
    const reply = replyOf<UnsubscribeAck>(ack);
    const parsed = parseRoom((payload as { room?: unknown } | null)?.room);
    if (!parsed) return reply({ ok: false, error: { code: "BAD_ROOM", message: "Unknown room" } });
    await socket.leave(parsed.kind === "feed" ? "feed" : `${parsed.kind}:${parsed.id}`);
    reply({ ok: true });
  });
}
