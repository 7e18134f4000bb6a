import { BOOT_ELEMENT_ID } from "@shared/first-reads";
import { describe, expect, it, vi } from "vitest";

/** A fresh copy of the module, reading the page as it is now. */
async function bootWith(json: string | null) {
  document.body.innerHTML = "";
  if (json !== null) {
    const el = document.createElement("script");
    el.type = "application/json";
    el.id = BOOT_ELEMENT_ID;
    el.textContent = json;
    document.body.append(el);
  }
  vi.resetModules();
  return import("./boot");
}

describe("boot answers", () => {
  it("hands each inlined answer once, whatever the order of its query parameters", async () => {
    const boot = await bootWith(
      JSON.stringify({
        answers: { "/auth/session": { user: null }, "/projects?sort=top&page=1&pageSize=10": { items: [] } },
        seqs: { feed: 41 },
      }),
    );
    expect(boot.takeBoot("/projects?page=1&pageSize=10&sort=top")).toEqual({ items: [] });
    expect(boot.takeBoot("/projects?page=1&pageSize=10&sort=top")).toBeUndefined();
    expect(boot.takeBoot("/auth/session")).toEqual({ user: null });
    // Read once: the element is gone.
    expect(document.getElementById(BOOT_ELEMENT_ID)).toBeNull();
    expect(boot.takeBootSeq("feed")).toBe(41);
    expect(boot.takeBootSeq("feed")).toBeUndefined();
  });

  it("forgets what was not taken", async () => {
    const boot = await bootWith(JSON.stringify({ answers: { "/auth/session": { user: null } }, seqs: { feed: 3 } }));
    boot.dropBoot();
    expect(boot.takeBoot("/auth/session")).toBeUndefined();
    expect(boot.takeBootSeq("feed")).toBeUndefined();
  });

  it("has nothing when the page carries nothing, or something unreadable", async () => {
    expect((await bootWith(null)).takeBoot("/auth/session")).toBeUndefined();
    expect((await bootWith("{not json")).takeBoot("/auth/session")).toBeUndefined();
  });
});
