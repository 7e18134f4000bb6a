import { hash, verify } from "@node-rs/argon2";

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes); runs on the
// libuv thread pool, so it does not block the event loop.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** Verified against when the email is unknown, so both failures take as long. */
let dummy: Promise<string> | null = null;
export const dummyHash = () => {
  dummy ??= hashPassword("not-a-real-password");
  return dummy;
};
