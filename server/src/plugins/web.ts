import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import fp from "fastify-plugin";
import { ROOT } from "../lib/paths.js";
import { notFoundBody } from "./errors.js";

export const WEB_DIST = join(ROOT, "web", "dist");
const API_PATHS = /^\/(api|socket\.io|metrics)(\/|$|\?)/;

/**
 * Serves the built web app, with client-side routes (/projects/:id, …) answered
 * by index.html so deep links survive a reload. API paths get a JSON 404.
 */
export default fp<{ enabled: boolean; root?: string }>(
  async (app, { enabled, root = WEB_DIST }) => {
    const serve = enabled && existsSync(resolve(root, "index.html"));
    if (serve) {
      await app.register(fastifyStatic, {
        root,
        // Serve whatever web/dist holds now (a rebuild needs no restart); unknown paths fall through to index.html.
        wildcard: true,
        index: "index.html",
        setHeaders(res, path) {
          // Built assets carry a content hash in their names; index.html must always be revalidated.
          res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
    }
    app.setNotFoundHandler((request, reply) => {
      const url = request.url;
      if (serve && (request.method === "GET" || request.method === "HEAD") && !API_PATHS.test(url)) {
        return reply.header("cache-control", "no-cache").sendFile("index.html");
      }
      return reply.status(404).send(notFoundBody(request.method, url));
    });
  },
  { name: "web", dependencies: ["errors"] },
);
