import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = { "@shared": fileURLToPath(new URL("./shared/src", import.meta.url)) };

/**
 * Unit and integration tests. Server tests run against real PostgreSQL and
 * Redis (TEST_DATABASE_URL / TEST_REDIS_URL, defaulting to the local ones);
 * each test file gets a database of its own cloned from a migrated template.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "server",
          include: ["server/**/*.test.ts", "shared/**/*.test.ts", "prisma/**/*.test.ts", "bench/**/*.test.ts"],
          globalSetup: ["server/test/global-setup.ts"],
          pool: "forks",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Static checks of the whole code base (no database, no DOM).
          name: "parts",
          include: ["parts.test.ts"],
        },
      },
      {
        resolve: { alias },
        test: {
          name: "web",
          include: ["web/**/*.test.{ts,tsx}"],
          environment: "happy-dom",
        },
      },
    ],
  },
});
