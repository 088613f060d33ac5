import { describe, it, expect } from "vitest";
import {
  FILLER_PHRASES,
  codePointLength,
  containsToken,
  countFillers,
  foldApostrophes,
  hasDigits,
  normalizeWhitespace,
  pickIndex,
  tokenize,
} from "../../src/engine/text.ts";

describe("normalizeWhitespace", () => {
  it("collapses runs of any whitespace and trims", () => {
    expect(normalizeWhitespace("  a \t b\n\nc  ")).toBe("a b c");
  });
  it("returns an empty string for blank input", () => {
    expect(normalizeWhitespace(" \t\n ")).toBe("");
    expect(normalizeWhitespace("")).toBe("");
  });
  it("treats non-breaking spaces as whitespace", () => {
    expect(normalizeWhitespace("a\u00a0\u00a0b")).toBe("a b");
  });
});

describe("codePointLength", () => {
  it("counts code points, not UTF-16 units", () => {
    expect(codePointLength("abc")).toBe(3);
    expect(codePointLength("a😀b")).toBe(3);
    expect("a😀b".length).toBe(4);
  });
  it("counts as Array.from does: lone and reversed surrogates one each", () => {
    for (const s of ["", "😀😀", "\ud83d", "\ude00", "x\ude00\ud83d", "\ud83d\ud83d\ude00", "é👍🏽z"]) {
      expect(codePointLength(s)).toBe(Array.from(s).length);
    }
  });
});

describe("tokenize", () => {
  it("lowercases and splits on punctuation", () => {
    expect(tokenize("Hello, World! It's 2024.")).toEqual(["hello", "world", "it's", "2024"]);
  });
  it("keeps apostrophes inside words only", () => {
    expect(tokenize("I don't 'quote' it'")).toEqual(["i", "don't", "quote", "it"]);
  });
  it("folds typographic apostrophes", () => {
    expect(tokenize("Don’t")).toEqual(["don't"]);
  });
  it("splits hyphenated words", () => {
    expect(tokenize("trade-offs")).toEqual(["trade", "offs"]);
  });
  it("keeps non-ASCII letters in words", () => {
    expect(tokenize("Café déjà vu")).toEqual(["café", "déjà", "vu"]);
  });
  it("returns [] for text without words", () => {
    expect(tokenize(" ... !? ")).toEqual([]);
    expect(tokenize("")).toEqual([]);
  });
});

describe("FILLER_PHRASES", () => {
  it("covers the usual English fillers from docs/decisions.md", () => {
    for (const f of ["um", "uh", "er", "erm", "like", "you know", "i mean", "sort of", "kind of", "basically"]) {
      expect(FILLER_PHRASES).toContain(f);
    }
  });
  it("is lowercase, trimmed and unique", () => {
    for (const f of FILLER_PHRASES) expect(f).toBe(f.toLowerCase().trim());
    expect(new Set(FILLER_PHRASES).size).toBe(FILLER_PHRASES.length);
  });
});

describe("countFillers", () => {
  it("counts single-word fillers as tokens", () => {
    expect(countFillers("Um, I uh built it")).toBe(2);
  });
  it("does not match fillers inside other words", () => {
    expect(countFillers("I forgot my umbrella")).toBe(0);
    expect(countFillers("The user hummed, likely ahead of erosion")).toBe(0);
  });
  it("counts a filler at the very start (the seed's ' um' needed a leading space)", () => {
    expect(countFillers("um")).toBe(1);
    expect(countFillers("Um.")).toBe(1);
  });
  it("counts 'like' followed by punctuation (the seed needed ' like ')", () => {
    expect(countFillers("it was, like, fine")).toBe(1);
    expect(countFillers("like")).toBe(1);
  });
  it("counts a multi-word filler once", () => {
    expect(countFillers("you know")).toBe(1);
    expect(countFillers("It was, you know, hard")).toBe(1);
    expect(countFillers("I mean it kind of worked, sort of")).toBe(3);
  });
  it("requires the whole phrase in order", () => {
    expect(countFillers("you never know")).toBe(0);
    expect(countFillers("know you")).toBe(0);
    expect(countFillers("kind people")).toBe(0);
  });
  it("does not overlap matches", () => {
    expect(countFillers("like you know like")).toBe(3);
    expect(countFillers("so yeah")).toBe(1);
    expect(countFillers("so")).toBe(0);
  });
  it("counts spelling variants and is case-insensitive", () => {
    expect(countFillers("UMM uhh Erm hmm ah er uhm")).toBe(7);
  });
  it("counts basically, actually and literally", () => {
    expect(countFillers("Basically I actually literally did it")).toBe(3);
  });
  it("returns 0 for empty text", () => {
    expect(countFillers("")).toBe(0);
  });
});

describe("hasDigits", () => {
  it("detects ASCII digits", () => {
    expect(hasDigits("cut by 40%")).toBe(true);
    expect(hasDigits("v2")).toBe(true);
  });
  it("is false without digits", () => {
    expect(hasDigits("forty percent")).toBe(false);
    expect(hasDigits("")).toBe(false);
  });
  it("detects other decimal digits like Python's isdigit", () => {
    expect(hasDigits("٣")).toBe(true);
  });
});

describe("containsToken", () => {
  it("matches whole tokens only", () => {
    expect(containsToken("we fixed several problems", ["ms"])).toBe(false);
    expect(containsToken("three teams and systems", ["ms"])).toBe(false);
    expect(containsToken("p99 dropped to 20 ms", ["ms"])).toBe(true);
  });
  it("is case-insensitive", () => {
    expect(containsToken("Our KPI improved", ["kpi"])).toBe(true);
    expect(containsToken("our kpi improved", ["KPI"])).toBe(true);
  });
  it("matches multi-word phrases as token sequences", () => {
    expect(containsToken("for example, the cache", ["for example"])).toBe(true);
    expect(containsToken("for an example", ["for example"])).toBe(false);
  });
  it("matches hyphenated entries with or without the hyphen", () => {
    expect(containsToken("the trade offs were clear", ["trade-offs"])).toBe(true);
    expect(containsToken("the trade-offs were clear", ["trade-offs"])).toBe(true);
    expect(containsToken("the trade-offs were clear", ["trade"])).toBe(true);
  });
  it("is false for an empty word list or empty text", () => {
    expect(containsToken("anything", [])).toBe(false);
    expect(containsToken("", ["a"])).toBe(false);
  });
  it("ignores entries that have no word characters", () => {
    expect(containsToken("50% faster", ["%"])).toBe(false);
  });
});

describe("foldApostrophes", () => {
  it("writes the typographic apostrophes as ASCII and leaves the rest alone", () => {
    expect(foldApostrophes("don\u2019t, \u2018quoted\u2019, o\u02bcbrien")).toBe("don't, 'quoted', o'brien");
    expect(foldApostrophes("Don't \u201cquote\u201d")).toBe("Don't \u201cquote\u201d");
  });
});

describe("pickIndex", () => {
  it("scales random() to the list and clamps an RNG that returns 1 or out of range", () => {
    expect(pickIndex(() => 0, 3)).toBe(0);
    expect(pickIndex(() => 0.5, 3)).toBe(1);
    expect(pickIndex(() => 0.999, 3)).toBe(2);
    expect(pickIndex(() => 1, 3)).toBe(2);
    expect(pickIndex(() => 7, 2)).toBe(1);
    expect(pickIndex(() => -0.5, 2)).toBe(0);
  });
});
