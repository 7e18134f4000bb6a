import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fp from "fastify-plugin";
import type { Config } from "../config/env.js";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    /** The JWT signing secret: JWT_SECRET, or in embedded mode one kept under the data dir. */
    jwtSecret: string;
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate("config", config);
    app.decorate("jwtSecret", config.jwtSecret ?? (await embeddedSecret(config.dataDir)));
  },
  { name: "config" },
);

/** Embedded mode without JWT_SECRET: a random secret generated once and kept with the data. */
async function embeddedSecret(dataDir: string): Promise<string> {
  if (dataDir === "memory://") return randomBytes(48).toString("base64url");
  const file = join(dataDir, "jwt-secret");
  try {
    const s = (await readFile(file, "utf8")).trim();
    if (s.length >= 32) return s;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
