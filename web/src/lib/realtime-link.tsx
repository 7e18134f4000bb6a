import { type Room, rooms } from "@shared/realtime/rooms";
import { createContext, type ReactNode, startTransition, useContext, useEffect, useState } from "react";

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

/**
 * The connection state, for the indicator. Updated in a transition rather than
 * through useSyncExternalStore, whose updates render synchronously: the socket
 * connecting a moment after the first paint re-rendered the shell in one long
 * task; as a transition React renders it in slices between other work.
 */
export function useConnectionState(): ConnectionState {
  const client = useRealtimeClient();
  const [state, setState] = useState(client.getState);
  useEffect(() => {
    const update = () => startTransition(() => setState(client.getState()));
    // What changed between the render and this subscription.
    update();
    return client.subscribeState(update);
  }, [client]);
  return state;
}

/** Holds the `project:<id>` room while the calling view is mounted. */
export function useProjectRoom(projectId: string | undefined) {
  const client = useRealtimeClient();
  useEffect(() => {
    if (!projectId) return;
    return client.watchRoom(rooms.project(projectId.toLowerCase()));
  }, [client, projectId]);
}
