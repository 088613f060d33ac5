import { describe, it, expect } from "vitest";
import { STYLES } from "@interview/shared";
import { pickPreface, startsWithAcknowledgement } from "../../src/engine/preface.ts";
import { STYLE_CARDS } from "../../src/engine/style-cards.ts";

describe("startsWithAcknowledgement", () => {
  const acks = [
    "No worries, let's try another.",
    "No problem. Next question?",
    "Ok, how would you scale it?",
    "OK so what next?",
    "Okay, what else?",
    "Alright, tell me more?",
    "All right, tell me more?",
    "Understood. What then?",
    "Got it. And the result?",
    "Fair enough. Why?",
    "Thanks. What next?",
    "Thank you for that. Why?",
    "That's ok, moving on?",
    "That's okay. Next?",
    "That’s okay. Next?",
    "Nice, and then?",
    "Nice - and then?",
    "Nice — and then?",
    "Great, why?",
    "Great– why?",
    "Good question. The scope is global?",
    "   okay, next?",
  ];
  for (const q of acks) {
    it(`recognises "${q}"`, () => {
      expect(startsWithAcknowledgement(q)).toBe(true);
    });
  }
  const plain = [
    "How would you design it?",
    "Nice work isn't enough; why?",
    "Great teams do what?",
    "Fairness matters; how?",
    "Thanksgiving traffic spikes: how do you plan?",
    "Gotcha questions aside, why?",
    "Understanding the users, what matters?",
    "Tell me why. Okay?",
    "Good questions matter?",
    "",
  ];
  for (const q of plain) {
    it(`does not flag "${q}"`, () => {
      expect(startsWithAcknowledgement(q)).toBe(false);
    });
  }
});

describe("pickPreface", () => {
  const question = "How would you shard the data?";

  it("returns null without history", () => {
    expect(pickPreface({ style: "neutral", lastAnswer: null, forFollowUp: false, question, random: () => 0 })).toBeNull();
  });

  it("returns null when the question already opens with an acknowledgement", () => {
    expect(
      pickPreface({ style: "neutral", lastAnswer: "A real answer", forFollowUp: false, question: "Okay, why?", random: () => 0 }),
    ).toBeNull();
    expect(
      pickPreface({ style: "supportive", lastAnswer: "idk", forFollowUp: true, question: "No worries. Why?", random: () => 0 }),
    ).toBeNull();
  });

  it("uses the move-on preface after a non-answer before a new main question", () => {
    for (const style of STYLES) {
      expect(pickPreface({ style, lastAnswer: "I don't know", forFollowUp: false, question, random: () => 0 })).toBe(
        STYLE_CARDS[style].moveOnPreface,
      );
    }
  });

  it("uses the reframe word after a non-answer before a follow-up", () => {
    expect(pickPreface({ style: "supportive", lastAnswer: "pass", forFollowUp: true, question, random: () => 0 })).toBe("No worries.");
    expect(pickPreface({ style: "neutral", lastAnswer: "pass", forFollowUp: true, question, random: () => 0 })).toBe("Okay.");
    expect(pickPreface({ style: "cold", lastAnswer: "pass", forFollowUp: true, question, random: () => 0 })).toBe("Alright.");
  });

  it("treats an empty last answer as a non-answer (history exists)", () => {
    expect(pickPreface({ style: "cold", lastAnswer: "", forFollowUp: false, question, random: () => 0 })).toBe(
      STYLE_CARDS.cold.moveOnPreface,
    );
  });

  it("picks an acknowledgement with floor(random * length)", () => {
    const pick = (r: number, style: "neutral" | "cold") =>
      pickPreface({ style, lastAnswer: "We shipped it in 3 weeks.", forFollowUp: false, question, random: () => r });
    expect(pick(0, "neutral")).toBe("Got it.");
    expect(pick(0.34, "neutral")).toBe("Okay.");
    expect(pick(0.99, "neutral")).toBe("Understood.");
    expect(pick(0.49, "cold")).toBe("Okay.");
    expect(pick(0.5, "cold")).toBe("Alright.");
  });

  it("picks from the supportive list for supportive", () => {
    const got = [0, 0.4, 0.8].map((r) =>
      pickPreface({ style: "supportive", lastAnswer: "Real answer", forFollowUp: true, question, random: () => r }),
    );
    expect(got).toEqual([...STYLE_CARDS.supportive.acknowledgements]);
  });

  it("clamps an out-of-range RNG value", () => {
    expect(pickPreface({ style: "cold", lastAnswer: "Real answer", forFollowUp: false, question, random: () => 1 })).toBe("Alright.");
  });

  it("does not call the RNG when no random pick is needed", () => {
    let calls = 0;
    const random = (): number => (calls++, 0);
    pickPreface({ style: "neutral", lastAnswer: null, forFollowUp: false, question, random });
    pickPreface({ style: "neutral", lastAnswer: "skip", forFollowUp: false, question, random });
    pickPreface({ style: "neutral", lastAnswer: "Real answer", forFollowUp: false, question: "Got it. Why?", random });
    expect(calls).toBe(0);
  });
});
