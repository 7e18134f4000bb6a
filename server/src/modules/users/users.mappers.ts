import type { Me } from "@shared/contracts/auth";
import type { UserRef } from "@shared/contracts/common";
import type { PublicUser } from "@shared/contracts/users";

interface UserRow {
  id: string;
  email: string;
  name: string;
  bio: string;
  avatarUrl: string | null;
  role: "user" | "admin";
  createdAt: Date;
  updatedAt: Date;
}

/** The only mapping that includes an email; never used for anyone but the caller. */
export const toMe = (u: UserRow): Me => ({
  id: u.id,
  email: u.email,
  name: u.name,
  bio: u.bio,
  avatarUrl: u.avatarUrl,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});

export const toPublicUser = (u: Omit<UserRow, "email" | "updatedAt">): PublicUser => ({
  id: u.id,
  name: u.name,
  bio: u.bio,
  avatarUrl: u.avatarUrl,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
});

export const toUserRef = (u: { id: string; name: string; avatarUrl: string | null }): UserRef => ({
  id: u.id,
  name: u.name,
  avatarUrl: u.avatarUrl,
});

/** Prisma `select` for a UserRef. */
export const userRefSelect = { id: true, name: true, avatarUrl: true } as const;
