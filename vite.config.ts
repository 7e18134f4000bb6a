import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress, sourcemapsOutside } from "./web/build/vite-plugins";

const shared = fileURLToPath(new URL("./shared/src", import.meta.url));
const apiPort = Number(process.env.API_PORT ?? 3000);

/** The web app (web/). `npm run dev` serves it with the API proxied; `npm start` serves the build. */
export default defineConfig({
  root: fileURLToPath(new URL("./web", import.meta.url)),
  plugins: [react(), sourcemapsOutside(), precompress()],
  resolve: { alias: { "@shared": shared } },
  // Maps without a sourceMappingURL comment, moved out of web/dist (what the server serves) after the build.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: "hidden" },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    host: "127.0.0.1",
    proxy: {
      "/api": `http://127.0.0.1:${apiPort}`,
      "/socket.io": { target: `http://127.0.0.1:${apiPort}`, ws: true },
    },
  },
});
