/** `npm run db:migrate`: applies pending migrations to the configured database (PostgreSQL or PGlite). */
import { join } from "node:path";
import { loadConfig } from "../config/env.js";
import { migrate } from "./migrate.js";
import { openPglite } from "./pglite.js";
import { withRawPostgres } from "./postgres.js";

const config = loadConfig();
const result = config.databaseUrl
  ? await withRawPostgres(config.databaseUrl, (raw) => migrate(raw))
  : await (async () => {
      const { db, raw } = await openPglite(join(config.dataDir, "pg"));
      try {
        return await migrate(raw);
      } finally {
        await db.close();
      }
    })();
for (const w of result.warnings) console.warn(`warning: ${w}`);
console.log(result.applied.length ? `Applied: ${result.applied.join(", ")}` : "Database is up to date.");
