import { rooms } from "@shared/realtime/rooms";
import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from "react";
import type { RealtimeLink } from "./deferred-realtime";
import type { ConnectionState } from "./realtime-client";

const RealtimeContext = createContext<RealtimeLink | null>(null);

export function RealtimeProvider({ client, children }: { client: RealtimeLink; children: ReactNode }) {
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtimeClient(): RealtimeLink {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error("useRealtimeClient needs a <RealtimeProvider>");
  return client;
}

export function useConnectionState(): ConnectionState {
  const client = useRealtimeClient();
  return useSyncExternalStore(client.subscribeState, client.getState);
}

/** Holds the `project:<id>` room while the calling view is mounted. */
export function useProjectRoom(projectId: string | undefined) {
  const client = useRealtimeClient();
  useEffect(() => {
    if (!projectId) return;
    return client.watchRoom(rooms.project(projectId.toLowerCase()));
  }, [client, projectId]);
}
