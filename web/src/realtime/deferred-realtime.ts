import type { Room } from "@shared/realtime/rooms";
import type { ConnectionState, RealtimeLink } from "../lib/realtime-link";

const CONNECTING: ConnectionState = { status: "connecting", downSince: null };

/**
 * Stands in for the realtime client until its chunk (socket.io-client and the
 * event catalogue, ~20 kB compressed) has loaded, so the first page renders
 * without waiting for it. The chunk is asked for on the first `start()`, which
 * the app shell calls from an effect, i.e. once the first page has rendered:
 * its bytes and its evaluation stay out of the way of the first paint, and the
 * subscribe acknowledgements refetch whatever was read before the rooms were
 * joined. It remembers what views asked for (start, who is signed in, rooms)
 * and replays it on the real client, then forwards everything (ADR 016).
 */
export class DeferredRealtime implements RealtimeLink {
  private client: RealtimeLink | null = null;
  private readonly listeners = new Set<() => void>();
  private startWanted = 0;
  private user: { id: string | null } | null = null;
  private signingOut = false;
  /** Rooms watched before the client loaded, with a release to call once it has. */
  private readonly rooms = new Map<symbol, { room: Room; release: (() => void) | null }>();
  private unsubscribeClient: (() => void) | null = null;
  private stopClient: (() => void) | null = null;
  private loading = false;

  constructor(private readonly load: () => Promise<RealtimeLink>) {}

  private loadOnce() {
    if (this.loading) return;
    this.loading = true;
    // A task of its own: start() runs among the first render's effects, which are long enough already.
    setTimeout(() => {
      void this.load().then(
        (client) => this.attach(client),
        (err) => console.error("the realtime client did not load", err),
      );
    }, 0);
  }

  private attach(client: RealtimeLink) {
    this.client = client;
    if (this.user) client.setUser(this.user.id);
    if (this.signingOut) client.expectSignOut();
    for (const entry of this.rooms.values()) entry.release = client.watchRoom(entry.room);
    this.unsubscribeClient = client.subscribeState(() => this.emit());
    if (this.startWanted > 0) this.stopClient = client.start();
    // Views re-render (synchronously: useSyncExternalStore) only if what they showed changed.
    const now = client.getState();
    if (now.status !== CONNECTING.status || now.downSince !== CONNECTING.downSince) this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }

  start(): () => void {
    if (this.client) return this.client.start();
    this.startWanted++;
    this.loadOnce();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.startWanted--;
      if (this.startWanted === 0 && this.stopClient) {
        this.stopClient();
        this.stopClient = null;
      }
    };
  }

  setUser(userId: string | null) {
    if (this.client) this.client.setUser(userId);
    else this.user = { id: userId };
  }

  expectSignOut() {
    if (this.client) this.client.expectSignOut();
    else this.signingOut = true;
  }

  watchRoom(room: Room): () => void {
    if (this.client) return this.client.watchRoom(room);
    const key = Symbol(room);
    this.rooms.set(key, { room, release: null });
    return () => {
      const entry = this.rooms.get(key);
      this.rooms.delete(key);
      entry?.release?.();
    };
  }

  getState = (): ConnectionState => {
    if (!this.client) return CONNECTING;
    const state = this.client.getState();
    // The same snapshot for the same state, so taking over from the stand-in re-renders nothing.
    return state.status === CONNECTING.status && state.downSince === null ? CONNECTING : state;
  };

  subscribeState = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Tests: detach from the client. */
  dispose() {
    this.unsubscribeClient?.();
  }
}
