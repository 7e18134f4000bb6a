-- Votes in one statement. A burst of votes on one project serialises on the
-- project's row (the counter trigger updates it); as an interactive transaction
-- each vote held that lock across several network round trips, and a burst of
-- 250 votes/s on one project exhausted the connection pool. Inside one function
-- call the lock is held for a fraction of a millisecond.
--
-- Each function marks the transaction as the app's own (the change-notification
-- triggers skip it: the API delivers its own events), locks the parent row
-- against deletion (KEY SHARE does not conflict with the counter updates), then
-- casts, switches or removes the vote and returns the counts after it.

CREATE FUNCTION zerostale_vote(p_project uuid, p_user uuid, p_value int)
RETURNS TABLE (found boolean, changed boolean, owner_id uuid, score int, upvotes int, downvotes int)
LANGUAGE plpgsql AS $$
DECLARE
  v_owner uuid;
  v_rows int := 0;
BEGIN
  PERFORM set_config('zerostale.origin', 'app', true);
  SELECT p.owner_id INTO v_owner FROM projects p WHERE p.id = p_project FOR KEY SHARE;
  IF v_owner IS NULL THEN
    RETURN QUERY SELECT false, false, NULL::uuid, 0, 0, 0;
    RETURN;
  END IF;
  IF p_value = 0 THEN
    DELETE FROM votes v WHERE v.project_id = p_project AND v.user_id = p_user;
  ELSE
    INSERT INTO votes AS v (project_id, user_id, value) VALUES (p_project, p_user, p_value)
    ON CONFLICT (project_id, user_id) DO UPDATE SET value = EXCLUDED.value
      WHERE v.value IS DISTINCT FROM EXCLUDED.value;
  END IF;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  RETURN QUERY SELECT true, v_rows > 0, v_owner, p.score, p.upvotes, p.downvotes FROM projects p WHERE p.id = p_project;
END $$;

CREATE FUNCTION zerostale_comment_vote(p_comment uuid, p_user uuid, p_value int)
RETURNS TABLE (found boolean, changed boolean, project_id uuid, score int)
LANGUAGE plpgsql AS $$
DECLARE
  v_project uuid;
  v_rows int := 0;
BEGIN
  PERFORM set_config('zerostale.origin', 'app', true);
  SELECT c.project_id INTO v_project FROM comments c WHERE c.id = p_comment FOR KEY SHARE;
  IF v_project IS NULL THEN
    RETURN QUERY SELECT false, false, NULL::uuid, 0;
    RETURN;
  END IF;
  IF p_value = 0 THEN
    DELETE FROM comment_votes cv WHERE cv.comment_id = p_comment AND cv.user_id = p_user;
  ELSE
    INSERT INTO comment_votes AS cv (comment_id, user_id, value) VALUES (p_comment, p_user, p_value)
    ON CONFLICT (comment_id, user_id) DO UPDATE SET value = EXCLUDED.value
      WHERE cv.value IS DISTINCT FROM EXCLUDED.value;
  END IF;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  RETURN QUERY SELECT true, v_rows > 0, v_project, c.score FROM comments c WHERE c.id = p_comment;
END $$;
