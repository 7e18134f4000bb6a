import { randomUUID } from "node:crypto";
import type { LoginBody, Me, SignupBody } from "@shared/contracts/auth";
import { ErrorCode } from "@shared/errors";
import { R } from "@shared/realtime/resources";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Cache } from "../../cache/cache.js";
import type { Config } from "../../config/env.js";
import type { Database } from "../../db/database.js";
import type { Freshness } from "../../freshness/pipeline.js";
import { AppError, conflict } from "../../lib/errors.js";
import type { Limits } from "../../plugins/limits.js";
import { toMe } from "../users/users.mappers.js";
import { dummyHash, hashPassword, verifyPassword } from "./passwords.js";

export const SESSION_COOKIE = "zs_session";

export interface AuthUser {
  id: string;
  role: "user" | "admin";
  sessionId: string;
  /** Token expiry, epoch seconds. */
  expiresAt: number;
}

interface SessionState {
  userId: string;
  role: "user" | "admin";
  valid: boolean;
}

/** How many verified tokens `authenticate` remembers (a few MB at most). */
const VERIFIED_TOKENS = 10_000;

interface Claims {
  sub: string;
  sid: string;
  exp: number;
}

/**
 * Accounts and sessions. A token is a JWT (HS256, JWT_SECRET) naming a session
 * row; logout revokes the row, so a stolen token dies with the session. Session
 * lookups go through the cache (tag `session:<id>`), so authenticated reads cost
 * no database round trip.
 */
export class AuthService {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims were verified, by the token itself:
   * every request of a session after its first skips the HMAC, which jose does
   * through WebCrypto (a key import and a thread-pool round trip per call: 5 %
   * of an instance's CPU at 100 writes/s, docs/scaling.md). Only the exact same
   * string hits, expiry is checked on every use, and revocation is the
   * session's state, read per request as before. Oldest first out.
   */
  private readonly verified = new Map<string, Claims>();

  constructor(
    private readonly config: Config,
    secret: string,
    private readonly db: Database,
    private readonly cache: Cache,
    private readonly limits: Limits,
    private readonly freshness: () => Freshness,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  get ttlSeconds() {
    return this.config.sessionTtlHours * 3600;
  }

  async signup(input: SignupBody): Promise<{ user: Me; token: string; expiresAt: number }> {
    const passwordHash = await hashPassword(input.password);
    const fromEnv = this.config.adminEmails.includes(input.email);
    try {
      const user = await this.freshness().mutate({}, async (tx, fx) => {
        const u = await tx.user.create({
          data: {
            email: input.email,
            passwordHash,
            name: input.name,
            role: fromEnv ? "admin" : "user",
            adminFromEnv: fromEnv,
          },
        });
        fx.touch(R.profile(u.id));
        return u;
      });
      return { user: toMe(user), ...(await this.openSession(user.id)) };
    } catch (err) {
      if ((err as { code?: string }).code === "P2002")
        throw conflict("An account with this email already exists", ErrorCode.EMAIL_TAKEN);
      throw err;
    }
  }

  async login(input: LoginBody, ip: string): Promise<{ user: Me; token: string; expiresAt: number }> {
    // The try is counted before the password is checked, so parallel tries cannot outrun the count.
    const refund = await this.limits.loginTry(input.email, ip);
    const found = await this.db.prisma.user.findUnique({ where: { email: input.email } });
    // An unknown email costs a hash verification too, so timing does not tell them apart.
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyHash()), input.password);
    if (!found || !ok) {
      // Unknown email and wrong password get the same answer.
      throw new AppError(401, ErrorCode.INVALID_CREDENTIALS, "Email or password is incorrect");
    }
    await refund();
    // ADMIN_EMAILS grants at login, and takes back what it granted once the email leaves
    // it (an admin granted from the shell or by the seed keeps the role).
    let user = found;
    const listed = this.config.adminEmails.includes(user.email);
    const change =
      listed && user.role !== "admin"
        ? { role: "admin" as const, adminFromEnv: true }
        : !listed && user.role === "admin" && user.adminFromEnv
          ? { role: "user" as const, adminFromEnv: false }
          : null;
    if (change) {
      user = await this.freshness().mutate({ actorId: user.id }, async (tx, fx) => {
        const u = await tx.user.update({ where: { id: found.id }, data: change });
        fx.emit("profile:updated", { userId: u.id, name: u.name, avatarUrl: u.avatarUrl });
        return u;
      });
    }
    return { user: toMe(user), ...(await this.openSession(user.id)) };
  }

  /**
   * Revokes the session. Its event, `session:ended` (which affects the session's
   * cache tag), ends the session's sockets on every instance; recorded in the
   * outbox with the revocation, it reaches them even if this instance dies.
   */
  async logout(user: AuthUser): Promise<void> {
    await this.freshness().mutate({ actorId: user.id }, async (tx, fx) => {
      await tx.session.updateMany({ where: { id: user.sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
      fx.emit("session:ended", { sessionId: user.sessionId, reason: "signed out" });
    });
  }

  /** The user a token stands for, or null when it is invalid, expired or revoked. */
  async authenticate(token: string): Promise<AuthUser | null> {
    const claims = this.verified.get(token) ?? (await this.verify(token));
    if (!claims) return null;
    const { sub, sid, exp } = claims;
    if (exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      return null;
    }
    const state = await this.session(sid, sub);
    if (!state?.valid || state.userId !== sub) return null;
    return { id: sub, role: state.role, sessionId: sid, expiresAt: exp };
  }

  /** The token's claims if its signature is ours and they have the shape we sign; remembered. */
  private async verify(token: string): Promise<Claims | null> {
    let payload: { sub?: string; sid?: unknown; exp?: number };
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ["HS256"] }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
    const { sub, sid, exp } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") return null;
    if (!/^[0-9a-f-]{36}$/i.test(sid) || !/^[0-9a-f-]{36}$/i.test(sub)) return null;
    const claims = { sub, sid, exp };
    this.verified.set(token, claims);
    if (this.verified.size > VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    return claims;
  }

  private async session(sid: string, userId: string): Promise<SessionState | null> {
    const load = async () => {
      const s = await this.db.prisma.session.findUnique({
        where: { id: sid },
        select: { userId: true, revokedAt: true, expiresAt: true, user: { select: { role: true } } },
      });
      const state: SessionState | null = s
        ? { userId: s.userId, role: s.user.role, valid: !s.revokedAt && s.expiresAt > new Date() }
        : null;
      return JSON.stringify(state);
    };
    const json = await this.cache.read(`session:${sid}`, [R.session(sid), R.profile(userId)], load, { refill: false });
    return JSON.parse(json) as SessionState | null;
  }

  private async openSession(userId: string): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const session = await this.db.prisma.session.create({
      data: { id: randomUUID(), userId, expiresAt: new Date(expiresAt * 1000) },
    });
    const token = await new SignJWT({ sid: session.id })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt };
  }
}
