import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { pagePreloads, precompress, sourcemapsOutside } from "./web/build/vite-plugins";

const shared = fileURLToPath(new URL("./shared/src", import.meta.url));
const zodJitless = fileURLToPath(new URL("./web/src/lib/zod-jitless.ts", import.meta.url));
// react-router's package exports name its development build only (remix-run/react-router#12532,
// #14102: dev warnings on in production); the production build is the same code with them off.
const reactRouterProduction = fileURLToPath(
  new URL("./node_modules/react-router/dist/production/index.mjs", import.meta.url),
);
const apiPort = Number(process.env.API_PORT ?? 3000);

/** The web app (web/). `npm run dev` serves it with the API proxied; `npm start` serves the build. */
export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  plugins: [react(), pagePreloads(), sourcemapsOutside(), precompress()],
  resolve: {
    alias: [
      { find: "@shared", replacement: shared },
      // zod with its CSP-safe configuration applied before any schema is built (see the file).
      { find: /^zod$/, replacement: zodJitless },
      ...(command === "build" ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : []),
    ],
  },
  // Maps without a sourceMappingURL comment, moved out of web/dist (what the server serves) after the build.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: "hidden",
    modulePreload: {
      // The HTML keeps its modulepreload links (the entry's imports load in parallel with it). A
      // dynamic import() gets none: Vite's helper added a <link> per dependency while the first
      // page's effects ran (~40 ms of main thread on a phone for the realtime chunk alone), and
      // what it saved is saved elsewhere: a deep link's HTML preloads its page's chunks
      // (page-preloads.json), and the other pages' chunks are preloaded at idle (app.tsx).
      resolveDependencies: (_file, deps, { hostType }) => (hostType === "html" ? deps : []),
    },
  },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    host: "127.0.0.1",
    proxy: {
      "/api": `http://127.0.0.1:${apiPort}`,
      "/socket.io": { target: `http://127.0.0.1:${apiPort}`, ws: true },
    },
  },
}));
