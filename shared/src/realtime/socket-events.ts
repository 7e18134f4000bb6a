/**
 * The Socket.IO protocol as types, for `new Server<…>` on the server and
 * `Socket<…>` in the browser: every envelope of the catalogue under its type,
 * `session:ended`, and the client's `subscribe` / `unsubscribe` with their
 * acks (SPEC "Realtime protocol"). Defined once, here, from the catalogue: an
 * event added there is an event both sides' sockets know.
 */
import type { Envelope, EnvelopeType, EventData } from "./events";

/** `subscribe`'s payload: the room, and the last seq the client holds for it (after a reconnect). */
export interface SubscribeRequest {
  room: string;
  lastSeq?: number;
}

export type SubscribeErrorCode =
  | "RATE_LIMITED"
  | "BAD_ROOM"
  | "FORBIDDEN"
  | "TOO_MANY_ROOMS"
  | "NOT_FOUND"
  | "INTERNAL";

export interface AckError {
  code: SubscribeErrorCode;
  message: string;
}

/**
 * SPEC: `{ok: true, seq}` or `{ok: false, error}`. `missed` (when the request
 * carried `lastSeq`): the room moved past it while the client was away.
 */
export type SubscribeAck = { ok: true; seq: number; missed?: boolean } | { ok: false; error: AckError };

export type UnsubscribeAck = { ok: true } | { ok: false; error: AckError };

/** What a socket is told when its session ended (logout, token expiry): its private rooms are gone. */
export type SessionEnded = EventData<"session:ended">;

export type ServerToClientEvents = { [T in EnvelopeType]: (envelope: Envelope<T>) => void } & {
  "session:ended": (ended: SessionEnded) => void;
};

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAck) => void) => void;
  unsubscribe: (request: { room: string }, ack?: (answer: UnsubscribeAck) => void) => void;
}
