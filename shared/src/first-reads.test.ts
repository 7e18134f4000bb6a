import { describe, expect, it } from "vitest";
import {
  FEED_PAGE_SIZE,
  feedPageOf,
  feedPath,
  firstReads,
  followUpReads,
  normalizePath,
  profilePath,
  projectPath,
  routeParams,
} from "./first-reads";

const q = (s: string) => new URLSearchParams(s);

describe("first reads", () => {
  it("reads the feed page a URL shows, as the web app asks for it", () => {
    expect(firstReads("/", "/", q(""))).toEqual([
      feedPath({ sort: "trending", page: 1, pageSize: FEED_PAGE_SIZE, following: false }),
    ]);
    expect(firstReads("/", "/", q("sort=top&page=3"))).toEqual(["/projects?sort=top&page=3&pageSize=10"]);
    // What the page itself falls back to for nonsense: the default sort, page 1.
    expect(firstReads("/", "/", q("sort=best&page=-2"))).toEqual(["/projects?sort=trending&page=1&pageSize=10"]);
    expect(firstReads("/following", "/following", q(""))).toEqual([
      "/projects?sort=newest&page=1&pageSize=10&following=true",
    ]);
  });

  it("picks the sort and page as the feed page does", () => {
    expect(feedPageOf(q(""), false)).toEqual({ sort: "trending", page: 1 });
    expect(feedPageOf(q(""), true)).toEqual({ sort: "newest", page: 1 });
    expect(feedPageOf(q("sort=newest&page=2.7"), false)).toEqual({ sort: "newest", page: 2 });
    expect(feedPageOf(q("page=abc"), false)).toEqual({ sort: "trending", page: 1 });
  });

  it("reads a project by its lower-case id, then its owner's profile", () => {
    const id = "0B9F3C2E-1D4A-4E8B-9C7D-2F6A5B4C3D2E";
    expect(routeParams("/projects/:id", `/projects/${id}/`)).toEqual({ id });
    expect(firstReads("/projects/:id", `/projects/${id}`, q(""))).toEqual([projectPath(id.toLowerCase())]);
    expect(followUpReads(projectPath("p1"), { id: "p1", owner: { id: "u1" } })).toEqual([profilePath("u1")]);
    expect(followUpReads("/projects?sort=top&page=1&pageSize=10", { owner: { id: "u1" } })).toEqual([]);
    expect(followUpReads(projectPath("p1"), null)).toEqual([]);
  });

  it("reads nothing else for pages that start from their own fetches", () => {
    expect(firstReads("/leaderboard", "/leaderboard", q(""))).toEqual([]);
    expect(firstReads("/projects/new", "/projects/new", q(""))).toEqual([]);
  });

  it("spells a path one way whatever the order of its parameters", () => {
    expect(normalizePath("/projects?page=1&sort=top&pageSize=10")).toBe(
      normalizePath("/projects?sort=top&page=1&pageSize=10"),
    );
    expect(normalizePath("/auth/session")).toBe("/auth/session");
  });
});
