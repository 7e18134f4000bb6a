/** The web app is served by the API's process: files, deep links (SPA fallback), and JSON 404s for the API. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { BOOT_ELEMENT_ID, FEED_PAGE_SIZE, feedPath, profilePath, projectPath } from "@shared/first-reads";
import { PAGE_ROUTES } from "@shared/page-routes";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompressDir } from "../../../web/build/vite-plugins.js";
import { call, createProject, signup } from "../../test/helpers.js";
import { buildApp } from "../app.js";
import { loadConfig } from "../config/env.js";
import errorsPlugin from "./errors.js";
import webPlugin, { PAGE_PRELOADS_FILE } from "./web.js";

let app: FastifyInstance;
let root: string;
const BIG_JS = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word number ${i}`))};`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "zs-web-"));
  await mkdir(join(root, "assets"));
  await writeFile(
    join(root, "index.html"),
    '<!doctype html><html><head><title>Zerostale</title></head><body><div id="root"></div></body></html>',
  );
  await writeFile(join(root, PAGE_PRELOADS_FILE), JSON.stringify({ "/projects/:id": ["/assets/project-page-x1.js"] }));
  await writeFile(join(root, "assets", "app-abc123.js"), "console.log(1)");
  await writeFile(join(root, "assets", "big-abc123.js"), BIG_JS);
  await writeFile(join(root, "robots.txt"), "User-agent: *\nAllow: /\n");
  await writeFile(join(root, "favicon.ico"), Buffer.from([0, 0, 1, 0, 1, 0]));
  app = await buildApp({
    config: { ...loadConfig({ LOG_LEVEL: "silent", SEED: "never" }), dataDir: "memory://" },
    logger: false,
    webRoot: root,
  });
  await app.ready();
  // After the app is up (it serves what the directory holds at request time): compressing
  // first delayed the embedded database's start past Fastify's plugin timeout on a loaded machine.
  await precompressDir(root);
});
afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

describe("web app", () => {
  it("serves index.html at / and for client-side routes, revalidated on every load", async () => {
    for (const url of ["/", "/projects/1b2c", "/messages/abc", "/leaderboard?x=1", "/projects/new", "/users/u1/"]) {
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

  it("answers every page of the shared route table with the page, and nothing else", async () => {
    const example = (pattern: string) => pattern.replace(/:[a-zA-Z]+/g, "0b9f3c2e-1d4a-4e8b-9c7d-2f6a5b4c3d2e");
    for (const pattern of PAGE_ROUTES) {
      const res = await app.inject({ url: example(pattern) });
      expect(res.statusCode, pattern).toBe(200);
    }
  });

  it("answers unknown URLs with 404 and the app's page (which shows Page not found), never cached", async () => {
    for (const url of ["/no/such/page", "/projects", "/projects/1/2/3", "/leaderboardx", "/users"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"], url).toMatch(/text\/html/);
      expect(res.body).toContain("<title>Zerostale</title>");
      expect(res.headers["cache-control"]).toBe("no-cache");
    }
    // HEAD agrees with GET.
    expect((await app.inject({ method: "HEAD", url: "/no/such/page" })).statusCode).toBe(404);
  });

  it("answers a missing file (a chunk of an older build, a probe) with a plain 404, not the page", async () => {
    for (const url of ["/assets/gone-123.js", "/apple-touch-icon.png", "/assets/app-abc123.js.map"]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
  });

  it("serves a real favicon and robots.txt, not the app's HTML", async () => {
    const icon = await app.inject({ url: "/favicon.ico" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
    const robots = await app.inject({ url: "/robots.txt" });
    expect(robots.statusCode).toBe(200);
    expect(robots.headers["content-type"]).toMatch(/text\/plain/);
    expect(robots.body).toMatch(/^User-agent: \*/);
  });

  it("sends the build's brotli or gzip copy to clients that accept it, and plain bytes to the rest", async () => {
    const original = await readFile(join(root, "assets", "big-abc123.js"), "utf8");
    const br = await app.inject({ url: "/assets/big-abc123.js", headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.statusCode).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toMatch(/javascript/);
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.rawPayload.length).toBeLessThan(original.length / 3);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(original);

    const gz = await app.inject({ url: "/assets/big-abc123.js", headers: { "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString()).toBe(original);

    const plain = await app.inject({ url: "/assets/big-abc123.js", headers: { "accept-encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(original);
  });
});

/** What a page carries (shared/src/first-reads.ts); null when it carries nothing. */
function boot(html: string): { answers: Record<string, unknown>; seqs: Record<string, number> } | null {
  const m = new RegExp(`<script type="application/json" id="${BOOT_ELEMENT_ID}">([^<]*)</script>`).exec(html);
  return m ? JSON.parse(m[1]!) : null;
}
/** The answers a page carries, by API path; null when it carries none. */
const inlined = (html: string) => boot(html)?.answers ?? null;
const cookie = (token: string) => ({ cookie: `zs_session=${token}` });

describe("a page's first reads, inlined", () => {
  it("carries the API's own answers: the session and the feed page the URL shows", async () => {
    const ann = await signup(app);
    await createProject(app, ann, { title: "Inlined project" });
    const res = await app.inject({ url: "/?sort=newest" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers.vary).toMatch(/cookie/i);
    const data = inlined(res.body)!;
    const path = feedPath({ sort: "newest", page: 1, pageSize: FEED_PAGE_SIZE });
    expect(Object.keys(data).sort()).toEqual(["/auth/session", path].sort());
    expect(data["/auth/session"]).toEqual({ user: null });
    expect(data[path]).toEqual((await call(app, "GET", `/api${path}`)).json());
    expect((data[path] as { items: { title: string }[] }).items[0]?.title).toBe("Inlined project");
  });

  it("reads as the signed-in reader (their votes, their session) and is then never stored", async () => {
    const ben = await signup(app, { name: "Ben Inline" });
    const project = await createProject(app, ben);
    await call(app, "POST", `/api/projects/${project.id}/upvote`, { token: ben.token });
    const res = await app.inject({ url: "/?sort=newest", headers: cookie(ben.token) });
    expect(res.headers["cache-control"]).toBe("no-store");
    const data = inlined(res.body)!;
    expect((data["/auth/session"] as { user: { name: string } }).user.name).toBe("Ben Inline");
    const feed = data[feedPath({ sort: "newest", page: 1, pageSize: FEED_PAGE_SIZE })] as {
      items: { id: string; myVote: number }[];
    };
    expect(feed.items.find((p) => p.id === project.id)?.myVote).toBe(1);
  });

  it("gives a project page its project, its owner's profile and its chunks to preload", async () => {
    const cleo = await signup(app);
    const project = await createProject(app, cleo);
    const res = await app.inject({ url: `/projects/${project.id.toUpperCase()}` });
    const data = inlined(res.body)!;
    expect(data[projectPath(project.id)]).toEqual((await call(app, "GET", `/api/projects/${project.id}`)).json());
    expect(data[profilePath(cleo.id)]).toEqual((await call(app, "GET", `/api/users/${cleo.id}`)).json());
    expect(res.body).toContain('<link rel="modulepreload" crossorigin href="/assets/project-page-x1.js">');
    expect(res.body.indexOf("modulepreload")).toBeLessThan(res.body.indexOf("</head>"));
    // Not for the other pages, and a project that does not exist is left for the app to find out.
    expect((await app.inject({ url: "/leaderboard" })).body).not.toContain("modulepreload");
    const missing = inlined((await app.inject({ url: "/projects/0b9f3c2e-1d4a-4e8b-9c7d-2f6a5b4c3d2e" })).body)!;
    expect(Object.keys(missing)).toEqual(["/auth/session"]);
  });

  it("cannot be broken out of: an answer's < is escaped, and the JSON reads back as sent", async () => {
    const dan = await signup(app);
    const title = "</script><script>alert(1)</script><!--";
    await createProject(app, dan, { title });
    const res = await app.inject({ url: "/?sort=newest" });
    expect(res.body).not.toContain("<script>alert(1)");
    expect(res.body.match(/<\/script>/g)?.length).toBe(1);
    const feed = inlined(res.body)![feedPath({ sort: "newest", page: 1, pageSize: FEED_PAGE_SIZE })] as {
      items: { title: string }[];
    };
    expect(feed.items[0]?.title).toBe(title);
  });

  it("carries the numbers of the rooms the page joins, which move when something happens in them", async () => {
    const eve = await signup(app);
    const before = boot((await app.inject({ url: "/" })).body)!.seqs;
    expect(Object.keys(before)).toEqual(["feed"]);
    const project = await createProject(app, eve);
    const after = boot((await app.inject({ url: "/" })).body)!.seqs;
    expect(after.feed).toBeGreaterThan(before.feed!);
    const own = boot((await app.inject({ url: `/projects/${project.id}`, headers: cookie(eve.token) })).body)!.seqs;
    expect(Object.keys(own).sort()).toEqual(["feed", `project:${project.id}`, `user:${eve.id}`].sort());
  });

  it("is gzipped for clients that accept it", async () => {
    const res = await app.inject({ url: "/", headers: { "accept-encoding": "gzip, br" } });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(inlined(gunzipSync(res.rawPayload).toString())).not.toBeNull();
  });

  it("goes out without them when they take too long, rather than hold back the app's code", async () => {
    const slow = Fastify({ logger: false });
    await slow.register(errorsPlugin);
    slow.get("/api/auth/session", async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return { user: null };
    });
    await slow.register(webPlugin, { enabled: true, root });
    await slow.ready();
    try {
      const started = Date.now();
      const res = await slow.inject({ url: "/leaderboard" });
      expect(res.statusCode).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(inlined(res.body)).toBeNull();
      expect(res.body).toContain("<title>Zerostale</title>");
    } finally {
      await slow.close();
    }
  });
});
