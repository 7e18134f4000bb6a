import type { Me } from "@shared/contracts/auth";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useMe } from "../features/auth/auth.queries";
import { loginHref } from "../lib/urls";
import { ErrorState, Skeleton } from "./states";

/** Renders its children for a signed-in user; sends everyone else to log in and back. */
export function RequireAuth({ children }: { children: (me: Me) => ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Skeleton lines={2} />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) {
    return <Navigate to={loginHref(location.pathname + location.search)} replace />;
  }
  return <>{children(me.data)}</>;
}
