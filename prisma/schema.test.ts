/**
 * prisma/schema.prisma and prisma/migrations/ must describe the same database:
 * Prisma's own differ (Wasm engine, on an in-memory PGlite) must find nothing
 * to migrate. A schema changed without a migration fails here.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const EMPTY = "-- This is an empty migration.";

async function diff(schema: string) {
  const { stdout } = await run(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema-datamodel",
      schema,
      "--script",
      "--config",
      "prisma.config.pglite.ts",
    ],
    { env: { ...process.env, PGLITE_DIR: "memory://" }, timeout: 120_000 },
  );
  return stdout.trim();
}

describe("schema and migrations", () => {
  it("agree: the diff from the migrations to the schema is empty", { timeout: 120_000 }, async () => {
    expect(await diff("prisma/schema.prisma")).toBe(EMPTY);
  });

  it("a schema change without a migration is caught", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "zs-schema-"));
    try {
      const changed = join(dir, "schema.prisma");
      await copyFile("prisma/schema.prisma", changed);
      const text = await readFile(changed, "utf8");
      await writeFile(
        changed,
        text.replace(
          '  bio          String   @default("")',
          '  bio          String   @default("")\n  twitter      String?',
        ),
      );
      const out = await diff(changed);
      expect(out).not.toBe(EMPTY);
      expect(out).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"twitter"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
