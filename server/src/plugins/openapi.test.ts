/**
 * The contract document: every route is in /openapi.json with a response schema,
 * auth and the error shape; Swagger UI loads under a CSP of script-src 'self'.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ProjectSummarySchema } from "@shared/contracts/responses";
import { describe, expect, it } from "vitest";
import { testApp } from "../../test/fixture.js";
import { call } from "../../test/helpers.js";
import { checkResponse, docKey, ROUTE_DOCS } from "./openapi.js";

const routes: { method: string; url: string }[] = [];
const ctx = testApp({
  onRoute: (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  },
});

/** Routes the document is about: the API and /metrics (not HEAD twins, the docs themselves or the web app). */
const apiRoutes = () =>
  routes.filter(
    (r) => r.method !== "HEAD" && (r.url.startsWith("/api/") || r.url === "/metrics") && !r.url.startsWith("/api/docs"),
  );
const openapiPath = (url: string) => url.replace(/:(\w+)/g, "{$1}");

describe("OpenAPI document", () => {
  it("lists every route with its success response, the error shape, and auth where needed", async () => {
    const res = await call(ctx.app, "GET", "/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(apiRoutes().length).toBeGreaterThan(30);
    for (const r of apiRoutes()) {
      const entry = ROUTE_DOCS[docKey(r.method, r.url)];
      expect(entry, `${r.method} ${r.url} has an entry in ROUTE_DOCS`).toBeDefined();
      const op = doc.paths[openapiPath(r.url)]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.url} is in the document`).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([String(entry!.status), "4XX", "5XX"]));
      expect(op.responses["4XX"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
      expect(op.security).toEqual([...(entry!.who === "anyone" ? [{}] : []), { bearerAuth: [] }, { cookieAuth: [] }]);
      expect(op.operationId).toMatch(/^[a-z]+[A-Za-z]+$/);
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerAuth", "cookieAuth"]);
    expect(doc.components.schemas.Error.examples).toHaveLength(1);
  });

  it("serves Swagger UI at /api/docs with no inline script", async () => {
    const page = await call(ctx.app, "GET", "/api/docs/");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    // Every <script> has a same-origin src: nothing a CSP of script-src 'self' would block.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\.?\/?(api\/docs\/)?static\//);
      expect(body!.trim()).toBe("");
    }
    const init = await call(ctx.app, "GET", "/api/docs/static/swagger-initializer.js");
    expect(init.statusCode).toBe(200);
  });
});

describe("the document passes a linter no one here wrote", () => {
  it("Redocly CLI finds 0 errors in /openapi.json", { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "zs-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      await writeFile(file, (await call(ctx.app, "GET", "/openapi.json")).body);
      // redocly exits 1 when it finds errors; the JSON report says which.
      const { stdout } = await promisify(execFile)(
        "node_modules/.bin/redocly",
        ["lint", file, "--format=json", "--skip-rule=no-unused-components"],
        {
          maxBuffer: 32 * 1024 * 1024,
          env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        },
      ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
      const report = JSON.parse(stdout) as { problems: { severity: string; ruleId: string; message: string }[] };
      const errors = report.problems.filter((p) => p.severity === "error");
      expect(errors.map((e) => `${e.ruleId}: ${e.message}`)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("response checks (tests run every response through them)", () => {
  const project = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: "5961d2a5-8813-461e-a0ad-2c932a033400",
      title: "T",
      description: "",
      url: null,
      tags: [],
      featured: false,
      score: 0,
      upvotes: 0,
      downvotes: 0,
      commentCount: 0,
      owner: { id: "0b9f1c52-6c1e-4a47-9d7e-3c2f8f1d2a10", name: "M", avatarUrl: null },
      badges: [],
      createdAt: "2026-11-21T08:00:00.000Z",
      updatedAt: "2026-11-21T08:00:00.000Z",
      ...extra,
    });
  it("accepts a body that matches, and flags a missing, mistyped or undocumented field", () => {
    expect(checkResponse(ProjectSummarySchema, project())).toBeNull();
    expect(checkResponse(ProjectSummarySchema, project({ title: 3 }))).toMatch(/title/);
    expect(checkResponse(ProjectSummarySchema, project({ secret: "x" }))).toMatch(/does not document/);
    const { title: _omitted, ...rest } = JSON.parse(project());
    expect(checkResponse(ProjectSummarySchema, JSON.stringify(rest))).toMatch(/title/);
  });
});
