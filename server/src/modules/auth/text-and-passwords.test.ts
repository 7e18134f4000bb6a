/** SPEC "Security contract": text and password rules, as the shared schemas state them. */

import { PasswordSchema } from "@shared/contracts/auth";
import { line, text } from "@shared/contracts/common";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed.js";
import { isCommonPassword } from "./common-passwords.js";

const name = line(1, 80);
const body = text(1, 2000);
const ok = (schema: { safeParse: (v: unknown) => { success: boolean } }, v: string) => schema.safeParse(v).success;

describe("single-line text", () => {
  it.each(["Zoë", "محمد", "山田 太郎", "👩‍👩‍👧 family", "می‌خواهم", "O'Brien-Smith", "a\u200bb"])("accepts %s", (v) => {
    expect(ok(name, v)).toBe(true);
  });
  it.each([
    ["an RTL override", "Ann\u202Egnp.exe"],
    ["an isolate", "a\u2066b\u2069"],
    ["a right-to-left mark", "\u200fAnn"],
    ["a bell", "a\u0007b"],
    ["a newline", "a\nb"],
    ["escape", "a\u001b[31mb"],
    ["a C1 control", "a\u0085b"],
    ["only zero-width characters", "\u200b\u200c\u200d"],
    ["only a BOM and a word joiner", "\ufeff\u2060"],
    ["a soft hyphen", "\u00ad"],
    ["a Hangul filler", "\u3164"],
    ["a braille blank", "\u2800"],
    ["a variation selector", "\ufe0f"],
    ["a lone surrogate", "a\ud800"],
    ["NUL", "a\u0000"],
  ])("refuses %s", (_label, v) => {
    expect(ok(name, v)).toBe(false);
  });
});

describe("multi-line text", () => {
  it("keeps line breaks, tabs and bidi marks, refuses overrides and what is not Unicode or blank", () => {
    expect(ok(body, "line one\nline two\twith a tab")).toBe(true);
    expect(ok(body, "שלום\u200f (hello)")).toBe(true);
    expect(ok(body, "access\u202E\u2066// admin\u2069\u2066")).toBe(false);
    expect(ok(body, "\u200b\n\u200b")).toBe(false);
    expect(ok(body, "ok \udc00")).toBe(false);
    expect(ok(body, "ok \u0000")).toBe(false);
    expect(ok(text(0, 10), "")).toBe(true);
  });
});

describe("passwords", () => {
  it.each(["12345678", "        ", " ".repeat(12), "a".repeat(12), "ééééééééééé", "short", "\ud800".repeat(12)])(
    "refuses %j",
    (v) => {
      expect(ok(PasswordSchema, v)).toBe(false);
    },
  );
  it("refuses the most common leaked passwords on the server, whatever the case and spaces", () => {
    for (const p of ["1234567890", "qwertyuiop", "Password1234", "iloveyou123", "QWERTY UIOP"])
      expect(isCommonPassword(p), p).toBe(true);
    expect(isCommonPassword("correct horse battery")).toBe(false);
  });
  it("keeps the seed's published demo password valid", () => {
    expect(ok(PasswordSchema, DEMO_PASSWORD)).toBe(true);
    expect(isCommonPassword(DEMO_PASSWORD)).toBe(false);
  });
});
