import { describe, it, expect } from "vitest";
import { NON_ANSWER_MAX_WORDS } from "@interview/shared";
import { isNonAnswer } from "../../src/engine/non-answer.ts";

/** n space-separated filler words that match no pattern and no recovery phrase. */
const words = (n: number): string => Array.from({ length: n }, () => "x").join(" ");

describe("isNonAnswer: empty input", () => {
  it("treats empty, blank and punctuation-only text as a non-answer", () => {
    expect(isNonAnswer("")).toBe(true);
    expect(isNonAnswer("   \n\t")).toBe(true);
    expect(isNonAnswer("...")).toBe(true);
    expect(isNonAnswer("?!")).toBe(true);
  });
});

describe("isNonAnswer: exact matches", () => {
  const exact = [
    "idk",
    "i don't know",
    "i do not know",
    "dont know",
    "don't know",
    "no idea",
    "no clue",
    "not sure",
    "unsure",
    "pass",
    "skip",
    "i can't answer",
    "i cannot answer",
  ];
  for (const phrase of exact) {
    it(`matches "${phrase}"`, () => {
      expect(isNonAnswer(phrase)).toBe(true);
    });
  }
  it("normalises case, whitespace and surrounding . ! ? and tabs", () => {
    expect(isNonAnswer("  IDK!! ")).toBe(true);
    expect(isNonAnswer("\tNo   idea...\t")).toBe(true);
    expect(isNonAnswer("?Pass.")).toBe(true);
    expect(isNonAnswer("I\ndon't\nknow")).toBe(true);
  });
  it("folds a typographic apostrophe", () => {
    expect(isNonAnswer("I don’t know.")).toBe(true);
  });
  it("does not treat 'idk' inside another word as a match", () => {
    expect(isNonAnswer("idkfa")).toBe(false);
  });
});

describe("isNonAnswer: regex families", () => {
  it("family 1: don't know / no idea / no clue / not sure / unsure", () => {
    expect(isNonAnswer("Honestly I don't know this one")).toBe(true);
    expect(isNonAnswer("Honestly I dont know this one")).toBe(true);
    expect(isNonAnswer("Sorry, I do not know")).toBe(true);
    expect(isNonAnswer("Sorry I have no idea here")).toBe(true);
    expect(isNonAnswer("Absolutely no idea")).toBe(true);
    expect(isNonAnswer("Zero, no clue at all")).toBe(true);
    expect(isNonAnswer("I'm not sure about that")).toBe(true);
    expect(isNonAnswer("I feel unsure here")).toBe(true);
  });
  it("family 2: blanking / drawing a blank / can't think of", () => {
    expect(isNonAnswer("I'm blanking right now")).toBe(true);
    expect(isNonAnswer("Drawing a blank, sorry")).toBe(true);
    expect(isNonAnswer("I can't think of one")).toBe(true);
    expect(isNonAnswer("I cant think of one")).toBe(true);
    expect(isNonAnswer("I cannot think of one")).toBe(true);
    expect(isNonAnswer("I can not think of one")).toBe(true);
  });
  it("family 3: no example / can't remember or recall", () => {
    expect(isNonAnswer("Sorry, I don't have an example")).toBe(true);
    expect(isNonAnswer("I do not have an example of that")).toBe(true);
    expect(isNonAnswer("I can't remember the details")).toBe(true);
    expect(isNonAnswer("I cannot recall that project")).toBe(true);
  });
  it("family 4: haven't done / never used", () => {
    expect(isNonAnswer("I haven't done that")).toBe(true);
    expect(isNonAnswer("I have not used Kafka")).toBe(true);
    expect(isNonAnswer("I haven't worked with graphs")).toBe(true);
    expect(isNonAnswer("I havent seen that pattern")).toBe(true);
    expect(isNonAnswer("I haven't heard of it")).toBe(true);
    expect(isNonAnswer("Never did that")).toBe(true);
    expect(isNonAnswer("I've never done it")).toBe(true);
    expect(isNonAnswer("Never used it")).toBe(true);
    expect(isNonAnswer("Never worked with Spark")).toBe(true);
    expect(isNonAnswer("Never heard of it")).toBe(true);
  });
  it("family 5: not familiar / unfamiliar / can't answer", () => {
    expect(isNonAnswer("I'm not familiar with it")).toBe(true);
    expect(isNonAnswer("That's unfamiliar territory")).toBe(true);
    expect(isNonAnswer("Sorry, can't answer that")).toBe(true);
    expect(isNonAnswer("I cannot answer that one")).toBe(true);
  });
  it("family 6: pass / skip as whole words", () => {
    expect(isNonAnswer("I'll pass on this")).toBe(true);
    expect(isNonAnswer("Can we skip it")).toBe(true);
    expect(isNonAnswer("The password expired")).toBe(false);
    expect(isNonAnswer("We used a skiplist")).toBe(false);
  });
  it("does not flag a short answer that matches no pattern", () => {
    expect(isNonAnswer("Yes")).toBe(false);
    expect(isNonAnswer("I built the cache layer.")).toBe(false);
    expect(isNonAnswer("I know exactly what happened")).toBe(false);
  });
});

describe("isNonAnswer: word limit (docs/decisions.md amendment)", () => {
  it("uses the shared limit of 24 words", () => {
    expect(NON_ANSWER_MAX_WORDS).toBe(24);
  });
  it("accepts exactly 24 words", () => {
    const text = `skip ${words(23)}`;
    expect(text.split(" ")).toHaveLength(24);
    expect(isNonAnswer(text)).toBe(true);
  });
  it("rejects 25 words even when short in characters (the seed's ≤140-char clause is gone)", () => {
    const text = `skip ${words(24)}`;
    expect(text.length).toBeLessThanOrEqual(140);
    expect(isNonAnswer(text)).toBe(false);
  });
  it("counts words after collapsing whitespace", () => {
    expect(isNonAnswer(`not sure   ${words(22)}  `)).toBe(true);
    expect(isNonAnswer(`not sure ${words(23)}`)).toBe(false);
  });
});

describe("isNonAnswer: recovery exemption", () => {
  it("exempts a recovery phrase with 9 words", () => {
    const text = "Not sure, but I would start with the logs";
    expect(text.split(" ")).toHaveLength(9);
    expect(isNonAnswer(text)).toBe(false);
  });
  it("does not exempt a recovery phrase with only 8 words", () => {
    const text = "Not sure, but I would check the logs";
    expect(text.split(" ")).toHaveLength(8);
    expect(isNonAnswer(text)).toBe(true);
  });
  it("does not exempt 9+ words without a recovery phrase", () => {
    expect(isNonAnswer("Honestly, I do not know anything about this topic at all")).toBe(true);
  });
  const recoveries = [
    "but",
    "however",
    "I can",
    "I could",
    "I would",
    "I'd",
    "I think",
    "I guess",
    "probably",
    "my guess",
    "my approach",
    "I've",
    "I have",
    "first,",
    "for example",
  ];
  for (const phrase of recoveries) {
    it(`recognises "${phrase}" as a recovery phrase`, () => {
      expect(isNonAnswer(`No idea ${phrase} x x x x x x x`)).toBe(false);
      expect(isNonAnswer(`No idea ${phrase}`)).toBe(true);
    });
  }
  it("does not treat negations as recovery", () => {
    expect(isNonAnswer("I can't remember anything about that project at all, sorry")).toBe(true);
    expect(isNonAnswer("I can not think of a single example for that one")).toBe(true);
    expect(isNonAnswer("Sorry, I have no idea what the answer to this is")).toBe(true);
    expect(isNonAnswer("I have not worked with message queues before, not at all")).toBe(true);
    expect(isNonAnswer("I've never used that tool in any project I worked on")).toBe(true);
  });
  it("judges each answer afresh when asked again (the last verdict is kept only for the same text)", () => {
    expect(isNonAnswer("I don't know")).toBe(true);
    expect(isNonAnswer("I don't know")).toBe(true);
    expect(isNonAnswer("I led the migration and cut p99 latency by 40%")).toBe(false);
    expect(isNonAnswer("I don't know")).toBe(true);
  });
  it("counts words the way the trimming does: punctuation-only runs at the ends are not words", () => {
    // 30 runs of dots around a non-answer: trimmed away, so this is "idk".
    expect(isNonAnswer(`${". ".repeat(30)}idk${" !".repeat(30)}`)).toBe(true);
    expect(isNonAnswer(`${"... ".repeat(40)}no idea${" ?".repeat(40)}`)).toBe(true);
    // Over the word limit with real words: not a non-answer, even with the phrase in it.
    const long = `No idea ${"word ".repeat(NON_ANSWER_MAX_WORDS)}`;
    expect(isNonAnswer(long)).toBe(false);
    // Inner punctuation-only runs are words once the ends are trimmed.
    expect(isNonAnswer(`no idea ${". ".repeat(NON_ANSWER_MAX_WORDS - 3)}x`)).toBe(true);
    expect(isNonAnswer(`no idea ${". ".repeat(NON_ANSWER_MAX_WORDS)}x`)).toBe(false);
  });
  it("requires the comma after 'first'", () => {
    expect(isNonAnswer("Not sure, first I would look at the logs today")).toBe(false);
    expect(isNonAnswer("Not sure what to say first of all here now okay")).toBe(true);
    expect(isNonAnswer("Not sure. First, look at the logs and the metrics")).toBe(false);
  });
});
