import type { Server as HttpServer } from "node:http";
import type { Room } from "@shared/realtime/rooms";
import type { RedisLink } from "../cache/redis-link.js";
import type { Config } from "../config/env.js";
import { type EventBus, type Outgoing, RedisBus } from "../freshness/bus.js";
import type { Logger } from "../lib/log.js";
import type { Metrics } from "../lib/metrics.js";
import type { AuthUser } from "../modules/auth/auth.service.js";
import { Delivery, tuneTransport } from "./delivery.js";
import { Emitter } from "./emitter.js";
import { authenticateSockets } from "./handshake.js";
import { joinInstances } from "./instances.js";
import { Sessions } from "./sessions.js";
import { createSocketServer, type RealtimeServer } from "./socket-server.js";
import { RoomStream } from "./stream.js";
import { handleSubscriptions } from "./subscriptions.js";

/** What the rest of the app uses of the realtime part (`app.realtime`). */
export interface Realtime {
  io: RealtimeServer;
  bus: EventBus;
  /**
   * Hands envelopes to the coalescer, which numbers and publishes them.
   * Resolves true once they are published to every instance (false: delivered
   * to this instance only, Redis unreachable).
   */
  emit(batch: Outgoing[]): Promise<boolean>;
  /** Rooms that have sockets on this instance. */
  localRooms(): Room[];
  /**
   * Tells this instance's clients (only them) to refetch the rooms whose stream
   * moved past what this instance delivered (its subscription was down): each
   * such room gets a `cache:invalidate` resync numbered with the room's current
   * seq, a jump for a client that missed something. Returns how many it sent.
   */
  resyncLocal(reason: string): Promise<number>;
  health(): { up: boolean; adapter: "redis" | "memory"; sockets: number; subscription: boolean };
}

export interface RealtimeDeps {
  http: HttpServer;
  config: Pick<
    Config,
    | "mode"
    | "allowedOrigins"
    | "trustProxy"
    | "socketLimits"
    | "coalesceWindowMs"
    | "redisKeyPrefix"
    | "redisCluster"
    | "instanceId"
  >;
  metrics: Metrics;
  log: Logger;
  /** The Redis link (server mode), null in embedded mode. */
  redis: RedisLink | null;
  parseCookie(header: string): Record<string, string | undefined>;
  authenticate(token: string): Promise<AuthUser | null>;
  openSocket(address: string): Promise<(() => void) | null>;
  maySubscribe(socketId: string): Promise<boolean>;
  projectExists(id: string): Promise<boolean>;
}

export interface RealtimePart extends Realtime {
  /** Before the HTTP server closes: refuses new sockets, sends what is waiting, closes the sockets. */
  drain(): void;
  /** After: closes the engine, the bus and its Redis connections. */
  close(): Promise<void>;
}

/**
 * The realtime part: Socket.IO on the API's port. Clients subscribe to `feed`,
 * `project:<id>` and (only their own) `user:<id>`; every envelope carries its
 * room's `seq`. In server mode the Redis adapter joins the instances for room
 * management, and envelopes travel on the sequenced bus (freshness/bus.ts).
 *
 *   socket-server  the Socket.IO server and its handshake limits
 *   handshake      who a socket is
 *   subscriptions  subscribe / unsubscribe
 *   sessions       session rooms: token expiry, `session:ended`
 *   instances      the bus and the adapter
 *   emitter        the pipeline's way out: coalescing, then the bus
 *   stream         what was delivered per room, resyncs
 *   delivery       per-socket output by backpressure (ADR 017)
 */
export async function startRealtime(deps: RealtimeDeps): Promise<RealtimePart> {
  const { config, metrics, log } = deps;
  let draining = false;
  const io = createSocketServer(deps.http, {
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    openSocket: deps.openSocket,
    draining: () => draining,
  });
  // Per-socket delivery by backpressure, with a bound on slow consumers (ADR 017).
  const delivery = new Delivery(io, config.socketLimits, metrics, log);
  const sessions = new Sessions(io);
  // The bus numbers what the stream delivers, and the stream's resyncs read the bus and
  // go out through the emitter: both are bound below, before any socket connects.
  let bus!: EventBus;
  let emitter!: Emitter;
  const stream = new RoomStream({
    io,
    delivery,
    sessions,
    currentSeq: (room) => bus.currentSeq(room),
    emit: (batch) => emitter.emit(batch),
    metrics,
    log,
  });
  const instances = await joinInstances(io, deps.redis, config, stream.deliver, metrics, log);
  bus = instances.bus;
  emitter = new Emitter(bus, config.coalesceWindowMs, metrics, log);

  authenticateSockets(io, { parseCookie: deps.parseCookie, authenticate: deps.authenticate, log });
  const subscriptions = {
    maySubscribe: deps.maySubscribe,
    projectExists: deps.projectExists,
    currentSeq: (room: Room) => bus.currentSeq(room),
    ackSeq: (room: Room, seq: number) => stream.ackSeq(room, seq),
    log,
  };
  io.on("connection", (socket) => {
    metrics.socketsConnected.inc();
    tuneTransport(socket);
    sessions.attach(socket);
    socket.on("disconnect", () => metrics.socketsConnected.dec());
    handleSubscriptions(socket, subscriptions);
  });

  const server = config.mode === "server";
  return {
    io,
    bus,
    emit: emitter.emit,
    localRooms: () => stream.localRooms(),
    resyncLocal: (reason) => stream.resyncLocal(reason),
    health: () => ({
      up: server ? (deps.redis?.up ?? false) : true,
      adapter: server ? "redis" : "memory",
      sockets: io.of("/").sockets.size,
      // The event subscription, heartbeat-checked (a stalled one is false within 2 s).
      subscription: bus instanceof RedisBus ? bus.healthy : true,
    }),
    drain() {
      draining = true;
      emitter.drain();
      delivery.drain();
      delivery.close();
      io.local.disconnectSockets(true);
    },
    async close() {
      await new Promise<void>((resolve) => io.engine.close() && resolve());
      await instances.close();
    },
  };
}
