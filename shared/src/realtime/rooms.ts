import { isId } from "../contracts/ids";
import { R, type Resource } from "./resources";

/**
 * A room of the realtime protocol. Clients subscribe to `feed`, `project:<id>`
 * and their own `user:<id>` (SPEC); `session:<id>` holds the sockets of one
 * session, which the server puts there at the handshake (clients cannot
 * subscribe to it): its only event, `session:ended`, ends them.
 */
export type Room = "feed" | `project:${string}` | `user:${string}` | SessionRoom;
export type SessionRoom = `session:${string}`;

export const rooms = {
  feed: "feed",
  project: (id: string) => `project:${id}`,
  user: (id: string) => `user:${id}`,
  session: (sessionId: string) => `session:${sessionId}`,
} as const satisfies Record<string, Room | ((id: string) => Room)>;

export const isSessionRoom = (room: string): room is SessionRoom => room.startsWith("session:");

export type ParsedRoom = { kind: "feed" } | { kind: "project"; id: string } | { kind: "user"; id: string };

/** Parses a room name a client asked for; null when it is not a room a client may subscribe to. */
export function parseRoom(name: unknown): ParsedRoom | null {
  if (name === "feed") return { kind: "feed" };
  if (typeof name !== "string") return null;
  const [kind, id, ...rest] = name.split(":");
  if (rest.length || !isId(id)) return null;
  if (kind === "project") return { kind: "project", id: id.toLowerCase() };
  if (kind === "user") return { kind: "user", id: id.toLowerCase() };
  return null;
}

/**
 * Everything a room's events can touch: what a client refetches after a gap,
 * a reconnect, or a `lastSeq` the server no longer holds.
 */
export function roomCovers(room: Room): Resource[] {
  const parsed = parseRoom(room);
  if (!parsed) return [];
  switch (parsed.kind) {
    case "feed":
      // Intro and conversation lists show names and project titles that feed events change
      // (profile:updated, project:updated): a feed gap refetches them too (room-covers.test.ts).
      return [R.feed, R.leaderboard, R.allProjects, R.allProfiles, R.tags, R.allIntros, R.allConversations];
    case "project":
      return [R.project(parsed.id)];
    case "user":
      return [
        R.intros(parsed.id),
        R.conversations(parsed.id),
        R.allConversationThreads,
        R.profile(parsed.id),
        R.allProjects,
        R.notifications(parsed.id),
        R.following(parsed.id),
      ];
  }
}
