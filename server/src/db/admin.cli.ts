/**
 * `npm run admin -- grant <email>` / `revoke <email>`: changes a user's role
 * from the shell, in the configured database (DATABASE_URL, or the embedded one
 * under DATA_DIR, which its server must not hold open meanwhile). The write
 * fires the users trigger, so running instances drop the cached role at once.
 */
import { join } from "node:path";
import { EmailSchema } from "@shared/contracts/auth";
import { loadConfig } from "../config/env.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { openPglite } from "./pglite.js";

const USAGE = "usage: npm run admin -- grant <email> | revoke <email>";

async function setRole(
  prisma: PrismaClient,
  action: "grant" | "revoke",
  email: string,
): Promise<{ ok: boolean; message: string }> {
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, role: true } });
  if (!user) return { ok: false, message: `No account with the email ${email}` };
  const role = action === "grant" ? "admin" : "user";
  // A role set from the shell is nobody's to take back at login: not ADMIN_EMAILS's.
  await prisma.user.update({ where: { id: user.id }, data: { role, adminFromEnv: false } });
  return { ok: true, message: `${email} is ${role === "admin" ? "an admin" : "no longer an admin"}` };
}

async function main(argv: string[]) {
  const [action, rawEmail, ...rest] = argv;
  const email = EmailSchema.safeParse(rawEmail ?? "");
  if ((action !== "grant" && action !== "revoke") || !email.success || rest.length) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  if (action === "revoke" && config.adminEmails.includes(email.data))
    process.stderr.write(`warning: ${email.data} is in ADMIN_EMAILS, so their next login makes them admin again\n`);
  let result: { ok: boolean; message: string };
  if (config.databaseUrl) {
    const { PrismaClient } = await import("../generated/prisma/client.js");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: config.databaseUrl }) });
    try {
      result = await setRole(prisma, action, email.data);
    } finally {
      await prisma.$disconnect();
    }
  } else {
    const { db } = await openPglite(join(config.dataDir, "pg"));
    try {
      result = await setRole(db.prisma, action, email.data);
    } finally {
      await db.close();
    }
  }
  (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`admin: ${err?.message ?? err}\n`);
    process.exit(1);
  },
);
