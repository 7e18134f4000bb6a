import type { BadgeKind } from "@shared/contracts/badges";
import type { ProjectSummary } from "@shared/contracts/projects";
import { toUserRef, userRefSelect } from "../users/users.mappers.js";

/** Prisma `select` for everything a ProjectSummary shows. */
export const summarySelect = {
  id: true,
  title: true,
  description: true,
  url: true,
  tags: true,
  featured: true,
  score: true,
  upvotes: true,
  downvotes: true,
  commentCount: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: userRefSelect },
  badges: { select: { kind: true, createdAt: true }, orderBy: { createdAt: "asc" } },
} as const;

export interface SummaryRow {
  id: string;
  title: string;
  description: string;
  url: string | null;
  tags: string[] | null;
  featured: boolean;
  score: number;
  upvotes: number;
  downvotes: number;
  commentCount: number;
  createdAt: Date;
  updatedAt: Date;
  owner: { id: string; name: string; avatarUrl: string | null };
  badges: { kind: BadgeKind; createdAt: Date }[];
}

export const toSummary = (p: SummaryRow): ProjectSummary => ({
  id: p.id,
  title: p.title,
  description: p.description,
  url: p.url,
  tags: p.tags ?? [],
  featured: p.featured,
  score: p.score,
  upvotes: p.upvotes,
  downvotes: p.downvotes,
  commentCount: p.commentCount,
  owner: toUserRef(p.owner),
  badges: p.badges.map((b) => ({ kind: b.kind, createdAt: b.createdAt.toISOString() })),
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});
