-- Adding a comment in one statement, for the same reason as votes (see
-- vote_functions): the counter trigger locks the project row, and an
-- interactive transaction held that lock, and a pooled connection, across
-- several round trips. Under load, event-loop lag stretched each round trip
-- and the pool ran dry.
--
-- Returns status 'ok', 'no_project' (404) or 'bad_parent' (400: the parent is
-- not a comment of this project); on 'ok', the new comment with its author,
-- the project's owner and its comment count after the insert.

CREATE FUNCTION zerostale_add_comment(p_project uuid, p_author uuid, p_body text, p_parent uuid)
RETURNS TABLE (
  status text, id uuid, parent_id uuid, body text, score int, created_at timestamptz, updated_at timestamptz,
  author_name text, author_avatar text, owner_id uuid, comment_count int
)
LANGUAGE plpgsql AS $$
DECLARE
  v_owner uuid;
  v_parent_project uuid;
  v_comment comments%ROWTYPE;
BEGIN
  PERFORM set_config('zerostale.origin', 'app', true);
  SELECT p.owner_id INTO v_owner FROM projects p WHERE p.id = p_project FOR KEY SHARE;
  IF v_owner IS NULL THEN
    RETURN QUERY SELECT 'no_project', NULL::uuid, NULL::uuid, NULL::text, 0, NULL::timestamptz, NULL::timestamptz,
      NULL::text, NULL::text, NULL::uuid, 0;
    RETURN;
  END IF;
  IF p_parent IS NOT NULL THEN
    SELECT c.project_id INTO v_parent_project FROM comments c WHERE c.id = p_parent FOR KEY SHARE;
    IF v_parent_project IS DISTINCT FROM p_project THEN
      RETURN QUERY SELECT 'bad_parent', NULL::uuid, NULL::uuid, NULL::text, 0, NULL::timestamptz, NULL::timestamptz,
        NULL::text, NULL::text, NULL::uuid, 0;
      RETURN;
    END IF;
  END IF;
  INSERT INTO comments (project_id, author_id, body, parent_id) VALUES (p_project, p_author, p_body, p_parent)
    RETURNING * INTO v_comment;
  RETURN QUERY
    SELECT 'ok', v_comment.id, v_comment.parent_id, v_comment.body, v_comment.score, v_comment.created_at,
           v_comment.updated_at, u.name, u.avatar_url, v_owner, p.comment_count
      FROM users u, projects p
     WHERE u.id = p_author AND p.id = p_project;
END $$;
