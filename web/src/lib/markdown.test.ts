import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

/** Parses the output as a browser would, so the checks are on elements and attributes, not on strings. */
function dom(html: string) {
  const root = document.createElement("div");
  root.innerHTML = html;
  return root;
}

const XSS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](&#106;avascript:alert(1))",
  "[click](java\nscript:alert(1))",
  "[click](vbscript:msgbox(1))",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "<javascript:alert(1)>",
  '[x](https://example.com "title" onmouseover="alert(1)")',
  '[x](https://example.com" onmouseover="alert(1))',
  "![pixel](https://evil.example/track.gif)",
  "<iframe src=https://evil.example></iframe>",
  '<svg onload="alert(1)">',
  "[x]: javascript:alert(1)\n\n[click][x]",
  "<style>body{display:none}</style>",
];

describe("markdown (safe subset)", () => {
  it("renders emphasis, code, lists, quotes and http(s) links with rel nofollow ugc noopener", () => {
    const root = dom(
      renderMarkdown(
        "Some **bold**, _em_ and `code`.\n\n- one\n- two\n\n> quoted\n\n[site](https://example.com/a?b=1)",
      ),
    );
    expect(root.querySelector("strong")?.textContent).toBe("bold");
    expect(root.querySelector("em")?.textContent).toBe("em");
    expect(root.querySelector("code")?.textContent).toBe("code");
    expect(root.querySelectorAll("li")).toHaveLength(2);
    expect(root.querySelector("blockquote")?.textContent?.trim()).toBe("quoted");
    const a = root.querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.com/a?b=1");
    expect(a.getAttribute("rel")).toBe("nofollow ugc noopener");
  });

  it("links bare http(s) URLs, with the same rel, and not e-mail addresses", () => {
    const root = dom(renderMarkdown("See https://example.com/x and mail me@example.com"));
    const links = [...root.querySelectorAll("a")];
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["https://example.com/x"]);
    expect(links[0]!.getAttribute("rel")).toBe("nofollow ugc noopener");
  });

  it("keeps headings and images as text (user text sits under the page's own headings; no tracking pixels)", () => {
    const root = dom(renderMarkdown("# Big\n\n![alt](https://example.com/i.png)"));
    expect(root.querySelector("h1, h2, img")).toBeNull();
    expect(root.textContent).toContain("# Big");
  });

  it.each(XSS)("never lets %j become markup that runs or loads anything", (payload) => {
    const root = dom(renderMarkdown(payload));
    expect(root.querySelector("script, img, iframe, svg, style, object, embed, form, input")).toBeNull();
    for (const el of root.querySelectorAll("*")) {
      for (const attr of el.getAttributeNames()) expect(attr.startsWith("on"), `${el.tagName} ${attr}`).toBe(false);
    }
    for (const a of root.querySelectorAll("a")) {
      expect(a.getAttribute("href") ?? "").toMatch(/^https?:\/\//i);
      expect(a.getAttribute("rel")).toBe("nofollow ugc noopener");
    }
  });
});
