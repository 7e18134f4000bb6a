/** The web app is served by the API's process: files, deep links (SPA fallback), and JSON 404s for the API. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { loadConfig } from "../config/env.js";

let app: FastifyInstance;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "zs-web-"));
  await mkdir(join(root, "assets"));
  await writeFile(join(root, "index.html"), "<!doctype html><title>Zerostale</title>");
  await writeFile(join(root, "assets", "app-abc123.js"), "console.log(1)");
  app = await buildApp({
    config: { ...loadConfig({ LOG_LEVEL: "silent", SEED: "never" }), dataDir: "memory://" },
    logger: false,
    webRoot: root,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

describe("web app", () => {
  it("serves index.html at / and for client-side routes, revalidated on every load", async () => {
    for (const url of ["/", "/projects/1b2c", "/messages/abc", "/leaderboard?x=1"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.body).toContain("<title>Zerostale</title>");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
  });

  it("serves hashed assets as immutable, and files added after start (a rebuild needs no restart)", async () => {
    const res = await app.inject({ url: "/assets/app-abc123.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toMatch(/immutable/);
    await writeFile(join(root, "assets", "later-def456.js"), "console.log(2)");
    expect((await app.inject({ url: "/assets/later-def456.js" })).statusCode).toBe(200);
  });

  it("answers unknown API paths with a JSON 404 in the SPEC shape, not the page", async () => {
    for (const [method, url] of [
      ["GET", "/api/nope"],
      ["POST", "/api/nope"],
      ["GET", "/socket.io/nope"],
      ["DELETE", "/somewhere"],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
  });
});
