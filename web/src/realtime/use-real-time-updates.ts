import { useEffect } from "react";
import { useMe } from "../features/auth/auth.queries";
import { type ConnectionState, useConnectionState, useRealtimeClient } from "../lib/realtime-link";

/**
 * Mount once, at the app shell: opens the tab's socket, keeps `feed` and (when
 * signed in) `user:<me>` subscribed, and returns the connection state for the
 * indicator. Pages add their own rooms with useProjectRoom.
 */
export function useRealTimeUpdates(): ConnectionState {
  const client = useRealtimeClient();
  const me = useMe();
  const known = me.isSuccess;
  const meId = me.data?.id ?? null;

  useEffect(() => client.start(), [client]);

  useEffect(() => {
    if (known) client.setUser(meId);
  }, [client, known, meId]);

  return useConnectionState();
}
