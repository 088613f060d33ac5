/**
 * The three interviewer personas as one record each ("style cards").
 *
 * The seed spread per-style behaviour over half a dozen tables (docs/seed-behaviour.md §2.1);
 * gathering it here means a new style is one object, and switching style mid-session only
 * swaps which card the engine reads. Wire-visible fragments (tip prefixes, reframe words,
 * clarification openers, TTS speeds) are the seed's exact values; the prose is our own.
 */
import type { Style } from "@interview/shared";
import { TTS_SPEED_BY_STYLE } from "@interview/shared";

export interface StyleCard {
  style: Style;
  /** Tone phrase put into LLM prompts. */
  llmTone: string;
  /** Prepended to the detail of every heuristic tip (never to LLM tips). */
  tipPrefix: string;
  /** Preface options after an ordinary answer; one is picked at random. */
  acknowledgements: readonly string[];
  /** Preface after a non-answer, before a new main question. */
  moveOnPreface: string;
  /** Preface after a non-answer, before a follow-up. */
  reframePreface: string;
  /** Follow-up after a non-answer: story packs ask for another example, others for an approach. */
  nonAnswerFollowUp: { behavioural: string; approach: string };
  clarificationOpener: string;
  /** Reply when the candidate asks to be given the answer. */
  guardrailRefusal: string;
  endMessages: { time_limit: string; max_questions: string; other: string };
  ttsSpeed: number;
}

const supportive: StyleCard = {
  style: "supportive",
  llmTone: "warm and encouraging",
  tipPrefix: "Encouraging: ",
  acknowledgements: ["Thanks for walking me through that.", "Got it, thank you.", "Thanks, that helps."],
  moveOnPreface: "No worries at all, let's try a different one.",
  reframePreface: "No worries.",
  nonAnswerFollowUp: {
    behavioural:
      "That's completely fine. Could you think of another example, even a small one, and tell me what you did and what changed because of it?",
    approach:
      "That's okay. Could you talk me through how you would work it out, and what you would look at first?",
  },
  clarificationOpener: "Good question — ",
  guardrailRefusal:
    "I'm glad to clarify the question, but I won't write the answer for you. Pick a single example, open with the outcome, then walk through your actions and one result you can measure.",
  endMessages: {
    time_limit: "That's our time, and you did really well. Let's look back over your answers together.",
    max_questions: "That was the last question of the set. Nice work! Take a moment to look back over your answers.",
    other: "Let's pause here for today. Have a look back over your answers when you're ready.",
  },
  ttsSpeed: TTS_SPEED_BY_STYLE.supportive,
};

const neutral: StyleCard = {
  style: "neutral",
  llmTone: "direct and calm",
  tipPrefix: "",
  acknowledgements: ["Got it.", "Okay.", "Understood."],
  moveOnPreface: "Okay, let's move on to the next one.",
  reframePreface: "Okay.",
  nonAnswerFollowUp: {
    behavioural: "Let's take another example instead. What did you do, and what changed as a result?",
    approach: "How would you go about it, and what would be your first step?",
  },
  clarificationOpener: "Clarifying — ",
  guardrailRefusal:
    "I can clarify the question, but I won't provide a model answer. Choose one example and structure it as situation, task, action and result.",
  endMessages: {
    time_limit: "We're out of time. Let's go over your answers.",
    max_questions: "That completes the question set. Let's go over your answers.",
    other: "We'll stop at this point. Let's go over your answers.",
  },
  ttsSpeed: TTS_SPEED_BY_STYLE.neutral,
};

const cold: StyleCard = {
  style: "cold",
  llmTone: "pressuring and blunt",
  tipPrefix: "Direct: ",
  acknowledgements: ["Okay.", "Alright."],
  moveOnPreface: "Alright. Moving on.",
  reframePreface: "Alright.",
  nonAnswerFollowUp: {
    behavioural: "Then give me a different example. What did you do, and what was the result?",
    approach: "Fine. How would you approach it? What's step one?",
  },
  clarificationOpener: "Listen — ",
  guardrailRefusal:
    "I'm not going to hand you an answer. Pick one example: the context, what you did, the outcome, and numbers where you have them.",
  endMessages: {
    time_limit: "Time's up. Go through your answers.",
    max_questions: "Set's done. Go through your answers.",
    other: "We're stopping. Go through your answers.",
  },
  ttsSpeed: TTS_SPEED_BY_STYLE.cold,
};

export const STYLE_CARDS: Readonly<Record<Style, StyleCard>> = Object.freeze({ supportive, neutral, cold });
