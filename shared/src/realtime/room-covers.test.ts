/**
 * Property: whoever can see something an event affects is in one of the event's
 * rooms, and that room's covers include it. Otherwise a client that misses the
 * event (a seq gap, a reconnect) refetches its rooms' covers and keeps the old
 * value. The client model is the web client's: always in `feed` and its own
 * user room, plus the project rooms of the pages it shows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { affectsOf, type DomainEvent, EVENT_TYPES, type EventType, eventSchema, roomsOf, TABLES } from "./events";
import { parseResource, type Resource } from "./resources";
import { type Room, roomCovers, rooms } from "./rooms";

// A small pool of ids, so events and clients name the same users and projects.
const ids = ["a", "b", "c", "d"].map((c) => `${c.repeat(8)}-0000-4000-8000-000000000000`);
const id = fc.constantFrom(...ids);

/** An arbitrary for an event's payload, read off its zod schema (the catalogue has only these kinds of field). */
function arbitraryOf(schema: z.ZodType, key = ""): fc.Arbitrary<unknown> {
  if (schema instanceof z.ZodObject)
    return fc.record(
      Object.fromEntries(Object.entries(schema.shape).map(([k, s]) => [k, arbitraryOf(s as z.ZodType, k)])),
    );
  if (schema instanceof z.ZodNullable) return fc.option(arbitraryOf(schema.unwrap() as z.ZodType, key), { nil: null });
  if (schema instanceof z.ZodOptional)
    return fc.option(arbitraryOf(schema.unwrap() as z.ZodType, key), { nil: undefined });
  if (schema instanceof z.ZodArray) return fc.array(arbitraryOf(schema.element as z.ZodType, key), { maxLength: 3 });
  if (schema instanceof z.ZodEnum) return fc.constantFrom(...(schema.options as string[]));
  if (schema instanceof z.ZodLiteral) return fc.constant(schema.value);
  if (schema instanceof z.ZodUnion) return fc.oneof(...(schema.options as z.ZodType[]).map((o) => arbitraryOf(o, key)));
  if (schema instanceof z.ZodBoolean) return fc.boolean();
  if (schema instanceof z.ZodNumber) return fc.integer({ min: 0, max: 100 });
  if (schema instanceof z.ZodString) return /id$/i.test(key) || key === "id" ? id : fc.string({ maxLength: 8 });
  throw new Error(`no arbitrary for ${key} (${schema.constructor.name}): extend arbitraryOf`);
}

/** Tables whose trigger payload always names the project (comment_votes: from its comment, which deletes it with it). */
const WITH_PROJECT = new Set(["projects", "votes", "comments", "comment_votes", "badges"]);
const eventArb = (type: EventType) =>
  arbitraryOf(eventSchema(type, z) as z.ZodType)
    .map((data) => ({ type, data }) as DomainEvent)
    .filter((e) => !(e.type === "cache:invalidate" && WITH_PROJECT.has(e.data.resource) && !e.data.projectId));
const clientArb = fc.record({ me: id, viewing: fc.uniqueArray(id, { maxLength: 2 }) });
const ctxArb = fc.record({ actorId: fc.option(id, { nil: null }), userIds: fc.uniqueArray(id, { maxLength: 3 }) });

type Client = { me: string; viewing: string[] };
const clientRooms = (c: Client): Room[] => [rooms.feed, rooms.user(c.me), ...c.viewing.map(rooms.project)];

/** The instance of an affected resource this client would show, or null when it shows none. */
function seenBy(r: Resource, c: Client): Resource | null {
  const { kind, id: rid } = parseResource(r);
  const mine = (x: string) => x === c.me;
  switch (kind) {
    case "feed":
    case "leaderboard":
      return r;
    case "project":
      return rid === "*"
        ? c.viewing[0]
          ? (`project:${c.viewing[0]}` as Resource)
          : null
        : c.viewing.includes(rid!)
          ? r
          : null;
    case "profile":
      return r; // any profile page may be open
    case "intros":
    case "conversations":
      return rid === "*" ? (`${kind}:${c.me}` as Resource) : mine(rid!) ? r : null;
    case "conversation":
      return rid === "*" || rid!.split(":").some(mine) ? r : null;
    default:
      return null; // server-only cache tags (catalog, ranking) and sessions
  }
}

const covers = (cover: Resource[], r: Resource) => {
  if (cover.includes("*") || cover.includes(r)) return true;
  const { kind, id: rid } = parseResource(r);
  return rid !== null && cover.includes(`${kind}:*` as Resource);
};

describe("each event's rooms cover everything it affects", () => {
  it("knows how to generate every event of the catalogue", () => {
    for (const type of EVENT_TYPES) expect(() => eventArb(type)).not.toThrow();
    expect(TABLES.length).toBeGreaterThan(0);
  });

  for (const type of EVENT_TYPES) {
    it(type, () => {
      fc.assert(
        fc.property(eventArb(type), ctxArb, clientArb, (e, ctx, client) => {
          const reached = roomsOf(e, ctx).filter((room) => clientRooms(client).includes(room));
          // A row of intros or messages written outside the API concerns only the people the
          // trigger names (ctx.userIds); the catalogue says `intros:*` because it cannot name them.
          const privateRow =
            e.type === "cache:invalidate" && (e.data.resource === "intros" || e.data.resource === "messages");
          if (privateRow && !(ctx.userIds ?? []).includes(client.me)) return;
          for (const r of affectsOf(e)) {
            const seen = seenBy(r, client);
            if (!seen) continue;
            const ok = reached.some((room) => covers(roomCovers(room), seen));
            if (!ok)
              throw new Error(`${seen} (from ${r}) is in no room of ${type} that ${JSON.stringify(client)} is in`);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});
