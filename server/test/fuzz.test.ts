/**
 * Table-driven fuzz of every route of SPEC.md's HTTP API: malformed and
 * oversized bodies, wrong types, unknown and malformed ids, bad query strings,
 * sent anonymously, as an ordinary user, as the one user allowed to act, and
 * as an admin. Every answer must be below 500, every 4xx must carry SPEC's
 * error shape, and no table may change (checksummed before and after each request).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checksum, expectError, MALFORMED_IDS, unknownId } from "./api.js";
import { testApp, testUsers } from "./fixture.js";
import { baseUrl, call, createProject, setupApp, type TestUser } from "./helpers.js";

const ctx = testApp();
// Alice owns the project, receives the intro and the message; Bob wrote the comment, sent the intro and the message.
const { alice, bob, admin } = testUsers(ctx, { alice: "Alice", bob: "Bob", admin: { name: "Admin", admin: true } });
const ids = { project: "", comment: "", intro: "", message: "" };

beforeAll(async () => {
  ids.project = (await createProject(ctx.app, alice)).id;
  const c = await call(ctx.app, "POST", `/api/projects/${ids.project}/comments`, {
    token: bob.token,
    body: { body: "a comment" },
  });
  ids.comment = c.json().id;
  const i = await call(ctx.app, "POST", "/api/intros", {
    token: bob.token,
    body: { toUserId: alice.id, message: "hi" },
  });
  ids.intro = i.json().id;
  const m = await call(ctx.app, "POST", "/api/messages", {
    token: bob.token,
    body: { toUserId: alice.id, body: "hi" },
  });
  ids.message = m.json().id;
});

// ---------------------------------------------------------------------------
// Bad values per kind of field. Every one of them must be rejected.
// ---------------------------------------------------------------------------

const MISSING = Symbol("missing");
type Bad = unknown;
const NOT_STRINGS: Bad[] = [null, 0, -1.5, true, [], {}, ["x"], { $ne: "" }];
const HUGE = "x".repeat(200_000); // under the body limit, over every field's limit

/** Not Unicode (lone surrogates) or not storable (NUL): refused in every text field. */
const ILL_FORMED: Bad[] = ["\ud800", "a\udc00b", "\udfff\ud800", "x\ud83d", "a\u0000b", "\u0000"];
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the things it looks for
const isIllFormed = (v: unknown) => typeof v === "string" && /[\u0000\p{Cs}]/u.test(v);
/** Shows as nothing: refused wherever text is required. */
const INVISIBLE_ONLY: Bad[] = ["\u200b", "\u200b\u200c\u200d", "\ufeff\u2060", " \u00ad ", "\u3164", "\u2800\u200b"];
/** Bidi overrides, embeddings and isolates: refused in every text field. */
const BIDI: Bad[] = ["Ann\u202Egnp.exe", "a\u2066b\u2069", "\u202Ax\u202C", "x\u2067"];
/** Control characters and bidi marks: refused in single-line text (names, titles). */
const CONTROL_OR_BIDI: Bad[] = ["\u200fAnn", "a\u200eb", "a\u0007b", "a\nb", "a\u001bb", "a\u0085b", "a\tb"];

const textBad = (min: number, max: number, required = true, singleLine = false): Bad[] => [
  ...(required ? [MISSING] : []),
  ...NOT_STRINGS,
  ...(min > 0 ? ["", "   ", "\n\t", ...INVISIBLE_ONLY] : []),
  "x".repeat(max + 1),
  HUGE,
  ...ILL_FORMED,
  ...BIDI,
  ...(singleLine ? CONTROL_OR_BIDI : []),
];
const URL_BAD: Bad[] = [
  0,
  true,
  [],
  {},
  "ftp://example.com",
  "javascript:alert(1)",
  "data:text/html,hi",
  "//example.com",
  "http://",
  "example.com",
  "x",
  `https://example.com/${"a".repeat(2001)}`,
  "https://example.com/\u0000",
  "https://example.com/\ud800",
  HUGE,
];
const TAGS_BAD: Bad[] = [
  null,
  "a,b",
  0,
  {},
  [0],
  [null],
  [""],
  ["t".repeat(31)],
  Array.from({ length: 11 }, (_, i) => `t${i}`),
  [[]],
  ["<b>"],
  [HUGE],
];
const ID_BAD: Bad[] = [null, 0, true, [], {}, "", "abc", "1", "00000000-0000-0000-0000-00000000000g", HUGE];
const VOTE_BAD: Bad[] = [MISSING, null, 2, -2, 0.5, "1", "0", true, [], {}, 1e308];

interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** With `:id` / `:userId` placeholders. */
  path: string;
  auth: "none" | "user" | "admin";
  /** The user allowed to act on the fixtures (so that only the input stands in the way). */
  actor?: () => TestUser;
  /** Values for the path params of the fixtures. */
  params?: () => Record<string, string>;
  /** A valid body, and per field the values that must be rejected. */
  body?: {
    valid: (caller: TestUser | null) => Record<string, unknown>;
    bad: Record<string, Bad[]>;
    unknownIds?: string[];
  };
  /** Query strings that must be rejected (routes that validate their query). */
  badQueries?: string[];
  /** The route's own query parameters (junk under these names is validated, not ignored). */
  queryParams?: string[];
}

const ROUTES: Route[] = [
  {
    method: "POST",
    path: "/api/auth/signup",
    auth: "none",
    body: {
      valid: () => ({ email: "new-user@example.test", password: "long enough secret", name: "New" }),
      bad: {
        email: [MISSING, ...NOT_STRINGS, "", "x", "a@", "@b.c", `${"a".repeat(250)}@example.test`, HUGE],
        password: [
          MISSING,
          ...NOT_STRINGS,
          "",
          "short",
          "12345678",
          "        ",
          " ".repeat(12),
          "a".repeat(12),
          "1234567890",
          "qwertyuiop",
          "Password1234",
          "iloveyou123",
          "p".repeat(201),
          HUGE,
          ...ILL_FORMED.map((s) => `long enough ${s}`),
        ],
        name: textBad(1, 80, true, true),
      },
    },
  },
  {
    method: "POST",
    path: "/api/auth/login",
    auth: "none",
    body: {
      valid: () => ({ email: alice.email, password: "correct horse battery" }),
      bad: {
        email: [MISSING, ...NOT_STRINGS, "", "x", HUGE, "a\ud800@example.test"],
        password: [MISSING, ...NOT_STRINGS, "", "p".repeat(201), HUGE, ...ILL_FORMED],
      },
    },
  },
  { method: "POST", path: "/api/auth/logout", auth: "user" },
  { method: "GET", path: "/api/me", auth: "user" },
  {
    method: "GET",
    path: "/api/projects",
    auth: "none",
    badQueries: [
      "sort=hot",
      "sort=",
      "sort=top&sort=new",
      "page=0",
      "page=-1",
      "page=1.5",
      "page=x",
      "page=",
      "page=1e10",
      "pageSize=0",
      "pageSize=101",
      "pageSize=NaN",
      "pageSize=Infinity",
      `page=${"9".repeat(400)}`,
      `sort=${"x".repeat(50_000)}`,
      // Search input: over the limit, NUL, an empty or ill-formed tag, a non-boolean flag.
      `q=${"y".repeat(201)}`,
      `q=${"y".repeat(8000)}`,
      "q=a%00b",
      "tag=",
      `tag=${"t".repeat(31)}`,
      "tag=%3Cb%3E",
      "following=yes",
      "following=1",
    ],
    queryParams: ["q", "tag", "following", "sort", "page", "pageSize"],
  },
  { method: "GET", path: "/api/tags", auth: "none" },
  {
    method: "GET",
    path: "/api/projects/:id/comments",
    auth: "none",
    params: () => ({ id: ids.project }),
    badQueries: [
      "before=",
      "before=x",
      "before=123_abc",
      `before=${"1".repeat(300)}`,
      "limit=0",
      "limit=101",
      "limit=x",
    ],
  },
  {
    method: "POST",
    path: "/api/projects",
    auth: "user",
    actor: () => alice,
    body: {
      valid: () => ({ title: "Valid", description: "ok", url: "https://example.com", tags: ["a"] }),
      bad: {
        title: textBad(1, 120, true, true),
        description: textBad(0, 5000, false),
        url: URL_BAD,
        tags: TAGS_BAD,
      },
    },
  },
  { method: "GET", path: "/api/projects/:id", auth: "none", params: () => ({ id: ids.project }) },
  {
    method: "PATCH",
    path: "/api/projects/:id",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.project }),
    body: {
      valid: () => ({ title: "Renamed" }),
      bad: {
        title: textBad(1, 120, true, true).filter((v) => v !== MISSING),
        description: textBad(0, 5000, false),
        url: URL_BAD,
        tags: TAGS_BAD,
      },
    },
  },
  {
    method: "DELETE",
    path: "/api/projects/:id",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.project }),
  },
  {
    method: "POST",
    path: "/api/projects/:id/feature",
    auth: "admin",
    actor: () => admin,
    params: () => ({ id: ids.project }),
    body: { valid: () => ({ featured: true }), bad: { featured: [MISSING, null, 0, 1, "true", "yes", [], {}] } },
  },
  { method: "POST", path: "/api/projects/:id/upvote", auth: "user", params: () => ({ id: ids.project }) },
  { method: "POST", path: "/api/projects/:id/downvote", auth: "user", params: () => ({ id: ids.project }) },
  { method: "DELETE", path: "/api/projects/:id/vote", auth: "user", params: () => ({ id: ids.project }) },
  {
    method: "POST",
    path: "/api/votes",
    auth: "user",
    actor: () => bob,
    body: {
      valid: () => ({ projectId: ids.project, value: 1 }),
      bad: { projectId: [MISSING, ...ID_BAD], value: VOTE_BAD },
      unknownIds: ["projectId"],
    },
  },
  {
    method: "POST",
    path: "/api/projects/:id/comments",
    auth: "user",
    actor: () => bob,
    params: () => ({ id: ids.project }),
    body: {
      valid: () => ({ body: "a reply", parentId: ids.comment }),
      bad: { body: textBad(1, 2000), parentId: ID_BAD.filter((v) => v !== null) },
      unknownIds: ["parentId"],
    },
  },
  {
    method: "PATCH",
    path: "/api/comments/:id",
    auth: "user",
    actor: () => bob,
    params: () => ({ id: ids.comment }),
    body: { valid: () => ({ body: "edited" }), bad: { body: textBad(1, 2000) } },
  },
  { method: "DELETE", path: "/api/comments/:id", auth: "user", actor: () => bob, params: () => ({ id: ids.comment }) },
  {
    method: "POST",
    path: "/api/comments/:id/vote",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.comment }),
    body: { valid: () => ({ value: 1 }), bad: { value: VOTE_BAD } },
  },
  {
    method: "POST",
    path: "/api/intros",
    auth: "user",
    actor: () => alice,
    body: {
      // Someone the caller has no pending request with.
      valid: (caller) => ({
        toUserId: caller === admin ? alice.id : admin.id,
        projectId: ids.project,
        message: "hello",
      }),
      bad: {
        toUserId: [MISSING, ...ID_BAD],
        projectId: ID_BAD.filter((v) => v !== null),
        message: textBad(1, 1000),
      },
      unknownIds: ["toUserId", "projectId"],
    },
  },
  { method: "GET", path: "/api/intros", auth: "user" },
  {
    method: "POST",
    path: "/api/intros/:id/accept",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.intro }),
  },
  {
    method: "POST",
    path: "/api/intros/:id/decline",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.intro }),
  },
  {
    method: "POST",
    path: "/api/messages",
    auth: "user",
    actor: () => alice,
    body: {
      valid: (caller) => ({ toUserId: caller === bob ? alice.id : bob.id, body: "hello" }),
      bad: { toUserId: [MISSING, ...ID_BAD], body: textBad(1, 2000) },
      unknownIds: ["toUserId"],
    },
  },
  { method: "GET", path: "/api/conversations", auth: "user" },
  // Reading a conversation changes nothing (the checksums prove it), the participants' own included.
  { method: "GET", path: "/api/conversations/:userId", auth: "user", params: () => ({ userId: bob.id }) },
  {
    method: "POST",
    path: "/api/conversations/:userId/read",
    auth: "user",
    actor: () => alice,
    // Someone alice has no conversation with: nothing to mark, so a valid call changes nothing either.
    params: () => ({ userId: admin.id }),
  },
  {
    method: "POST",
    path: "/api/messages/:id/read",
    auth: "user",
    actor: () => alice,
    params: () => ({ id: ids.message }),
  },
  { method: "GET", path: "/api/users/:id", auth: "none", params: () => ({ id: alice.id }) },
  {
    method: "PATCH",
    path: "/api/users/me",
    auth: "user",
    actor: () => alice,
    body: {
      valid: () => ({ name: "Alice", bio: "bio", avatarUrl: "https://example.com/a.png" }),
      bad: {
        name: textBad(1, 80, true, true).filter((v) => v !== MISSING),
        bio: textBad(0, 500, false),
        avatarUrl: URL_BAD,
      },
    },
  },
  {
    method: "POST",
    path: "/api/projects/:id/badges",
    auth: "admin",
    actor: () => admin,
    params: () => ({ id: ids.project }),
    body: {
      valid: () => ({ kind: "winner" }),
      bad: { kind: [MISSING, null, "", "gold", "WINNER", "winner ", 0, [], {}, ["winner"], HUGE] },
    },
  },
  { method: "GET", path: "/api/leaderboard", auth: "none" },
  { method: "GET", path: "/api/health", auth: "none" },
  // Only unknown and malformed ids reach these two with a valid shape (a real follow would write).
  { method: "POST", path: "/api/users/:id/follow", auth: "user", params: () => ({ id: unknownId() }) },
  { method: "DELETE", path: "/api/users/:id/follow", auth: "user", params: () => ({ id: unknownId() }) },
  {
    method: "GET",
    path: "/api/notifications",
    auth: "user",
    badQueries: ["page=0", "pageSize=101", "unread=yes", "unread=", "unread=1"],
  },
  // Its body is optional (none: mark all read); bad ids are tested in notifications.routes.test.ts.
  { method: "POST", path: "/api/notifications/read", auth: "user" },
  { method: "DELETE", path: "/api/notifications/:id", auth: "user", params: () => ({ id: unknownId() }) },
];

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

interface Case {
  label: string;
  url: string;
  payload?: string | Buffer;
  contentType?: string;
  /** Statuses that are right for this case; any other 4xx fails too. */
  expect: number[];
  /** Fails while the body is read, before authentication is checked. */
  transport?: boolean;
}

const fill = (path: string, params: Record<string, string>) =>
  path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ""));

const json = (v: unknown) => JSON.stringify(v);
const hasBody = (r: Route) => r.method !== "GET";
const hasParams = (r: Route) => r.path.includes(":");

/** Bodies that fail while they are read: malformed JSON, too large, a content type nobody parses. */
function transportCases(url: string): Case[] {
  const cases: Omit<Case, "url" | "transport">[] = [
    { label: "malformed JSON", payload: '{"title": "x",', expect: [400] },
    { label: "trailing comma", payload: '{"a": 1,}', expect: [400] },
    { label: "bare word", payload: "undefined", expect: [400] },
    { label: "NUL in JSON", payload: "\u0000", expect: [400] },
    { label: "lone surrogate in a key", payload: '{"\\ud800": "x"}', expect: [400] },
    { label: "lone surrogate deep inside", payload: '{"a": [{"b": ["\\udc00"]}]}', expect: [400] },
    { label: "escaped NUL in a key", payload: '{"a\\u0000": 1}', expect: [400] },
    { label: "prototype pollution", payload: '{"__proto__": {"admin": true}}', expect: [400] },
    { label: "constructor pollution", payload: '{"constructor": {"prototype": {"a": 1}}}', expect: [400] },
    { label: "1 MB string", payload: json({ title: "x".repeat(1024 * 1024) }), expect: [413] },
    { label: "1 MB array", payload: json(Array.from({ length: 300_000 }, () => 1)), expect: [413] },
    { label: "form", payload: "title=x", contentType: "application/x-www-form-urlencoded", expect: [415] },
    { label: "xml", payload: "<a/>", contentType: "application/xml", expect: [415] },
    { label: "no content type", payload: '{"title": "x"}', contentType: "", expect: [415] },
  ];
  return cases.map((c) => ({ ...c, url, transport: true }));
}

/**
 * Cases for `route` as `caller`. `forbidden`: the caller may not act on the
 * fixtures; otherwise validation is all that stands in the way.
 */
function inputCases(route: Route, caller: TestUser | null, forbidden: boolean): Case[] {
  const cases: Case[] = [];
  const params = route.params?.() ?? {};
  const url = fill(route.path, params);
  // A caller who may not act gets 403 (admin routes) however wrong the input; ids are checked first.
  const deny = (status: number) => (forbidden && route.auth === "admin" ? [403] : [status]);
  if (hasParams(route)) {
    for (const bad of [...MALFORMED_IDS, "' OR '1'='1", "%00", "%E0%A4%A", "ab%2Fcd", "x".repeat(90)])
      cases.push({
        label: `id ${bad.slice(0, 20)}`,
        url: fill(
          route.path,
          mapValues(params, () => bad),
        ),
        expect: deny(404),
      });
    // With a body to validate, a missing body is the first thing wrong.
    if (!route.body)
      cases.push({ label: "unknown id", url: fill(route.path, mapValues(params, unknownId)), expect: deny(404) });
    else
      cases.push({
        label: "unknown id, valid body",
        url: fill(route.path, mapValues(params, unknownId)),
        payload: json(route.body.valid(caller)),
        expect: deny(404),
      });
  }
  if (route.badQueries)
    for (const q of route.badQueries) cases.push({ label: `?${q.slice(0, 30)}`, url: `${url}?${q}`, expect: [400] });
  if (route.body) {
    const expectBad = forbidden && route.auth === "admin" ? [403] : forbidden ? [400, 403] : [400];
    for (const whole of [MISSING, null, [], 0, "body", true, [route.body.valid(caller)]])
      cases.push({
        label: `body ${whole === MISSING ? "missing" : json(whole)}`,
        url,
        ...(whole === MISSING ? {} : { payload: json(whole) }),
        expect: expectBad,
      });
    for (const [field, values] of Object.entries(route.body.bad))
      for (const value of values) {
        const body: Record<string, unknown> = { ...route.body.valid(caller) };
        if (value === MISSING) delete body[field];
        else body[field] = value;
        const shown = value === MISSING ? "missing" : json(value).slice(0, 30);
        // Text that is not Unicode cannot even be read: refused by the body parser, before auth and validation.
        if (isIllFormed(value))
          cases.push({ label: `${field}=${shown}`, url, payload: json(body), expect: [400], transport: true });
        else cases.push({ label: `${field}=${shown}`, url, payload: json(body), expect: expectBad });
      }
    // Only JSON bodies are parsed: anything else is refused before auth and validation.
    cases.push({
      label: "text/plain",
      url,
      payload: "title=x",
      contentType: "text/plain",
      expect: [415],
      transport: true,
    });
    for (const field of route.body.unknownIds ?? []) {
      const body = { ...route.body.valid(caller), [field]: unknownId() };
      const status = field === "parentId" ? 400 : 404;
      cases.push({
        label: `${field} unknown`,
        url,
        payload: json(body),
        expect: forbidden && route.auth === "admin" ? [403] : [status],
      });
    }
  }
  if (hasBody(route)) cases.push(...transportCases(url));
  return cases;
}

const mapValues = (o: Record<string, string>, f: () => string) =>
  Object.fromEntries(Object.keys(o).map((k) => [k, f()]));

/** Anonymous callers of a protected route: 401 whatever the input, unless the body cannot even be read. */
function anonymousCases(route: Route): Case[] {
  return inputCases(route, null, false).map((c) => (c.transport ? c : { ...c, expect: [401] }));
}

/** Query junk that routes without a query schema ignore: it must change nothing. */
const JUNK_QUERIES = [
  "a=1",
  "sort[]=top",
  "page[a]=1",
  "__proto__[x]=1",
  "constructor[prototype][a]=1",
  "%zz",
  "&&&",
  "=",
  `q=${"y".repeat(8000)}`,
];

// ---------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------

async function run(route: Route, who: TestUser | null, cases: Case[]) {
  const failures: string[] = [];
  // Each case's "after" is the next one's "before": nothing else writes meanwhile.
  let before = await checksum(ctx.sql);
  for (const c of cases) {
    const headers: Record<string, string> = {};
    if (who) headers.authorization = `Bearer ${who.token}`;
    if (c.payload !== undefined && c.contentType !== "") headers["content-type"] = c.contentType ?? "application/json";
    const res = await ctx.app.inject({
      method: route.method,
      url: c.url,
      headers,
      ...(c.payload !== undefined ? { payload: c.payload } : {}),
    });
    const where = `${route.method} ${route.path} as ${who?.name ?? "anonymous"}, ${c.label}: ${res.statusCode} ${res.body.slice(0, 200)}`;
    if (res.statusCode >= 500) failures.push(`5xx: ${where}`);
    else if (!c.expect.includes(res.statusCode)) failures.push(`expected ${c.expect.join("|")}: ${where}`);
    else if (res.statusCode >= 400)
      try {
        expectError(res as never, res.statusCode);
      } catch (err) {
        failures.push(`bad error shape: ${where} (${(err as Error).message.split("\n")[0]})`);
      }
    const after = await checksum(ctx.sql);
    for (const table of Object.keys(before))
      if (before[table] !== after[table]) failures.push(`wrote to ${table}: ${where}`);
    before = after;
  }
  return failures;
}

describe("fuzzing every route", () => {
  it("covers every route of SPEC.md's HTTP API", () => {
    const covered = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    for (const r of [
      "POST /api/auth/signup",
      "POST /api/auth/login",
      "POST /api/auth/logout",
      "GET /api/me",
      "GET /api/projects",
      "POST /api/projects",
      "GET /api/projects/:id",
      "PATCH /api/projects/:id",
      "DELETE /api/projects/:id",
      "POST /api/projects/:id/feature",
      "POST /api/projects/:id/upvote",
      "POST /api/projects/:id/downvote",
      "DELETE /api/projects/:id/vote",
      "POST /api/votes",
      "POST /api/projects/:id/comments",
      "PATCH /api/comments/:id",
      "DELETE /api/comments/:id",
      "POST /api/comments/:id/vote",
      "POST /api/intros",
      "GET /api/intros",
      "POST /api/intros/:id/accept",
      "POST /api/intros/:id/decline",
      "POST /api/messages",
      "GET /api/conversations",
      "GET /api/conversations/:userId",
      "POST /api/conversations/:userId/read",
      "POST /api/messages/:id/read",
      "GET /api/users/:id",
      "PATCH /api/users/me",
      "POST /api/projects/:id/badges",
      "GET /api/leaderboard",
      "GET /api/health",
      "GET /api/tags",
      "GET /api/projects/:id/comments",
      "POST /api/users/:id/follow",
      "DELETE /api/users/:id/follow",
      "GET /api/notifications",
      "POST /api/notifications/read",
      "DELETE /api/notifications/:id",
    ])
      expect(covered.has(r), r).toBe(true);
  });

  for (const route of ROUTES) {
    describe(`${route.method} ${route.path}`, () => {
      if (route.auth !== "none")
        it("anonymous: 401 (or a body error) and nothing written", async () => {
          expect(await run(route, null, anonymousCases(route))).toEqual([]);
        });
      else if (route.body || route.badQueries || hasParams(route))
        it("anonymous: rejects bad input and writes nothing", async () => {
          expect(await run(route, null, inputCases(route, null, false))).toEqual([]);
        });

      if (route.auth !== "none" && (route.body || hasParams(route) || hasBody(route))) {
        const actor = () => route.actor?.() ?? bob;
        it("the user allowed to act: rejects bad input and writes nothing", async () => {
          expect(await run(route, actor(), inputCases(route, actor(), false))).toEqual([]);
        });
        it("another user: rejects it all and writes nothing", async () => {
          const other = actor() === alice ? bob : alice;
          expect(await run(route, other, inputCases(route, other, true))).toEqual([]);
        });
        if (route.auth !== "admin")
          it("an admin: rejects bad input and writes nothing", async () => {
            expect(await run(route, admin, inputCases(route, admin, false))).toEqual([]);
          });
      }

      if (route.method === "GET")
        it("ignores junk query strings and writes nothing", async () => {
          const base = fill(route.path, route.params?.() ?? {});
          // A param that names nothing (a conversation with an unknown user) is a 404 whatever the query.
          const expected = route.path.includes(":userId") ? [404] : [200];
          const own = new Set(route.queryParams ?? []);
          const cases = JUNK_QUERIES.filter((q) => !own.has(q.split("=")[0]!)).map((q) => ({
            label: `?${q.slice(0, 20)}`,
            url: `${base}?${q}`,
            expect: expected,
          }));
          const who = route.auth === "none" ? null : (route.actor?.() ?? bob);
          expect(await run(route, who, cases)).toEqual([]);
        });
    });
  }

  it("answers unknown routes and methods with a JSON 404", async () => {
    for (const [method, url] of [
      ["GET", "/api/nope"],
      ["PUT", "/api/projects"],
      ["PATCH", "/api/projects"],
      ["DELETE", "/api/votes"],
      ["GET", "/api/votes"],
      ["POST", "/api/leaderboard"],
      ["PUT", `/api/projects/${unknownId()}`],
    ] as const)
      expectError(await call(ctx.app, method, url, { token: alice.token }), 404, "NOT_FOUND");
  });

  it("left the fixtures as they were", async () => {
    expect((await call(ctx.app, "GET", `/api/projects/${ids.project}`)).statusCode).toBe(200);
    const intro = await ctx.sql.query("SELECT status::text FROM intros WHERE id = $1", [ids.intro]);
    expect(intro.rows[0].status).toBe("pending");
    const msg = await ctx.sql.query("SELECT read_at FROM messages WHERE id = $1", [ids.message]);
    expect(msg.rows[0].read_at).toBeNull();
    expect((await call(ctx.app, "GET", "/api/me", { token: alice.token })).statusCode).toBe(200);
  });
});

/** Answers Fastify gives before a route or our error handler is reached (buildApp's `frameworkErrors`, `clientErrorHandler`). */
describe("framework errors in SPEC's shape", () => {
  it("answers an id longer than 100 characters with a 404 in SPEC's shape", async () => {
    const res = await call(ctx.app, "GET", `/api/projects/${"x".repeat(101)}`);
    expectError(res, 404, "NOT_FOUND");
  });

  it("answers a malformed percent-encoding in the path with a 4xx in SPEC's shape", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/api/projects/%E0%A4%A" });
    expect(res.statusCode).toBeLessThan(500);
    expectError(res, res.statusCode);
  });

  it("answers an oversized request head (real socket) with a 431 in SPEC's shape", async () => {
    const server = await setupApp({ share: ctx, listen: true });
    try {
      const res = await fetch(`${baseUrl(server.app)}/api/projects?sort=${"x".repeat(70_000)}`);
      expect(res.status).toBe(431);
      const body = await res.json();
      expect(Object.keys(body)).toEqual(["error"]);
      expect(typeof body.error.code).toBe("string");
    } finally {
      await server.close();
    }
  });
});
