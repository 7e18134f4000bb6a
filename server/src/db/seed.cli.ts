/** `npm run seed`: applies migrations, then loads the demo data into the configured database. */
import { join } from "node:path";
import { loadConfig } from "../config/env.js";
import { migrate } from "./migrate.js";
import { openPglite } from "./pglite.js";
import { withRawPostgres } from "./postgres.js";
import { DEMO_PASSWORD, seed } from "./seed.js";

const config = loadConfig();
let result: Awaited<ReturnType<typeof seed>>;
if (config.databaseUrl) {
  const url = config.databaseUrl;
  await withRawPostgres(url, (raw) => migrate(raw));
  const { PrismaClient } = await import("../generated/prisma/client.js");
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    result = await seed(prisma, config.adminEmails);
  } finally {
    await prisma.$disconnect();
  }
} else {
  const { db, raw } = await openPglite(join(config.dataDir, "pg"));
  try {
    await migrate(raw);
    result = await seed(db.prisma, config.adminEmails);
  } finally {
    await db.close();
  }
}
console.log(
  result.seeded
    ? `Seeded demo data: ${JSON.stringify(result)}. Password of every demo account: ${DEMO_PASSWORD}`
    : `Nothing to do: ${"reason" in result ? result.reason : ""}`,
);
