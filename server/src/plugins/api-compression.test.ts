/** JSON API responses are gzipped when large enough to pay (ADR 016), small ones and errors stay plain. */
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call, createProject, signup } from "../../test/helpers.js";

const ctx = testApp();

beforeAll(async () => {
  const maker = await signup(ctx.app, { name: "Compressed Maker" });
  for (let i = 0; i < 12; i++)
    await createProject(ctx.app, maker, { title: `Project number ${i}`, description: "Words ".repeat(60) });
});

describe("API response compression", () => {
  it("gzips a large JSON response for a client that accepts gzip, byte-for-byte the same JSON", async () => {
    const plain = await call(ctx.app, "GET", "/api/projects?sort=newest&pageSize=20");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(4096);

    const res = await call(ctx.app, "GET", "/api/projects?sort=newest&pageSize=20", {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(gunzipSync(res.rawPayload).toString())).toEqual(plain.json());
  });

  it("sends small responses as they are (compressing them costs more than it saves)", async () => {
    const res = await call(ctx.app, "GET", "/api/projects?sort=newest&pageSize=1", {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body.length).toBeLessThan(1024);
    expect(res.headers["content-encoding"]).toBeUndefined();
    const missing = await call(ctx.app, "GET", "/api/nope", { headers: { "accept-encoding": "gzip" } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("NOT_FOUND");
  });
});
