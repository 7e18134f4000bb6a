import { type Room, rooms } from "@shared/realtime/rooms";
import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from "react";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the link went down (for "Offline since hh:mm"); null while live. */
  downSince: number | null;
}

/**
 * What views use of the tab's realtime client (web/src/realtime/): its socket,
 * who is signed in, the rooms they show. Features reach the client only through
 * this, so they never import realtime/ (which imports their key factories).
 */
export interface RealtimeLink {
  /** Opens the socket; the returned function closes it. */
  start(): () => void;
  /** Who is signed in. */
  setUser(userId: string | null): void;
  /** Called before a logout, so the server's session:ended is not announced as a surprise. */
  expectSignOut(): void;
  /** Wants a room while a view shows it; the returned function lets go. */
  watchRoom(room: Room): () => void;
  getState(): ConnectionState;
  subscribeState(listener: () => void): () => void;
}

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
