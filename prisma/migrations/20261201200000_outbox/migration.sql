-- The transactional outbox (ADR 014). Every committed change leaves a row here
-- in its own transaction: the API's transactions write their declared effects,
-- the single-statement functions' callers write their result row in the same
-- statement, and the triggers below write the changes made outside the API.
-- The instance that made a change completes it (invalidates, emits) and deletes
-- the row; a relay on every instance completes rows whose `ready_at` has passed.

-- CreateTable
CREATE TABLE "zerostale_outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "ready_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zerostale_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "zerostale_outbox_ready_at_idx" ON "zerostale_outbox"("ready_at");

-- Writes from outside the API: the same change description as before, now a
-- durable outbox row (ready at once: no instance of ours made it), and NOTIFY
-- only wakes the relays (one wake-up per transaction: PostgreSQL folds equal
-- payloads). The arms are keyed by TG_TABLE_NAME, so tables added by other
-- migrations (follows, notifications) are covered whether or not they exist yet.
CREATE OR REPLACE FUNCTION zerostale_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
    WHEN 'follows' THEN
      row_id := (rec->>'follower_id') || ':' || (rec->>'followee_id');
      user_ids := ARRAY[(rec->>'follower_id')::uuid, (rec->>'followee_id')::uuid];
    WHEN 'notifications' THEN
      row_id := rec->>'id';
      user_ids := ARRAY[(rec->>'user_id')::uuid];
    ELSE
      row_id := rec->>'id';
  END CASE;
  INSERT INTO "zerostale_outbox" ("kind", "body", "ready_at") VALUES ('external', jsonb_build_object(
    'txid', txid_current()::text,
    'table', TG_TABLE_NAME,
    'action', lower(TG_OP),
    'id', row_id,
    'projectId', project_id,
    'userIds', (SELECT COALESCE(array_agg(DISTINCT u), ARRAY[]::uuid[]) FROM unnest(user_ids) u WHERE u IS NOT NULL)
  ), clock_timestamp());
  PERFORM pg_notify('zerostale_changes', '');
  RETURN NULL;
END $$;
