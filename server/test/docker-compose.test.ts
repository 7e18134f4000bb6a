/** docker-compose.yml is validated without a Docker engine (none runs here): dclint + a structural check. */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const run = promisify(execFile);

describe("docker-compose.yml", () => {
  it("passes the compose schema linter", async () => {
    const { stdout, stderr } = await run("npx", ["dclint", "--max-warnings", "0", "docker-compose.yml"]).catch(
      (err) => err as { stdout: string; stderr: string },
    );
    expect(`${stdout}${stderr}`).not.toMatch(/\berror\b|warning\s/i);
  });

  it("declares PostgreSQL, Redis and two app instances, each with a health check", async () => {
    const doc = parse(await readFile("docker-compose.yml", "utf8"), { merge: true });
    const services = doc.services as Record<string, Record<string, unknown>>;
    for (const name of ["postgres", "redis", "app1", "app2"]) {
      expect(services[name], name).toBeDefined();
      expect(services[name]!.healthcheck, `${name} health check`).toBeDefined();
    }
    for (const app of ["app1", "app2"]) {
      const env = services[app]!.environment as Record<string, string>;
      expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/.+@postgres:5432\//);
      expect(env.REDIS_URL).toBe("redis://redis:6379");
      expect(env.JWT_SECRET).toBeTruthy();
      expect(Object.keys(services[app]!.depends_on as object).sort()).toEqual(["postgres", "redis"]);
    }
    expect((services.app1!.environment as Record<string, string>).JWT_SECRET).toBe(
      (services.app2!.environment as Record<string, string>).JWT_SECRET,
    );
  });

  it("has a cluster profile: three Redis Cluster nodes, their one-shot setup, two instances on REDIS_CLUSTER_NODES", async () => {
    const doc = parse(await readFile("docker-compose.yml", "utf8"), { merge: true });
    const services = doc.services as Record<string, Record<string, unknown>>;
    const inCluster = Object.entries(services).filter(([, s]) =>
      (s.profiles as string[] | undefined)?.includes("cluster"),
    );
    const names = inCluster.map(([n]) => n);
    for (const n of [
      "redis-node-1",
      "redis-node-2",
      "redis-node-3",
      "redis-cluster-init",
      "app-cluster1",
      "app-cluster2",
    ])
      expect(names, n).toContain(n);
    for (const n of ["redis-node-1", "redis-node-2", "redis-node-3"])
      expect((services[n]!.command as string[]).join(" ")).toMatch(/--cluster-enabled yes/);
    for (const app of ["app-cluster1", "app-cluster2"]) {
      const env = services[app]!.environment as Record<string, string>;
      expect(env.REDIS_URL).toBeUndefined();
      expect(env.REDIS_CLUSTER_NODES).toBe("redis-node-1:6379,redis-node-2:6379,redis-node-3:6379");
      expect(services[app]!.healthcheck).toBeDefined();
      expect(services[app]!.depends_on).toMatchObject({
        "redis-cluster-init": { condition: "service_completed_successfully" },
      });
    }
    // The default profile is unchanged: nothing of the cluster starts without --profile cluster.
    expect(services.app1!.profiles).toBeUndefined();
  });

  it("has no fallback secrets: JWT_SECRET and the database password must come from the environment", async () => {
    const text = await readFile("docker-compose.yml", "utf8");
    const doc = parse(text, { merge: true });
    const services = doc.services as Record<string, { environment: Record<string, string> }>;
    for (const app of ["app1", "app2"]) {
      const env = services[app]!.environment;
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?[^}]*\}$/);
      expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/zerostale:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
      // Behind the load balancer: addresses and HTTPS are read from its headers.
      expect(env.TRUST_PROXY).toBe("true");
    }
    expect(services.postgres!.environment.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]*\}$/);
    // No `${VAR:-default}` for any secret anywhere.
    expect(text).not.toMatch(/\$\{(JWT_SECRET|POSTGRES_PASSWORD|METRICS_TOKEN):-[^}]+\}/);
  });
});

describe("the image", () => {
  it("runs as a non-root user and keeps .env out of the build context", async () => {
    const dockerfile = await readFile("Dockerfile", "utf8");
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
    // The last stage (the one that runs) starts from a clean base, not from the build stage.
    const lastFrom = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].at(-1)?.[1];
    expect(lastFrom).toMatch(/^node:/);
    const ignored = (await readFile(".dockerignore", "utf8")).split("\n").map((l) => l.trim());
    expect(ignored).toContain(".env");
  });
});
