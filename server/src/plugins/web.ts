import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import { matchPageRoute } from "@shared/page-routes";
import fp from "fastify-plugin";
import { ROOT } from "../lib/paths.js";
import { notFoundBody } from "./errors.js";

export const WEB_DIST = join(ROOT, "web", "dist");
const API_PATHS = /^\/(api|socket\.io|metrics)(\/|$|\?)/;
/** A path whose last segment has an extension asks for a file (a stale chunk, a probe), never for a page. */
const FILE_LIKE = /\/[^/]*\.[a-z0-9]+$/i;

/**
 * Serves the built web app: files from web/dist (brotli or gzip copies made at
 * build time when the client accepts them), the page for every client route of
 * shared/src/page-routes.ts so deep links survive a reload, and for any other
 * path a 404: the app's page (which shows "Page not found") to browsers, a
 * JSON 404 in the SPEC shape for API paths and file-like paths.
 */
export default fp<{ enabled: boolean; root?: string }>(
  async (app, { enabled, root = WEB_DIST }) => {
    const serve = enabled && existsSync(resolve(root, "index.html"));
    if (serve) {
      await app.register(fastifyStatic, {
        root,
        // Serve whatever web/dist holds now (a rebuild needs no restart); unknown paths fall through to the handler below.
        wildcard: true,
        index: "index.html",
        // index.js.br / index.js.gz written by the build (web/build/vite-plugins.ts); Vary: Accept-Encoding comes with it.
        preCompressed: true,
        setHeaders(res, path) {
          // Built assets carry a content hash in their names; everything else (index.html, favicon, robots) is revalidated.
          res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
    }
    app.setNotFoundHandler((request, reply) => {
      const url = request.url;
      const pathname = url.split("?")[0] ?? url;
      if (
        serve &&
        (request.method === "GET" || request.method === "HEAD") &&
        !API_PATHS.test(url) &&
        !FILE_LIKE.test(pathname)
      ) {
        const status = matchPageRoute(pathname) ? 200 : 404;
        return reply.status(status).header("cache-control", "no-cache").sendFile("index.html");
      }
      return reply.status(404).send(notFoundBody(request.method, url));
    });
  },
  { name: "web", dependencies: ["errors"] },
);
