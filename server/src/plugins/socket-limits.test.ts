/**
 * Socket.IO limits (SPEC "Security contract"): connections per address across
 * instances, subscribes per second and rooms per socket, message size.
 */
import { io as connect, type Socket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { baseUrl, connectSocket, signup, waitFor } from "../../test/helpers.js";
import { SOCKET_LIMITS } from "./limits.js";

const a = testApp({ listen: true, config: { rateLimits: true } });
const b = testApp({ listen: true, share: a, config: { rateLimits: true } });

const open = (url: string) =>
  new Promise<{ socket: Socket; ok: boolean }>((resolve) => {
    const socket = connect(url, { transports: ["websocket"], reconnection: false, forceNew: true });
    socket.once("connect", () => resolve({ socket, ok: true }));
    socket.once("connect_error", () => resolve({ socket, ok: false }));
  });

describe("socket limits", () => {
  it(`allows ${SOCKET_LIMITS.connectionsPerAddress} connections per address across instances, then refuses`, async () => {
    const urls = [baseUrl(a.app), baseUrl(b.app)];
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < SOCKET_LIMITS.connectionsPerAddress; i++) {
        const r = await open(urls[i % 2]!);
        sockets.push(r.socket);
        expect(r.ok, `connection ${i + 1}`).toBe(true);
      }
      for (const url of urls) {
        const over = await open(url);
        sockets.push(over.socket);
        expect(over.ok).toBe(false);
      }
      // A closed connection frees its slot.
      sockets[0]!.disconnect();
      let again = false;
      await waitFor(async () => {
        const r = await open(urls[1]!);
        sockets.push(r.socket);
        again = r.ok;
        return again;
      });
      expect(again).toBe(true);
    } finally {
      for (const s of sockets) s.disconnect();
    }
    // Every slot comes back once the sockets are gone.
    await waitFor(async () => {
      const r = await open(urls[0]!);
      r.socket.disconnect();
      return r.ok;
    });
  });

  it(`answers subscribes past ${SOCKET_LIMITS.subscribesPerSecond} per second with RATE_LIMITED`, async () => {
    await waitFor(async () => {
      const r = await open(baseUrl(a.app));
      r.socket.disconnect();
      return r.ok;
    });
    const s = await connectSocket(a.app);
    try {
      const acks = await Promise.all(Array.from({ length: 30 }, () => s.subscribe("feed")));
      const ok = acks.filter((x) => x.ok).length;
      expect(ok).toBeLessThanOrEqual(SOCKET_LIMITS.subscribesPerSecond);
      expect(ok).toBeGreaterThan(0);
      const refused = acks.find((x) => !x.ok) as { error: { code: string } };
      expect(refused.error.code).toBe("RATE_LIMITED");
      // The next second has room again.
      await new Promise((r) => setTimeout(r, 1100));
      expect((await s.subscribe("feed")).ok).toBe(true);
    } finally {
      s.close();
    }
  });

  it(`holds a socket to ${SOCKET_LIMITS.roomsPerSocket} rooms`, async () => {
    const owner = await signup(a.app);
    const { rows } = await a.sql.query(
      `INSERT INTO projects (owner_id, title) SELECT $1, 'Room ' || g FROM generate_series(1, $2) g RETURNING id`,
      [owner.id, SOCKET_LIMITS.roomsPerSocket + 1],
    );
    const s = await connectSocket(a.app);
    try {
      for (let i = 0; i < SOCKET_LIMITS.roomsPerSocket; i++) {
        const ack = await s.subscribe(`project:${rows[i].id}`);
        expect(ack.ok, `room ${i + 1}`).toBe(true);
        if (i % SOCKET_LIMITS.subscribesPerSecond === SOCKET_LIMITS.subscribesPerSecond - 1)
          await new Promise((r) => setTimeout(r, 1050));
      }
      const over = await s.subscribe(`project:${rows[SOCKET_LIMITS.roomsPerSocket].id}`);
      expect(over.ok).toBe(false);
      expect((over.error as { code: string }).code).toBe("TOO_MANY_ROOMS");
      // A room it is already in is fine, and leaving one makes room.
      expect((await s.subscribe(`project:${rows[0].id}`)).ok).toBe(true);
      await s.socket.timeout(2000).emitWithAck("unsubscribe", { room: `project:${rows[0].id}` });
      expect((await s.subscribe(`project:${rows[SOCKET_LIMITS.roomsPerSocket].id}`)).ok).toBe(true);
    } finally {
      s.close();
    }
  });

  it("drops a socket that sends a message over 16 KB", async () => {
    const s = await connectSocket(a.app);
    const dropped = new Promise<string>((resolve) => s.socket.once("disconnect", (reason) => resolve(reason)));
    s.socket.emit("subscribe", { room: "feed", pad: "x".repeat(17 * 1024) });
    expect(await dropped).toMatch(/transport close|transport error/);
    const small = await connectSocket(a.app);
    try {
      expect((await small.subscribe("feed")).ok).toBe(true);
    } finally {
      small.close();
    }
  });
});
