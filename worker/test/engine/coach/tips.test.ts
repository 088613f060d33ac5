/** Tips chosen from the analysis: they name the words they are about, and never ask for what is there. */
import { describe, expect, it } from "vitest";
import type { AnswerMetrics, Tip } from "@interview/shared";
import { analyzeContent } from "../../../src/coach/analyze.ts";
import { analyzeDelivery } from "../../../src/coach/delivery.ts";
import { evidenceTips, isHypothetical, quote } from "../../../src/coach/tips.ts";
import type { TimedWord } from "../../../src/coach/types.ts";

const BUG = "What is the hardest bug you ever shipped, how was it caught, and how did you fix it?";

function tips(answer: string, question = BUG, metrics: AnswerMetrics = {}, words: TimedWord[] | null = null): Tip[] {
  const delivery = words ? analyzeDelivery(words) : null;
  return evidenceTips({ answer, question, content: analyzeContent(answer, question), delivery, metrics });
}
const summaries = (t: Tip[]) => t.map((x) => x.summary);
const all = (t: Tip[]) => t.map((x) => `${x.summary} ${x.detail}`).join(" ");

describe("evidenceTips", () => {
  it("does not ask for a number when the answer has one (the issue's example)", () => {
    const answer =
      "At my last company checkout timed out every evening. I was on call, so I had to find it. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";
    const out = tips(answer);
    expect(all(out)).not.toMatch(/number|metric/i);
    expect(out).toEqual([{ summary: "Keep this structure", detail: expect.stringContaining("“900 ms”") }]);
  });

  it("asks for a number on the result when there is none, quoting the result", () => {
    const answer = "At the bank our deploys were slow. I wrote a pipeline in Jenkins, and deploys got much faster and people were happier with it.";
    const out = tips(answer, "Tell me about a process on your team that you made better.");
    const tip = out.find((t) => t.summary === "Put a number on the result");
    expect(tip?.detail).toContain("“I wrote a pipeline in Jenkins, and deploys got much faster and people…”");
  });

  it("asks for the result when actions have none, quoting the last action", () => {
    const out = tips("Our team was late on a release. I apologised to the client and I re-planned the work with the team.", "Describe a project that went off track.");
    expect(out[0]).toEqual({ summary: "Finish with the result", detail: expect.stringContaining("“I apologised to the client and I re-planned the work with the team”") });
  });

  it("names the hedges it is about", () => {
    const out = tips("At my last job I think we maybe improved the tests, sort of, and I guess it shipped on time in 2 weeks.");
    expect(out.find((t) => t.summary === "Drop the hedges")?.detail).toMatch(/^“I think”, “maybe” and “sort of”/u);
  });

  it("names the question's words when the answer is off topic", () => {
    const out = tips("What salary range are you offering for this role, and is remote work possible?", "How would you design a URL shortening service?");
    expect(out[0]).toEqual({ summary: "Answer the question asked", detail: expect.stringContaining("“design”, “URL” and “shortening”") });
  });

  it("asks whose work it was when 'we' crowds out 'I', quoting the we-actions", () => {
    const out = tips("At the startup we rebuilt the queue, we added retries and we shipped it in March; errors dropped 40%.", BUG);
    expect(out.find((t) => t.summary === "Say which part was yours")?.detail).toContain("“we rebuilt” and “we added”");
  });

  it("gives a hypothetical question no story-shaped tips, but asks why", () => {
    const question = "How would you design a URL shortening service?";
    expect(isHypothetical(question)).toBe(true);
    expect(isHypothetical("Tell me about a time you would do it again.")).toBe(false);
    const out = tips("I would generate a short code from a counter and store the mapping in DynamoDB behind a CDN for redirects.", question);
    expect(summaries(out)).not.toContain("Finish with the result");
    expect(summaries(out)).not.toContain("Set the scene first");
    expect(summaries(out)).toContain("Say why");
  });

  it("quotes a very short answer back as a headline", () => {
    expect(tips("We talked it out.", "Tell me about a time you disagreed with a teammate.")[0]).toEqual({
      summary: "Tell it as a story",
      detail: "“We talked it out.” is a headline. Add where it happened, what you did and what changed.",
    });
  });

  it("keeps the seed's non-answer tips, without a style label", () => {
    expect(summaries(tips("I don't know"))).toEqual(["Make \"I don't know\" useful", "Ask one clarifying question"]);
  });

  it("names the measured pace, fillers with their times and the long silence of a spoken answer", () => {
    const words: TimedWord[] = Array.from({ length: 40 }, (_, i) => ({ word: i % 10 === 3 ? "um" : "word", start: i * 0.25 + (i >= 20 ? 4 : 0), end: i * 0.25 + 0.2 + (i >= 20 ? 4 : 0) }));
    const out = tips("At my last job I fixed the build and it was faster by 2 minutes.", BUG, {}, words);
    expect(out[0]).toEqual({ summary: "Ease off the pace", detail: expect.stringMatching(/^You spoke at about \d+ words a minute; 110 to 170/u) });
    expect(out[1]).toEqual({ summary: "Swap fillers for a pause", detail: expect.stringContaining("“um” at 0:00, “um” at 0:03") });
  });

  it("uses the client's measures for a typed answer, and names them", () => {
    const out = tips("At my last job I fixed the build and it was faster by 2 minutes.", BUG, { speakingRate: 200, gaze: 30 });
    expect(out).toEqual([
      { summary: "Ease off the pace", detail: expect.stringContaining("200 words a minute") },
      { summary: "Bring your eyes back to the camera", detail: expect.stringContaining("30% of the time") },
    ]);
  });

  it("never gives more than two tips, nor a style label", () => {
    const out = tips("I think, um, maybe we did, like, sort of something, you know, I guess.", BUG, { speakingRate: 220, pauseRatio: 0.4, gaze: 10 });
    expect(out).toHaveLength(2);
    for (const t of out) expect(t.detail).not.toMatch(/^(Encouraging|Direct):/u);
  });
});

describe("quote", () => {
  it("quotes the span, collapsing whitespace and cutting long text at a word", () => {
    expect(quote("a  b\nc", { from: 0, to: 6 })).toBe("“a b c”");
    const long = "word ".repeat(30).trim();
    expect(quote(long, { from: 0, to: long.length })).toMatch(/^“(word ){13}word…”$/u);
  });
});
