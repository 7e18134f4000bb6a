-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('user', 'admin');

-- CreateEnum
CREATE TYPE "intro_status" AS ENUM ('pending', 'accepted', 'declined');

-- CreateEnum
CREATE TYPE "badge_kind" AS ENUM ('winner', 'runner_up', 'staff_pick', 'best_design', 'most_technical');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "bio" TEXT NOT NULL DEFAULT '',
    "avatar_url" TEXT,
    "role" "user_role" NOT NULL DEFAULT 'user',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "owner_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "url" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "featured" BOOLEAN NOT NULL DEFAULT false,
    "upvotes" INTEGER NOT NULL DEFAULT 0,
    "downvotes" INTEGER NOT NULL DEFAULT 0,
    "score" INTEGER NOT NULL DEFAULT 0,
    "comment_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "votes" (
    "project_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" SMALLINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "votes_pkey" PRIMARY KEY ("project_id","user_id")
);

-- CreateTable
CREATE TABLE "comments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "project_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "parent_id" UUID,
    "body" TEXT NOT NULL,
    "score" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comment_votes" (
    "comment_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" SMALLINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comment_votes_pkey" PRIMARY KEY ("comment_id","user_id")
);

-- CreateTable
CREATE TABLE "intros" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "from_user_id" UUID NOT NULL,
    "to_user_id" UUID NOT NULL,
    "project_id" UUID,
    "message" TEXT NOT NULL,
    "status" "intro_status" NOT NULL DEFAULT 'pending',
    "responded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "intros_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "sender_id" UUID NOT NULL,
    "recipient_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "badges" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "project_id" UUID NOT NULL,
    "kind" "badge_kind" NOT NULL,
    "awarded_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "badges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE INDEX "projects_created_at_id_idx" ON "projects"("created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "projects_score_created_at_idx" ON "projects"("score" DESC, "created_at" DESC);

-- CreateIndex
CREATE INDEX "projects_owner_id_idx" ON "projects"("owner_id");

-- CreateIndex
CREATE INDEX "votes_user_id_idx" ON "votes"("user_id");

-- CreateIndex
CREATE INDEX "comments_project_id_created_at_idx" ON "comments"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "comments_author_id_idx" ON "comments"("author_id");

-- CreateIndex
CREATE INDEX "comments_parent_id_idx" ON "comments"("parent_id");

-- CreateIndex
CREATE INDEX "comment_votes_user_id_idx" ON "comment_votes"("user_id");

-- CreateIndex
CREATE INDEX "intros_to_user_id_created_at_idx" ON "intros"("to_user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "intros_from_user_id_created_at_idx" ON "intros"("from_user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "messages_sender_id_recipient_id_created_at_idx" ON "messages"("sender_id", "recipient_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_recipient_id_sender_id_created_at_idx" ON "messages"("recipient_id", "sender_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_recipient_id_read_at_idx" ON "messages"("recipient_id", "read_at");

-- CreateIndex
CREATE INDEX "badges_kind_idx" ON "badges"("kind");

-- CreateIndex
CREATE UNIQUE INDEX "badges_project_id_kind_key" ON "badges"("project_id", "kind");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comment_votes" ADD CONSTRAINT "comment_votes_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comment_votes" ADD CONSTRAINT "comment_votes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intros" ADD CONSTRAINT "intros_from_user_id_fkey" FOREIGN KEY ("from_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intros" ADD CONSTRAINT "intros_to_user_id_fkey" FOREIGN KEY ("to_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intros" ADD CONSTRAINT "intros_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_recipient_id_fkey" FOREIGN KEY ("recipient_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "badges" ADD CONSTRAINT "badges_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "badges" ADD CONSTRAINT "badges_awarded_by_fkey" FOREIGN KEY ("awarded_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written part: what Prisma's schema language cannot express. `prisma
-- migrate diff` ignores CHECK constraints, functions and triggers, so the
-- schema/migrations agreement check stays exact. Keep it PostgreSQL 15-compatible
-- (PGlite runs PostgreSQL 18).
-- ---------------------------------------------------------------------------

ALTER TABLE "votes" ADD CONSTRAINT "votes_value_check" CHECK ("value" IN (-1, 1));
ALTER TABLE "comment_votes" ADD CONSTRAINT "comment_votes_value_check" CHECK ("value" IN (-1, 1));
ALTER TABLE "intros" ADD CONSTRAINT "intros_not_self_check" CHECK ("from_user_id" <> "to_user_id");
ALTER TABLE "messages" ADD CONSTRAINT "messages_not_self_check" CHECK ("sender_id" <> "recipient_id");
ALTER TABLE "projects" ADD CONSTRAINT "projects_counts_check" CHECK ("upvotes" >= 0 AND "downvotes" >= 0 AND "comment_count" >= 0 AND "score" = "upvotes" - "downvotes");

-- updated_at is kept by the database so that every writer (the API, psql, scripts)
-- gets it right. Counter columns maintained by triggers do not count as an edit.
CREATE FUNCTION zerostale_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME IN ('projects', 'comments') AND
     (to_jsonb(NEW) - ARRAY['upvotes', 'downvotes', 'score', 'comment_count', 'updated_at'])
       = (to_jsonb(OLD) - ARRAY['upvotes', 'downvotes', 'score', 'comment_count', 'updated_at']) THEN
    RETURN NEW;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER users_touch BEFORE UPDATE ON "users" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER sessions_touch BEFORE UPDATE ON "sessions" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER projects_touch BEFORE UPDATE ON "projects" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER votes_touch BEFORE UPDATE ON "votes" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER comments_touch BEFORE UPDATE ON "comments" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER comment_votes_touch BEFORE UPDATE ON "comment_votes" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER intros_touch BEFORE UPDATE ON "intros" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER messages_touch BEFORE UPDATE ON "messages" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();
CREATE TRIGGER badges_touch BEFORE UPDATE ON "badges" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();

-- Denormalised counters, maintained in the writing transaction whoever writes:
-- the row lock taken by the UPDATE serialises concurrent voters on one project.
CREATE FUNCTION zerostale_count_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "projects" SET
      "upvotes" = "upvotes" - (OLD."value" = 1)::int,
      "downvotes" = "downvotes" - (OLD."value" = -1)::int,
      "score" = "score" - OLD."value"
    WHERE "id" = OLD."project_id";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "projects" SET
      "upvotes" = "upvotes" + (NEW."value" = 1)::int,
      "downvotes" = "downvotes" + (NEW."value" = -1)::int,
      "score" = "score" + NEW."value"
    WHERE "id" = NEW."project_id";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER votes_count AFTER INSERT OR DELETE OR UPDATE OF "value", "project_id" ON "votes"
  FOR EACH ROW EXECUTE FUNCTION zerostale_count_votes();

CREATE FUNCTION zerostale_count_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "projects" SET "comment_count" = "comment_count" - 1 WHERE "id" = OLD."project_id";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "projects" SET "comment_count" = "comment_count" + 1 WHERE "id" = NEW."project_id";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER comments_count AFTER INSERT OR DELETE OR UPDATE OF "project_id" ON "comments"
  FOR EACH ROW EXECUTE FUNCTION zerostale_count_comments();

CREATE FUNCTION zerostale_count_comment_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "comments" SET "score" = "score" - OLD."value" WHERE "id" = OLD."comment_id";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "comments" SET "score" = "score" + NEW."value" WHERE "id" = NEW."comment_id";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER comment_votes_count AFTER INSERT OR DELETE OR UPDATE OF "value", "comment_id" ON "comment_votes"
  FOR EACH ROW EXECUTE FUNCTION zerostale_count_comment_votes();

-- Change notification for writes from outside the API (psql, scripts, other
-- services). Delivered by PostgreSQL on commit, never for a rolled-back write.
-- The API marks its own transactions (SET LOCAL zerostale.origin = 'app') and
-- emits precise events itself, so its writes skip NOTIFY: no double delivery and
-- no NOTIFY queue lock on the hot write path. Payloads carry ids only (far below
-- the 8000-byte limit).
CREATE FUNCTION zerostale_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec jsonb;
  old_rec jsonb;
  project_id uuid;
  user_ids uuid[] := ARRAY[]::uuid[];
  row_id text;
BEGIN
  IF current_setting('zerostale.origin', true) = 'app' THEN
    RETURN NULL;
  END IF;
  rec := to_jsonb(COALESCE(NEW, OLD));
  old_rec := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ELSE rec END;
  CASE TG_TABLE_NAME
    WHEN 'users' THEN
      row_id := rec->>'id';
      user_ids := ARRAY[(rec->>'id')::uuid];
    WHEN 'projects' THEN
      row_id := rec->>'id';
      project_id := (rec->>'id')::uuid;
      user_ids := ARRAY[(rec->>'owner_id')::uuid, (old_rec->>'owner_id')::uuid];
    WHEN 'votes' THEN
      row_id := (rec->>'project_id') || ':' || (rec->>'user_id');
      project_id := (rec->>'project_id')::uuid;
      user_ids := ARRAY[(rec->>'user_id')::uuid];
    WHEN 'comments' THEN
      row_id := rec->>'id';
      project_id := (rec->>'project_id')::uuid;
      user_ids := ARRAY[(rec->>'author_id')::uuid];
    WHEN 'comment_votes' THEN
      row_id := (rec->>'comment_id') || ':' || (rec->>'user_id');
      SELECT c."project_id" INTO project_id FROM "comments" c WHERE c."id" = (rec->>'comment_id')::uuid;
      user_ids := ARRAY[(rec->>'user_id')::uuid];
    WHEN 'intros' THEN
      row_id := rec->>'id';
      project_id := (rec->>'project_id')::uuid;
      user_ids := ARRAY[(rec->>'from_user_id')::uuid, (rec->>'to_user_id')::uuid];
    WHEN 'messages' THEN
      row_id := rec->>'id';
      user_ids := ARRAY[(rec->>'sender_id')::uuid, (rec->>'recipient_id')::uuid];
    WHEN 'badges' THEN
      row_id := rec->>'id';
      project_id := (rec->>'project_id')::uuid;
      SELECT ARRAY[p."owner_id"] INTO user_ids FROM "projects" p WHERE p."id" = project_id;
    ELSE
      row_id := rec->>'id';
  END CASE;
  PERFORM pg_notify('zerostale_changes', json_build_object(
    'txid', txid_current()::text,
    'table', TG_TABLE_NAME,
    'action', lower(TG_OP),
    'id', row_id,
    'projectId', project_id,
    'userIds', (SELECT COALESCE(array_agg(DISTINCT u), ARRAY[]::uuid[]) FROM unnest(user_ids) u WHERE u IS NOT NULL)
  )::text);
  RETURN NULL;
END $$;

CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER projects_notify AFTER INSERT OR UPDATE OR DELETE ON "projects" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER votes_notify AFTER INSERT OR UPDATE OR DELETE ON "votes" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER comments_notify AFTER INSERT OR UPDATE OR DELETE ON "comments" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER comment_votes_notify AFTER INSERT OR UPDATE OR DELETE ON "comment_votes" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER intros_notify AFTER INSERT OR UPDATE OR DELETE ON "intros" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER messages_notify AFTER INSERT OR UPDATE OR DELETE ON "messages" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER badges_notify AFTER INSERT OR UPDATE OR DELETE ON "badges" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
