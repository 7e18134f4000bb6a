import type { ConnectionState } from "../lib/realtime-link";
import { clockTime } from "./relative-time";

const TEXT = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
} as const;

/** Shows whether what is on screen is being kept fresh right now. */
export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const label =
    state.status === "offline" ? `Offline since ${clockTime(state.downSince ?? Date.now())}` : TEXT[state.status];
  const title =
    state.status === "live"
      ? "Connected: changes appear as they happen"
      : "Not connected: showing what we had, refreshing in the background";
  return (
    <span className={`conn conn-${state.status}`} role="status" title={title} data-testid="connection-status">
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-text">{label}</span>
    </span>
  );
}
