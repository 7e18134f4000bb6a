-- CreateEnum
CREATE TYPE "notification_kind" AS ENUM ('intro_received', 'intro_accepted', 'intro_declined', 'comment', 'reply', 'badge_awarded', 'project_featured', 'follow', 'new_project');

-- CreateTable
CREATE TABLE "follows" (
    "follower_id" UUID NOT NULL,
    "followee_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follows_pkey" PRIMARY KEY ("follower_id","followee_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "kind" "notification_kind" NOT NULL,
    "actor_id" UUID,
    "project_id" UUID,
    "comment_id" UUID,
    "intro_id" UUID,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "follows_followee_id_idx" ON "follows"("followee_id");

-- CreateIndex
CREATE INDEX "notifications_user_id_created_at_id_idx" ON "notifications"("user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_user_id_read_at_idx" ON "notifications"("user_id", "read_at");

-- CreateIndex
CREATE INDEX "notifications_actor_id_idx" ON "notifications"("actor_id");

-- CreateIndex
CREATE INDEX "notifications_project_id_idx" ON "notifications"("project_id");

-- CreateIndex
CREATE INDEX "notifications_comment_id_idx" ON "notifications"("comment_id");

-- CreateIndex
CREATE INDEX "notifications_intro_id_idx" ON "notifications"("intro_id");

-- CreateIndex
CREATE INDEX "projects_tags_idx" ON "projects" USING GIN ("tags");

-- AddForeignKey
ALTER TABLE "follows" ADD CONSTRAINT "follows_follower_id_fkey" FOREIGN KEY ("follower_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follows" ADD CONSTRAINT "follows_followee_id_fkey" FOREIGN KEY ("followee_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_intro_id_fkey" FOREIGN KEY ("intro_id") REFERENCES "intros"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- ---------------------------------------------------------------------------
-- Hand-written part (see the init migration): checks, full-text search, the
-- touch/notify trigger arms of the new tables, and the comment function that
-- now writes its notifications in the same statement. PostgreSQL 15-compatible.
-- ---------------------------------------------------------------------------

ALTER TABLE "follows" ADD CONSTRAINT "follows_not_self_check" CHECK ("follower_id" <> "followee_id");

-- Full-text search over title, tags and description, weighted in that order.
-- The 'simple' configuration (lower-case words, no stemming, no stop words)
-- gives the same lexemes on every PostgreSQL version and on PGlite, and finds
-- names and technical words (`pgvector`, `c++`) exactly as typed. An explicit
-- configuration makes to_tsvector immutable; array_to_string is only stable,
-- hence the function (declared immutable: its result depends on its arguments
-- only), which the expression index and the queries both call.
CREATE FUNCTION zerostale_project_document(p_title text, p_description text, p_tags text[])
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig, COALESCE(p_title, '')), 'A')
      || setweight(to_tsvector('simple'::regconfig, COALESCE(array_to_string(p_tags, ' '), '')), 'B')
      || setweight(to_tsvector('simple'::regconfig, COALESCE(p_description, '')), 'C')
$$;

CREATE INDEX "projects_search_idx" ON "projects"
  USING GIN (zerostale_project_document("title", "description", "tags"));

-- Notifications change (read_at); follows never do (unfollow deletes).
CREATE TRIGGER notifications_touch BEFORE UPDATE ON "notifications" FOR EACH ROW EXECUTE FUNCTION zerostale_touch();

-- The notify function of the init migration, with two new arms:
--   follows       → userIds [follower_id, followee_id], id "<follower>:<followee>"
--   notifications → userIds [user_id]
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

CREATE TRIGGER follows_notify AFTER INSERT OR UPDATE OR DELETE ON "follows" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();
CREATE TRIGGER notifications_notify AFTER INSERT OR UPDATE OR DELETE ON "notifications" FOR EACH ROW EXECUTE FUNCTION zerostale_notify();

-- zerostale_add_comment (comment_function migration), now also writing the
-- comment's notifications in the same statement: `reply` to the parent's
-- author, `comment` to the project's owner, one per recipient (a reply to the
-- owner's own comment is a `reply`), never to the author. `notified` lists
-- them ([{id, userId, kind}]) for the events. The return type changes, so the
-- function is dropped and created again (in this migration's transaction).
DROP FUNCTION zerostale_add_comment(uuid, uuid, text, uuid);

CREATE FUNCTION zerostale_add_comment(p_project uuid, p_author uuid, p_body text, p_parent uuid)
RETURNS TABLE (
  status text, id uuid, parent_id uuid, body text, score int, created_at timestamptz, updated_at timestamptz,
  author_name text, author_avatar text, owner_id uuid, comment_count int, notified jsonb
)
LANGUAGE plpgsql AS $$
DECLARE
  v_owner uuid;
  v_parent_project uuid;
  v_parent_author uuid;
  v_comment comments%ROWTYPE;
  v_notified jsonb;
BEGIN
  PERFORM set_config('zerostale.origin', 'app', true);
  SELECT p.owner_id INTO v_owner FROM projects p WHERE p.id = p_project FOR KEY SHARE;
  IF v_owner IS NULL THEN
    RETURN QUERY SELECT 'no_project', NULL::uuid, NULL::uuid, NULL::text, 0, NULL::timestamptz, NULL::timestamptz,
      NULL::text, NULL::text, NULL::uuid, 0, '[]'::jsonb;
    RETURN;
  END IF;
  IF p_parent IS NOT NULL THEN
    SELECT c.project_id, c.author_id INTO v_parent_project, v_parent_author
      FROM comments c WHERE c.id = p_parent FOR KEY SHARE;
    IF v_parent_project IS DISTINCT FROM p_project THEN
      RETURN QUERY SELECT 'bad_parent', NULL::uuid, NULL::uuid, NULL::text, 0, NULL::timestamptz, NULL::timestamptz,
        NULL::text, NULL::text, NULL::uuid, 0, '[]'::jsonb;
      RETURN;
    END IF;
  END IF;
  INSERT INTO comments (project_id, author_id, body, parent_id) VALUES (p_project, p_author, p_body, p_parent)
    RETURNING * INTO v_comment;
  WITH recipients AS (
    SELECT DISTINCT ON (r.user_id) r.user_id, r.kind
      FROM (VALUES (v_parent_author, 'reply'::notification_kind, 1), (v_owner, 'comment'::notification_kind, 2))
           AS r(user_id, kind, pri)
     WHERE r.user_id IS NOT NULL AND r.user_id <> p_author
     ORDER BY r.user_id, r.pri
  ), inserted AS (
    INSERT INTO notifications (user_id, kind, actor_id, project_id, comment_id)
    SELECT r.user_id, r.kind, p_author, p_project, v_comment.id FROM recipients r
    RETURNING notifications.id, notifications.user_id, notifications.kind
  )
  SELECT COALESCE(jsonb_agg(jsonb_build_object('id', i.id, 'userId', i.user_id, 'kind', i.kind)), '[]'::jsonb)
    INTO v_notified FROM inserted i;
  RETURN QUERY
    SELECT 'ok', v_comment.id, v_comment.parent_id, v_comment.body, v_comment.score, v_comment.created_at,
           v_comment.updated_at, u.name, u.avatar_url, v_owner, p.comment_count, v_notified
      FROM users u, projects p
     WHERE u.id = p_author AND p.id = p_project;
END $$;
