import { coalesceKeyOf, type Envelope, resyncEvent, throttleOf } from "@shared/realtime/events";
import { parseRoom, type Room } from "@shared/realtime/rooms";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import fp from "fastify-plugin";
import type { Redis } from "ioredis";
import { Server, type Socket } from "socket.io";
import { connectRedis, redisTarget } from "../cache/redis-link.js";
import { type EventBus, MemoryBus, type Outgoing, RedisBus } from "../freshness/bus.js";
import { Coalescer } from "../freshness/coalescer.js";
import type { AuthUser } from "../modules/auth/auth.service.js";
import { Delivery, tuneTransport } from "../realtime/delivery.js";
import { tokenOf } from "./auth.js";
import { SOCKET_LIMITS } from "./limits.js";
import { isCrossSite, rawClientAddress, rawOwnOrigin } from "./security.js";

declare module "fastify" {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

export interface Realtime {
  io: Server;
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
  /** Ends a session's private subscriptions on every instance (logout). */
  endSession(sessionId: string): Promise<void>;
  health(): { up: boolean; adapter: "redis" | "memory"; sockets: number; subscription: boolean };
}

interface SocketData {
  user: AuthUser | null;
  expiry?: NodeJS.Timeout;
}

type AckError = { code: string; message: string };
type Ack = (r: { ok: true; seq: number; missed?: boolean } | { ok: false; error: AckError }) => void;

const END_SESSION = "zs:end-session";
/** Where allowRequest leaves the release of the connection slot it took, for the engine's close. */
const RELEASE_SLOT = Symbol("release socket slot");

const sessionRoom = (sid: string) => `session:${sid}`;

/**
 * Socket.IO on the API's port. Clients subscribe to `feed`, `project:<id>` and
 * (only their own) `user:<id>`; every envelope carries its room's `seq`. In
 * server mode the Redis adapter joins the instances for room management, and
 * envelopes travel on the sequenced bus (freshness/bus.ts).
 */
export default fp(
  async (app) => {
    const { config, metrics, auth, limits } = app;
    // While draining, new connections are refused: a client told to disconnect that
    // reconnects at once would otherwise hold the closing server open.
    let draining = false;
    const allowedOrigins = new Set(config.allowedOrigins.map((o) => o.toLowerCase()));
    const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(app.server, {
      path: "/socket.io",
      serveClient: false,
      pingInterval: 10_000,
      pingTimeout: 8_000,
      // SPEC "Security contract": socket messages of at most 16 KB.
      maxHttpBufferSize: 16 * 1024,
      allowRequest: async (req, callback) => {
        if (draining) return callback("shutting down", false);
        // A page of another site must not open a socket with the visitor's cookie (SPEC "Security contract").
        const headers = req.headers as { origin?: string; "sec-fetch-site"?: string };
        if (isCrossSite(headers, rawOwnOrigin(req, config.trustProxy), allowedOrigins))
          return callback("cross-site handshake refused", false);
        const release = await limits.openSocket(rawClientAddress(req, config.trustProxy));
        if (!release) return callback("too many connections from this address", false);
        (req as unknown as Record<symbol, () => void>)[RELEASE_SLOT] = release;
        callback(null, true);
      },
    });

    io.engine.on("connection", (conn: { request: object; once(e: "close", f: () => void): void }) => {
      const release = (conn.request as Record<symbol, (() => void) | undefined>)[RELEASE_SLOT];
      if (release) conn.once("close", release);
    });

    // Per-socket delivery by backpressure, with a bound on slow consumers (ADR 017).
    const delivery = new Delivery(io as unknown as Server, config.socketLimits, metrics, app.log);
    // The last number of the shared stream this instance delivered per room
    // (absent: unknown, or it delivered locally numbered envelopes meanwhile; ADR 014).
    const delivered = new Map<Room, number>();
    /** In `delivered`: this instance numbered envelopes of the room itself (Redis was unreachable). */
    const LOCALLY_NUMBERED = Number.NaN;
    const deliver = (batch: Envelope[], local = false) => {
      const out: Envelope[] = [];
      for (const e of batch) {
        if (local) {
          delivered.set(e.room, LOCALLY_NUMBERED);
          out.push(e);
          continue;
        }
        // Already covered: this instance's resync of the room went out with this number
        // (resyncRooms); sending the envelope too would repeat the seq.
        const last = delivered.get(e.room) ?? 0;
        if (e.seq <= last) continue;
        delivered.set(e.room, e.seq);
        out.push(e);
      }
      delivery.deliver(out);
    };

    let bus: EventBus;
    const redisConnections: Redis[] = [];
    const target = redisTarget(config);
    if (target && app.redis) {
      const pub = connectRedis(target);
      const sub = connectRedis(target, {}, { sharded: true });
      const events = connectRedis(target, { autoResubscribe: false }, { sharded: true });
      redisConnections.push(pub, sub, events);
      // Their outages are handled through the command link (RedisLink); here they only reconnect.
      for (const c of redisConnections) c.on("error", (err) => app.log.debug({ err }, "redis (pub/sub) error"));
      const redisBus = new RedisBus(
        app.redis,
        events,
        config.redisKeyPrefix,
        deliver,
        metrics,
        app.log,
        config.redisCluster !== null,
        config.instanceId,
      );
      await Promise.allSettled([pub.connect(), sub.connect(), events.connect()]);
      // On a cluster the adapter uses sharded pub/sub (Redis 7+): a message goes to the
      // shard owning its channel, not to every node of the cluster.
      io.adapter(
        config.redisCluster
          ? // Without the key prefix's hash tag: the adapter's channels may spread over the shards.
            createShardedAdapter(pub, sub, { channelPrefix: `${config.redisKeyPrefix.replace(/[{}]/g, "")}socket.io` })
          : createAdapter(pub, sub, { key: `${config.redisKeyPrefix}socket.io` }),
      );
      await redisBus.start();
      bus = redisBus;
    } else {
      bus = new MemoryBus(deliver);
    }

    const send = (batch: Outgoing[]) =>
      bus.publish(batch).catch((err) => {
        app.log.error({ err }, "could not deliver events");
        return false;
      });
    const coalescer = new Coalescer(config.coalesceWindowMs, send, metrics);
    // Events that only echo others (leaderboard:updated) get a window of their own.
    const throttled = new Map<number, Coalescer>();
    const emit = async (batch: Outgoing[]) => {
      const now: Outgoing[] = [];
      const sent: Promise<boolean>[] = [];
      for (const o of batch) {
        const ms = throttleOf(o.type);
        if (ms === undefined) now.push(o);
        else {
          const c = throttled.get(ms) ?? new Coalescer(ms, send, metrics);
          throttled.set(ms, c);
          sent.push(c.push([o]));
        }
      }
      if (now.length) sent.push(coalescer.push(now));
      return (await Promise.all(sent)).every(Boolean);
    };

    const endLocalSession = (sessionId: string) => {
      for (const socket of io.of("/").sockets.values()) {
        if (socket.data.user?.sessionId !== sessionId) continue;
        endPrivate(socket);
      }
    };
    const endPrivate = (socket: Socket) => {
      for (const room of socket.rooms) if (room.startsWith("user:") || room.startsWith("session:")) socket.leave(room);
      if (socket.data.expiry) clearTimeout(socket.data.expiry);
      socket.data.user = null;
      socket.emit("session:ended" as never, { reason: "signed out" } as never);
    };
    const server = config.mode === "server";
    if (server) io.on(END_SESSION as never, (sid: string) => endLocalSession(sid));

    io.use(async (socket, next) => {
      try {
        const fromAuth = typeof socket.handshake.auth?.token === "string" ? socket.handshake.auth.token : null;
        const cookies = app.parseCookie(socket.handshake.headers.cookie ?? "");
        const found = fromAuth
          ? { token: fromAuth, explicit: true }
          : tokenOf({ authorization: socket.handshake.headers.authorization }, cookies);
        socket.data.user = found ? await auth.authenticate(found.token) : null;
        if (found?.explicit && !socket.data.user) {
          const err = new Error("unauthorized") as Error & { data?: unknown };
          err.data = { code: "UNAUTHORIZED", message: "The token is invalid or has expired" };
          return next(err);
        }
        next();
      } catch (err) {
        app.log.error({ err }, "socket handshake failed");
        next(new Error("internal error"));
      }
    });

    io.on("connection", (socket) => {
      metrics.socketsConnected.inc();
      tuneTransport(socket);
      const user = socket.data.user;
      if (user) {
        socket.join(sessionRoom(user.sessionId));
        // Token expiry ends private subscriptions, as a logout does.
        const ms = user.expiresAt * 1000 - Date.now();
        socket.data.expiry = setTimeout(() => endPrivate(socket), Math.min(Math.max(ms, 0), 2 ** 31 - 1));
      }
      socket.on("disconnect", () => {
        metrics.socketsConnected.dec();
        if (socket.data.expiry) clearTimeout(socket.data.expiry);
      });

      socket.on("subscribe" as never, async (payload: unknown, ack: unknown) => {
        const reply: Ack = typeof ack === "function" ? (ack as Ack) : () => {};
        try {
          // Each subscribe can cost a database lookup: 20 per second per socket, 100 rooms at most.
          if (!(await limits.subscribe(socket.id)))
            return reply({ ok: false, error: { code: "RATE_LIMITED", message: "Too many subscribes; slow down" } });
          const { room, lastSeq } = (payload ?? {}) as { room?: unknown; lastSeq?: unknown };
          const parsed = parseRoom(room);
          if (!parsed) return reply({ ok: false, error: { code: "BAD_ROOM", message: "Unknown room" } });
          if (parsed.kind === "user" && socket.data.user?.id !== parsed.id)
            return reply({
              ok: false,
              error: { code: "FORBIDDEN", message: "You may only subscribe to your own user room" },
            });
          const name = (parsed.kind === "feed" ? "feed" : `${parsed.kind}:${parsed.id}`) as Room;
          if (
            !socket.rooms.has(name) &&
            [...socket.rooms].filter((r) => parseRoom(r)).length >= SOCKET_LIMITS.roomsPerSocket
          )
            return reply({ ok: false, error: { code: "TOO_MANY_ROOMS", message: "Unsubscribe from a room first" } });
          if (parsed.kind === "project") {
            const exists = await app.db.prisma.project.findUnique({ where: { id: parsed.id }, select: { id: true } });
            if (!exists) return reply({ ok: false, error: { code: "NOT_FOUND", message: "Project not found" } });
          }
          // Join first, then read the number: anything numbered after the read reaches this socket.
          await socket.join(name);
          const seq = await bus.currentSeq(name);
          reply(typeof lastSeq === "number" ? { ok: true, seq, missed: lastSeq !== seq } : { ok: true, seq });
        } catch (err) {
          app.log.error({ err }, "subscribe failed");
          reply({ ok: false, error: { code: "INTERNAL", message: "Could not subscribe" } });
        }
      });

      socket.on("unsubscribe" as never, async (payload: unknown, ack: unknown) => {
        const reply = typeof ack === "function" ? (ack as (r: unknown) => void) : () => {};
        const parsed = parseRoom((payload as { room?: unknown } | null)?.room);
        if (!parsed) return reply({ ok: false, error: { code: "BAD_ROOM", message: "Unknown room" } });
        await socket.leave(parsed.kind === "feed" ? "feed" : `${parsed.kind}:${parsed.id}`);
        reply({ ok: true });
      });
    });

    // One resync at a time: two overlapping runs (two recoveries in a row) would both read a
    // room's seq before either recorded it, and send the same resync twice (a repeated seq).
    let resyncing: Promise<unknown> = Promise.resolve();
    const resyncLocal = (reason: string): Promise<number> => {
      const run = resyncing.then(() => resyncRooms(reason));
      resyncing = run.catch(() => {});
      return run;
    };
    const resyncRooms = async (reason: string) => {
      const e = resyncEvent();
      const at = new Date().toISOString();
      let sent = 0;
      const unknown: Room[] = [];
      const rooms = [...io.of("/").adapter.rooms.keys()].filter((r): r is Room => parseRoom(r) !== null);
      for (const room of rooms) {
        const seq = await bus.currentSeq(room);
        const last = delivered.get(room) ?? 0;
        if (last >= seq) continue;
        sent++;
        if (Number.isNaN(last)) {
          // This instance numbered envelopes itself meanwhile: its clients may hold any number
          // up to `seq`, so the resync takes a number of its own from the bus (the room's
          // clients on other instances refetch too).
          unknown.push(room);
          continue;
        }
        // Only this instance fell behind: its clients get the resync at the stream's current
        // number; the envelopes up to it that still arrive are dropped by deliver().
        delivered.set(room, seq);
        delivery.deliver([{ type: e.type, room, seq, at, data: e.data } as Envelope]);
      }
      if (unknown.length)
        await emit(unknown.map((room) => ({ room, type: e.type, data: e.data, at, key: coalesceKeyOf(e) })));
      metrics.resyncs.inc({ reason }, sent);
      app.log.info({ reason, rooms: sent }, "resynced this instance's clients");
      return sent;
    };

    const realtime: Realtime = {
      io: io as unknown as Server,
      bus,
      emit,
      resyncLocal,
      localRooms: () => [...io.of("/").adapter.rooms.keys()].filter((r): r is Room => parseRoom(r) !== null),
      async endSession(sessionId) {
        endLocalSession(sessionId);
        if (server) io.serverSideEmit(END_SESSION as never, sessionId as never);
      },
      health: () => ({
        up: server ? (app.redis?.up ?? false) : true,
        adapter: server ? "redis" : "memory",
        sockets: io.of("/").sockets.size,
        // The event subscription, heartbeat-checked (a stalled one is false within 2 s).
        subscription: bus instanceof RedisBus ? bus.healthy : true,
      }),
    };
    app.decorate("realtime", realtime);

    // Drain before the HTTP server closes: send what is waiting, then close the
    // sockets (open WebSockets would otherwise hold the server open).
    app.addHook("preClose", async () => {
      draining = true;
      coalescer.drain();
      for (const c of throttled.values()) c.drain();
      delivery.drain();
      delivery.close();
      io.local.disconnectSockets(true);
    });
    app.addHook("onClose", async () => {
      await new Promise<void>((resolve) => io.engine.close() && resolve());
      await bus.close();
      for (const c of redisConnections) c.disconnect();
    });
  },
  { name: "realtime", dependencies: ["config", "metrics", "cache", "auth", "db", "limits"] },
);
