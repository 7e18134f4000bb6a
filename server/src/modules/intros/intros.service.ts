import type { CreateIntroBody, IntrosResponse, IntroView } from "@shared/contracts/intros";
import type { Database } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { conflict, forbidden, notFound } from "../../lib/errors.js";
import type { AuthUser } from "../auth/auth.service.js";
import { notify } from "../notifications/notifications.writer.js";
import { referenceProject } from "../projects/projects.service.js";
import { toUserRef, userRefSelect } from "../users/users.mappers.js";
import { referenceOtherUser } from "../users/users.service.js";

const introSelect = {
  id: true,
  fromUserId: true,
  toUserId: true,
  projectId: true,
  message: true,
  status: true,
  respondedAt: true,
  createdAt: true,
  updatedAt: true,
  fromUser: { select: userRefSelect },
  toUser: { select: userRefSelect },
  project: { select: { id: true, title: true } },
} as const;

type IntroRow = {
  id: string;
  fromUserId: string;
  toUserId: string;
  projectId: string | null;
  message: string;
  status: "pending" | "accepted" | "declined";
  respondedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  fromUser: { id: string; name: string; avatarUrl: string | null };
  toUser: { id: string; name: string; avatarUrl: string | null };
  project: { id: string; title: string } | null;
};

const toView = (i: IntroRow): IntroView => ({
  id: i.id,
  fromUserId: i.fromUserId,
  toUserId: i.toUserId,
  fromUser: toUserRef(i.fromUser),
  toUser: toUserRef(i.toUser),
  project: i.project,
  projectId: i.projectId,
  message: i.message,
  status: i.status,
  respondedAt: i.respondedAt?.toISOString() ?? null,
  createdAt: i.createdAt.toISOString(),
  updatedAt: i.updatedAt.toISOString(),
});

const LIST_LIMIT = 200;

/** Intro requests: private to the two people involved. */
export class IntrosService {
  constructor(
    private readonly db: Database,
    private readonly freshness: Freshness,
  ) {}

  async request(user: AuthUser, input: CreateIntroBody): Promise<IntroView> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      await referenceOtherUser(tx, user, input.toUserId, "You cannot request an intro to yourself");
      if (input.projectId) await referenceProject(tx, input.projectId);
      // One pending request per pair, whoever asked first: serialise requests of
      // the same pair with a transaction-scoped advisory lock, then check.
      const [a, b] = [user.id, input.toUserId].sort();
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`intro:${a}:${b}`}))`;
      const pending = await tx.intro.findFirst({
        where: {
          status: "pending",
          OR: [
            { fromUserId: user.id, toUserId: input.toUserId },
            { fromUserId: input.toUserId, toUserId: user.id },
          ],
        },
        select: { fromUserId: true },
      });
      if (pending)
        throw conflict(
          pending.fromUserId === user.id
            ? "You already have a pending intro request to this person"
            : "This person already asked you for an intro; answer it in your inbox",
        );
      const intro = await tx.intro.create({
        data: {
          fromUserId: user.id,
          toUserId: input.toUserId,
          projectId: input.projectId ?? null,
          message: input.message,
        },
        select: introSelect,
      });
      fx.emit("intro:received", {
        introId: intro.id,
        fromUserId: user.id,
        toUserId: input.toUserId,
        fromName: intro.fromUser.name,
      });
      await notify(tx, fx, {
        userId: input.toUserId,
        kind: "intro_received",
        actorId: user.id,
        introId: intro.id,
        projectId: intro.projectId,
      });
      return toView(intro);
    });
  }

  async list(user: AuthUser): Promise<IntrosResponse> {
    const [received, sent] = await Promise.all([
      this.db.prisma.intro.findMany({
        where: { toUserId: user.id },
        select: introSelect,
        orderBy: { createdAt: "desc" },
        take: LIST_LIMIT,
      }),
      this.db.prisma.intro.findMany({
        where: { fromUserId: user.id },
        select: introSelect,
        orderBy: { createdAt: "desc" },
        take: LIST_LIMIT,
      }),
    ]);
    return { received: received.map(toView), sent: sent.map(toView) };
  }

  async respond(user: AuthUser, introId: string, accept: boolean): Promise<IntroView> {
    return this.freshness.mutate({ actorId: user.id }, async (tx, fx) => {
      const rows = await tx.$queryRaw<{ fromUserId: string; toUserId: string; status: string }[]>`
        SELECT from_user_id::text AS "fromUserId", to_user_id::text AS "toUserId", status::text
          FROM intros WHERE id = ${introId}::uuid FOR UPDATE`;
      const current = rows[0];
      // Someone outside the pair must not learn that the request exists.
      if (!current || (current.toUserId !== user.id && current.fromUserId !== user.id)) throw notFound("Intro");
      if (current.toUserId !== user.id) throw forbidden("Only the recipient can answer an intro request");
      if (current.status !== "pending") throw conflict(`This intro was already ${current.status}`);
      const intro = await tx.intro.update({
        where: { id: introId },
        data: { status: accept ? "accepted" : "declined", respondedAt: new Date() },
        select: introSelect,
      });
      fx.emit(accept ? "intro:accepted" : "intro:declined", {
        introId,
        fromUserId: intro.fromUserId,
        toUserId: intro.toUserId,
        toName: intro.toUser.name,
      });
      await notify(tx, fx, {
        userId: intro.fromUserId,
        kind: accept ? "intro_accepted" : "intro_declined",
        actorId: user.id,
        introId,
        projectId: intro.projectId,
      });
      return toView(intro);
    });
  }
}
