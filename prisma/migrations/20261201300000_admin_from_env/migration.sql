-- Whether a user's admin role came from ADMIN_EMAILS (and so ends when their
-- email leaves the list), rather than from `npm run admin -- grant` or the seed.
ALTER TABLE "users" ADD COLUMN "admin_from_env" BOOLEAN NOT NULL DEFAULT false;
