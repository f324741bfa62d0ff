import { describe, expect, it } from "vitest";
import { withoutNul } from "../../domain/text.js";
import { isUnstorableText, storable, text } from "../../api/http/text.js";

describe("text the database can store", () => {
  it("drops NULs from chain strings and keeps everything else", () => {
    expect(withoutNul("a\u0000b\u0000")).toBe("ab");
    expect(withoutNul("\u0000")).toBe("");
    expect(withoutNul("héllo 😀\u0001")).toBe("héllo 😀\u0001");
  });

  it("refuses a request string with a NUL, with a message that says so, and enforces the length", () => {
    const schema = text(5);
    expect(schema.safeParse("abc").success).toBe(true);
    const nul = schema.safeParse("a\u0000b");
    expect(nul.success).toBe(false);
    expect(nul.error?.issues[0]?.message).toContain("NUL");
    expect(schema.safeParse("abcdef").success).toBe(false);
  });

  it("makes refused input storable as jsonb, keys included, without touching other values", () => {
    expect(storable({ "k\u0000": ["a\u0000", 1, null, { b: "c\u0000d" }] })).toEqual({ "k\uFFFD": ["a\uFFFD", 1, null, { b: "c\uFFFDd" }] });
    expect(storable(5)).toBe(5);
  });

  it("recognises the database's encoding errors, also when wrapped", () => {
    expect(isUnstorableText({ code: "22P05" })).toBe(true);
    expect(isUnstorableText(new Error("query failed", { cause: { code: "22021" } }))).toBe(true);
    expect(isUnstorableText({ code: "23505" })).toBe(false);
    expect(isUnstorableText(new Error("x"))).toBe(false);
    expect(isUnstorableText(null)).toBe(false);
  });
});
