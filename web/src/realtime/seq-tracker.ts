import type { Room } from "@shared/realtime/rooms";

/**
 * - `apply`: the next event of the room.
 * - `duplicate`: the event we saw last, again; ignore it.
 * - `resync`: a gap, a jump or a step back; refetch everything the room covers.
 * - `unsynced`: the subscription is not acknowledged yet; apply it (the ack refetches anyway).
 */
export type SeqVerdict = "apply" | "duplicate" | "resync" | "unsynced";

/** The last `seq` seen per room, and the SPEC's rule for the next one. */
export class SeqTracker {
  private last = new Map<Room, number>();
  private early = new Map<Room, number>();

  observe(room: Room, seq: number): SeqVerdict {
    const last = this.last.get(room);
    if (last === undefined) {
      this.early.set(room, Math.max(seq, this.early.get(room) ?? -Infinity));
      return "unsynced";
    }
    if (seq === last) return "duplicate";
    this.last.set(room, seq);
    return seq === last + 1 ? "apply" : "resync";
  }

  /** The subscription ack's seq: where the room stands now (events seen before it count too). */
  synced(room: Room, seq: number) {
    this.last.set(room, Math.max(seq, this.early.get(room) ?? -Infinity));
    this.early.delete(room);
  }

  /** Keeps the last seq for a resubscribe, but waits for its ack before judging events again. */
  unsync(room: Room) {
    this.early.delete(room);
    const last = this.last.get(room);
    this.last.delete(room);
    return last;
  }

  get(room: Room): number | undefined {
    return this.last.get(room);
  }

  forget(room: Room) {
    this.last.delete(room);
    this.early.delete(room);
  }
}
