import { describe, expect, it } from "vitest";
import { alignSentences, offsetMapper, SentenceSplitter, splitSentences } from "../../src/durable/voice/sentence-splitter.ts";

const texts = (text: string) => splitSentences(text).map((s) => s.text);

/** Feeds `pieces` one by one; each sentence with the number of pieces it took to be given out. */
function stream(pieces: string[]): { text: string; after: number }[] {
  const splitter = new SentenceSplitter();
  const out: { text: string; after: number }[] = [];
  pieces.forEach((piece, i) => out.push(...splitter.push(piece).map((s) => ({ text: s.text, after: i + 1 }))));
  out.push(...splitter.finish().map((s) => ({ text: s.text, after: pieces.length + 1 })));
  return out;
}

describe("splitSentences", () => {
  it("splits at full stops, question and exclamation marks followed by a new sentence", () => {
    expect(texts("Tell me about a project you led. What was the hardest part? Be specific!")).toEqual([
      "Tell me about a project you led.",
      "What was the hardest part?",
      "Be specific!",
    ]);
  });

  it("keeps abbreviations, initials and list numbers inside their sentence", () => {
    expect(texts("Pick a tool, e.g. Kafka or RabbitMQ. Why that one?")).toEqual(["Pick a tool, e.g. Kafka or RabbitMQ.", "Why that one?"]);
    expect(texts("Say you report to Dr. Smith and Mr. Jones. Who decides?")).toEqual(["Say you report to Dr. Smith and Mr. Jones.", "Who decides?"]);
    expect(texts("Compare Postgres vs. MySQL for this. Which wins?")).toEqual(["Compare Postgres vs. MySQL for this.", "Which wins?"]);
    expect(texts("Take a store, i.e. a queue with state. How would it fail?")).toEqual(["Take a store, i.e. a queue with state.", "How would it fail?"]);
    expect(texts("A memo from J. Smith arrives. What now?")).toEqual(["A memo from J. Smith arrives.", "What now?"]);
    expect(texts("1. Tell me about your last role.")).toEqual(["1. Tell me about your last role."]);
  });

  it("does not split decimals, amounts or a full stop followed by a lowercase word", () => {
    expect(texts("Latency went from 3.5 s to 1.2 s. How did you do it?")).toEqual(["Latency went from 3.5 s to 1.2 s.", "How did you do it?"]);
    expect(texts("Revenue grew to $1.2M in Q3. What drove it?")).toEqual(["Revenue grew to $1.2M in Q3.", "What drove it?"]);
    expect(texts("It worked, etc. and then it broke. Why?")).toEqual(["It worked, etc. and then it broke.", "Why?"]);
  });

  it("treats ellipses by what follows them", () => {
    expect(texts("Well... tell me more. Anything else?")).toEqual(["Well... tell me more.", "Anything else?"]);
    expect(texts("Take your time… What happened next?")).toEqual(["Take your time…", "What happened next?"]);
    expect(texts("Hmm... What happened next?")).toEqual(["Hmm...", "What happened next?"]);
  });

  it("keeps closing quotes with their sentence and ends a sentence at a line break", () => {
    expect(texts('She said "ship it." What did you do?')).toEqual(['She said "ship it."', "What did you do?"]);
    expect(texts("Tell me about your team\nWhat did you own?")).toEqual(["Tell me about your team", "What did you own?"]);
  });

  it("gives offsets into the text and nothing for whitespace", () => {
    const text = "  First one.   Second?  ";
    const sentences = splitSentences(text);
    for (const s of sentences) expect(text.slice(s.from, s.to)).toBe(s.text);
    expect(sentences.map((s) => s.text)).toEqual(["First one.", "Second?"]);
    expect(splitSentences("   ")).toEqual([]);
  });
});

describe("SentenceSplitter over streamed deltas", () => {
  it("gives a sentence out as soon as the first character after it shows it ended, as tokens arrive", () => {
    const pieces = ["Tell", " me", " about", " a", " project", " you", " led.", " What", " was", " hard", "?"];
    expect(stream(pieces)).toEqual([
      { text: "Tell me about a project you led.", after: 8 },
      { text: "What was hard?", after: pieces.length + 1 },
    ]);
  });

  it("waits when a delta ends on a full stop that could be a decimal point or an abbreviation", () => {
    expect(stream(["It took 3", ".", "5 days", ". Why", "?"])).toEqual([
      { text: "It took 3.5 days.", after: 4 },
      { text: "Why?", after: 6 },
    ]);
    expect(stream(["Ask Dr", ".", " Smith", ". Then", " what?"])).toEqual([
      { text: "Ask Dr. Smith.", after: 4 },
      { text: "Then what?", after: 6 },
    ]);
    expect(stream(["Use e.g", ".", " Redis. ", "Why?"])).toEqual([
      { text: "Use e.g. Redis.", after: 4 },
      { text: "Why?", after: 5 },
    ]);
  });

  it("splits the same way whatever the pieces", () => {
    const text = "Revenue hit $1.2M, i.e. double. Dr. Lee asked why... And you? Tell me!";
    const whole = texts(text);
    for (const size of [1, 2, 3, 5, 8]) {
      const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, "g"))!;
      expect(stream(pieces).map((s) => s.text)).toEqual(whole);
    }
    expect(whole).toEqual(["Revenue hit $1.2M, i.e. double.", "Dr. Lee asked why...", "And you?", "Tell me!"]);
  });
});

describe("alignSentences", () => {
  const final = "Tell me about a project you led. What was the hardest part?";

  it("finds each streamed sentence in the final text, punctuation and whitespace free to differ", () => {
    const spans = alignSentences(["Tell me about a project you led.", "What was the  hardest part."], final);
    expect(spans.map((s) => final.slice(s.from, s.to))).toEqual(["Tell me about a project you led.", "What was the hardest part?"]);
    expect(alignSentences(["**Tell** me about a project you led."], final)).toHaveLength(1);
  });

  it("stops at the first sentence the final text does not say", () => {
    expect(alignSentences(["Sure!", "Tell me about a project you led."], final)).toEqual([]);
    expect(alignSentences(["Tell me about a project you led.", "Why did it matter?"], final)).toHaveLength(1);
    expect(alignSentences(["Tell me about a project you led. What was the hardest part? And then?"], final)).toEqual([]);
  });

  it("maps a streamed sentence's word offsets into the final text", () => {
    const sentence = "It cost  **$100** in total.";
    const finalText = "Ok. It cost $100 in total?";
    const [, span] = alignSentences(["Ok.", sentence], finalText);
    const map = offsetMapper(sentence, finalText, span!);
    const at = (word: string) => sentence.indexOf(word);
    expect(finalText.slice(map.start(at("cost")), map.end(at("cost") + 4))).toBe("cost");
    expect(finalText.slice(map.start(at("$100")), map.end(at("$100") + 4))).toBe("$100");
    expect(finalText.slice(map.start(at("total")), map.end(at("total") + 5))).toBe("total");
  });
});
