import { useQuery } from "@tanstack/react-query";
import { useLocation, useNavigate } from "react-router";
import { loginHref } from "../../lib/urls";
import { useMe } from "../auth/auth.queries";
import { profileQueryOptions, useFollow } from "./users.queries";

/** Follow / Unfollow a maker, with their follower count; signed-out visitors are sent to log in. */
export function FollowButton({ userId, showCount = false }: { userId: string; showCount?: boolean }) {
  const me = useMe();
  const profile = useQuery(profileQueryOptions(userId));
  const follow = useFollow(userId);
  const navigate = useNavigate();
  const location = useLocation();
  if (me.data?.id === userId || !profile.data) return null;
  const following = profile.data.followedByMe;
  const name = profile.data.name;
  return (
    <span className="follow">
      <button
        type="button"
        className={following ? "btn" : "btn btn-primary"}
        aria-pressed={following}
        title={following ? `Stop following ${name}` : `Follow ${name}: see their new projects in Following`}
        disabled={follow.isPending}
        onClick={() => (me.data ? follow.mutate(!following) : navigate(loginHref(location.pathname)))}
      >
        {following ? "Unfollow" : "Follow"}
      </button>
      {showCount ? (
        <span className="muted small" data-testid="follower-count">
          {" "}
          {profile.data.followers} {profile.data.followers === 1 ? "follower" : "followers"}
        </span>
      ) : null}
    </span>
  );
}
