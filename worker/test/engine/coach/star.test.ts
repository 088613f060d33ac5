/** STAR rules, one by one, with the sentence spans they give as evidence. */
import { describe, expect, it } from "vitest";
import { starCoverage } from "../../../src/coach/star.ts";
import { sentences } from "../../../src/coach/tokens.ts";
import type { StarPart } from "../../../src/coach/types.ts";

function star(answer: string) {
  return starCoverage(answer, sentences(answer));
}
/** The quoted evidence of one part. */
function quoted(answer: string, part: StarPart): string[] {
  return star(answer)[part].evidence.map((s) => answer.slice(s.from, s.to));
}

describe("situation", () => {
  it("finds where and when: an organisation, a year, 'last spring', 'when I was'", () => {
    expect(quoted("At my previous company, checkout timed out. I fixed it.", "situation")).toEqual(["At my previous company, checkout timed out"]);
    expect(quoted("In 2022 we moved to Go.", "situation")).toEqual(["In 2022 we moved to Go"]);
    expect(quoted("Last spring I joined. Nothing else.", "situation")).toEqual(["Last spring I joined"]);
    expect(quoted("When I was at the bank, I ran payroll.", "situation")).toEqual(["When I was at the bank, I ran payroll"]);
  });
  it("takes a state of affairs before the first action, not after it", () => {
    expect(quoted("We had four teams with their own logging. I merged them.", "situation")).toEqual(["We had four teams with their own logging"]);
    expect(star("I merged the pipelines. We had fewer alerts.").situation.present).toBe(false);
  });
  it("is absent from a general claim", () => {
    expect(star("I usually get along with everyone.").situation.present).toBe(false);
  });
});

describe("task", () => {
  it("finds the goal, the responsibility and the obligation", () => {
    expect(quoted("My goal was to cut that to an hour.", "task")).toEqual(["My goal was to cut that to an hour"]);
    expect(quoted("I was asked to mentor her.", "task")).toEqual(["I was asked to mentor her"]);
    expect(quoted("So I had to decide what to show.", "task")).toEqual(["So I had to decide what to show"]);
    expect(quoted("As product manager, I chose the order.", "task")).toEqual(["As product manager, I chose the order"]);
    expect(quoted("They give me task to automatize it.", "task")).toEqual(["They give me task to automatize it"]);
  });
  it("does not take a general 'you have to'", () => {
    expect(star("You have to weigh cost and time.").task.present).toBe(false);
  });
});

describe("action", () => {
  it("takes I or we with a past verb, a regular or an irregular one", () => {
    expect(quoted("I profiled the endpoint.", "action")).toEqual(["I profiled the endpoint"]);
    expect(quoted("Then we wrote the tests.", "action")).toEqual(["Then we wrote the tests"]);
  });
  it("takes a proposed action, a present perfect and a non-native present progressive", () => {
    expect(star("I would shard by user id.").action.present).toBe(true);
    expect(star("I'd start with the logs.").action.present).toBe(true);
    expect(star("I have checked the logs.").action.present).toBe(true);
    expect(star("I am proposing to build a mock server.").action.present).toBe(true);
  });
  it("takes a sentence that opens with a verb", () => {
    expect(quoted("A memory leak. Fixed it.", "action")).toEqual(["Fixed it"]);
    expect(star("Hash the URL and store it.").action.present).toBe(true);
  });
  it("does not take states, opinions, wishes or habits", () => {
    for (const answer of ["I think it matters.", "I was the lead.", "I always try to help.", "I like mentoring.", "I wanted REST."]) {
      expect(star(answer).action.present, answer).toBe(false);
    }
  });
});

describe("result", () => {
  it("finds change, completion and consequence", () => {
    expect(quoted("I added a cache. The p99 dropped from 900 ms to 120 ms.", "result")).toEqual(["The p99 dropped from 900 ms to 120 ms"]);
    expect(quoted("We cut scope and shipped on time.", "result")).toEqual(["We cut scope and shipped on time"]);
    expect(quoted("As a result, releases doubled.", "result")).toEqual(["As a result, releases doubled"]);
    expect(quoted("Since then I set a timer.", "result")).toEqual(["Since then I set a timer"]);
  });
  it("is absent when nothing came of it", () => {
    expect(star("I apologised to them.").result.present).toBe(false);
  });
});

describe("spans", () => {
  it("are sentence spans trimmed to their words, in the original text's offsets", () => {
    const answer = "  Last year, at a bank…  I rewrote the job!  It worked. ";
    const found = star(answer);
    expect(found.situation.evidence).toEqual([{ from: 2, to: 22 }]);
    expect(answer.slice(2, 22)).toBe("Last year, at a bank");
    expect(answer.slice(found.action.evidence[0]!.from, found.action.evidence[0]!.to)).toBe("I rewrote the job");
    expect(answer.slice(found.result.evidence[0]!.from, found.result.evidence[0]!.to)).toBe("It worked");
  });
  it("keeps decimals and abbreviations inside a sentence", () => {
    expect(sentences("The AUC was 0.84 and it shipped.").length).toBe(1);
  });
});
