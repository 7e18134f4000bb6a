import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import fastifyStatic from "@fastify/static";
import { BOOT_ELEMENT_ID, firstReads, firstRooms, followUpReads, SESSION_PATH } from "@shared/first-reads";
import { matchPageRoute, type PageRoute } from "@shared/page-routes";
import type { Room } from "@shared/realtime/rooms";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { ROOT } from "../lib/paths.js";
import { notFoundBody } from "./errors.js";

export const WEB_DIST = join(ROOT, "web", "dist");
const API_PATHS = /^\/(api|socket\.io|metrics)(\/|$|\?)/;
/** A path whose last segment has an extension asks for a file (a stale chunk, a probe), never for a page. */
const FILE_LIKE = /\/[^/]*\.[a-z0-9]+$/i;
/** Written by the build (web/build/vite-plugins.ts): the chunks each lazily loaded page needs first. */
export const PAGE_PRELOADS_FILE = "page-preloads.json";
/**
 * How long a page waits for the reads it inlines. Past it, the page goes out
 * without them (the app fetches them itself): a slow database must not also
 * hold back the download of the app's code. Well under what the reads save on
 * a phone (the app's code, then a round trip: a second or more on a slow
 * link), well over a warm read (2–20 ms here; a cold instance's first took ~450 ms).
 */
export const FIRST_READS_BUDGET_MS = 500;
const gz = promisify(gzip);

interface Template {
  mtimeMs: number;
  html: string;
  preloads: Partial<Record<PageRoute, string[]>>;
}

/** index.html and the preload table as web/dist holds them now (re-read when the build changes them). */
function templates(root: string) {
  let current: Template | null = null;
  return async (): Promise<Template> => {
    const { mtimeMs } = await stat(resolve(root, "index.html"));
    if (current?.mtimeMs === mtimeMs) return current;
    const html = await readFile(resolve(root, "index.html"), "utf8");
    let preloads: Template["preloads"] = {};
    try {
      preloads = JSON.parse(await readFile(resolve(root, PAGE_PRELOADS_FILE), "utf8"));
    } catch {
      // A build without the table (or a hand-made root): pages load their chunks as they render.
    }
    current = { mtimeMs, html, preloads };
    return current;
  };
}

interface FirstReads {
  /** API path → the answer's JSON text. */
  answers: Map<string, string>;
  /** The number of each room the page joins, read before the answers. */
  seqs: Record<string, number>;
}

/**
 * The API's own answers to a page's first reads (shared/src/first-reads.ts),
 * read through the API as the browser would read them (same routes, same
 * session cookie, same cache), or null past the budget. Only 200 answers are
 * kept: anything else the app will meet and handle when it asks itself.
 *
 * The numbers of the page's rooms are read first: every change numbered by
 * then was committed and its cache entries invalidated before it was numbered
 * (the pipeline's order), so the answers read after include it. When the app
 * joins a room and its number has not moved, nothing in it changed since these
 * reads and the app need not read them again (ADR 016); when it has, or any
 * number is missing, the app refetches as it always did.
 */
async function readFirst(
  app: FastifyInstance,
  request: FastifyRequest,
  reads: string[],
  roomsToJoin: string[],
): Promise<FirstReads | null> {
  const headers = {
    accept: "application/json",
    "accept-encoding": "identity",
    ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
  };
  const get = async (path: string) => {
    const res = await app.inject({ method: "GET", url: `/api${path}`, headers });
    return res.statusCode === 200 ? res.body : null;
  };
  const all = (async () => {
    const seqs: Record<string, number> = {};
    if (app.hasDecorator("realtime"))
      await Promise.all(
        roomsToJoin.map(async (room) => {
          seqs[room] = await app.realtime.bus.currentSeq(room as Room);
        }),
      ).catch(() => {
        // No numbers (Redis unreachable): the app refetches on joining, as without them.
        for (const room of roomsToJoin) delete seqs[room];
      });
    const answers = new Map<string, string>();
    await Promise.all(
      reads.map(async (path) => {
        const body = await get(path);
        if (body === null) return;
        answers.set(path, body);
        const more = followUpReads(path, JSON.parse(body));
        await Promise.all(
          more.map(async (next) => {
            const b = await get(next);
            if (b !== null) answers.set(next, b);
          }),
        );
      }),
    );
    return { answers, seqs };
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), FIRST_READS_BUDGET_MS);
  });
  try {
    return await Promise.race([all, late]);
  } catch (err) {
    request.log.warn({ err }, "could not inline the page's first reads");
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A page's HTML: index.html with the page's data inlined as a JSON data block
 * (not a script: the CSP's `script-src 'self'` does not apply to it, and
 * `<` is escaped so no answer can close the element) and modulepreload links
 * for its chunk, so its first render needs no further round trip (ADR 016).
 */
async function sendPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  template: Template,
  route: PageRoute,
) {
  const url = new URL(request.url, "http://page");
  const first = await readFirst(
    app,
    request,
    [SESSION_PATH, ...firstReads(route, url.pathname, url.searchParams)],
    firstRooms(route, url.pathname, request.user?.id ?? null),
  );
  const answers = first?.answers;
  const session = answers?.get(SESSION_PATH);
  const signedIn = session !== undefined && (JSON.parse(session) as { user: unknown }).user !== null;
  let html = template.html;
  const preloads = template.preloads[route] ?? [];
  if (preloads.length && html.includes("</head>"))
    html = html.replace(
      "</head>",
      `${preloads.map((href) => `    <link rel="modulepreload" crossorigin href="${href}">\n`).join("")}  </head>`,
    );
  if (first && answers?.size) {
    const inlined = `{${[...answers].map(([path, body]) => `${JSON.stringify(path)}:${body}`).join(",")}}`;
    const json = `{"answers":${inlined},"seqs":${JSON.stringify(first.seqs)}}`;
    const block = `<script type="application/json" id="${BOOT_ELEMENT_ID}">${json.replace(/</g, "\\u003c")}</script>`;
    html = html.includes("</body>") ? html.replace("</body>", `  ${block}\n  </body>`) : `${html}${block}`;
  }
  reply
    .status(200)
    .type("text/html; charset=utf-8")
    // The page carries its reader's data when signed in (SPEC "Security contract": never stored).
    .header("cache-control", signedIn ? "no-store" : "no-cache")
    .header("vary", "Cookie, Accept-Encoding");
  const body = Buffer.from(html);
  // gzip level 1, as the API's JSON (ADR 016): ~0.2 ms for a feed page, three quarters of its bytes saved.
  if (body.length >= 1024 && /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")))
    return reply.header("content-encoding", "gzip").send(await gz(body, { level: 1 }));
  return reply.send(body);
}

/**
 * Serves the built web app: files from web/dist (brotli or gzip copies made at
 * build time when the client accepts them), the page for every client route of
 * shared/src/page-routes.ts so deep links survive a reload, with the data its
 * first screen shows inlined, and for any other path a 404: the app's page
 * (which shows "Page not found") to browsers, a JSON 404 in the SPEC shape for
 * API paths and file-like paths.
 */
export default fp<{ enabled: boolean; root?: string }>(
  async (app, { enabled, root = WEB_DIST }) => {
    const serve = enabled && existsSync(resolve(root, "index.html"));
    const template = templates(root);
    if (serve) {
      await app.register(fastifyStatic, {
        root,
        // Serve whatever web/dist holds now (a rebuild needs no restart); unknown paths fall through to the handler below.
        wildcard: true,
        // "/" is a page like the others, with its data inlined (its own route below).
        index: false,
        // index.js.br / index.js.gz written by the build (web/build/vite-plugins.ts); Vary: Accept-Encoding comes with it.
        preCompressed: true,
        setHeaders(res, path) {
          // Built assets carry a content hash in their names; everything else (index.html, favicon, robots) is revalidated.
          res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
      // More specific than the static wildcard, which would answer the directory with a 403.
      // A page, not an operation of the API: out of /openapi.json.
      app.get("/", { schema: { hide: true } }, async (request, reply) =>
        sendPage(app, request, reply, await template(), "/"),
      );
    }
    app.setNotFoundHandler(async (request, reply) => {
      const url = request.url;
      const pathname = url.split("?")[0] ?? url;
      if (
        serve &&
        (request.method === "GET" || request.method === "HEAD") &&
        !API_PATHS.test(url) &&
        !FILE_LIKE.test(pathname)
      ) {
        const route = matchPageRoute(pathname);
        if (route && request.method === "GET") return sendPage(app, request, reply, await template(), route);
        return reply
          .status(route ? 200 : 404)
          .header("cache-control", "no-cache")
          .sendFile("index.html");
      }
      return reply.status(404).send(notFoundBody(request.method, url));
    });
  },
  { name: "web", dependencies: ["errors"] },
);
