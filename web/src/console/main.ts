/**
 * The interview console at `/`: set up and start an interview, type answers, read the tips,
 * ask for clarification, switch style, check in, and get a printable recap at the end. The
 * connection reconnects by itself after a drop (connection.ts), and a reload of the page
 * resumes the interview (saved-session.ts).
 */
import type { ServerMessage } from "@interview/shared/protocol";
import { byId, showAlert } from "../common/dom.ts";
import { describeRefusal } from "../common/refusals.ts";
import { InterviewConnection } from "./connection.ts";
import { renderRecap, type SessionRecap } from "./report.ts";
import { candidateItem, interviewerItem, noteItem, tipsBlock, type AnsweredTurn } from "./transcript.ts";
import { renderFeedback } from "./feedback.ts";
import { fetchLateRubrics } from "./late-rubrics.ts";
import { renderRubric } from "./rubric.ts";
import { AUDIO_INPUT, openMicrophone, type Microphone } from "./voice/microphone.ts";
import { InterviewerVoice } from "./voice/player.ts";
import { SessionKeeper, type SentMessage } from "./saved-session.ts";

const PARTICIPANT_KEY = "interview.participantId";

const page = {
  connection: byId("connection"),
  setup: byId("setup"),
  setupForm: byId<HTMLFormElement>("setup-form"),
  start: byId<HTMLButtonElement>("start"),
  interview: byId("interview"),
  progress: byId("progress"),
  transcript: byId<HTMLOListElement>("transcript"),
  answerForm: byId<HTMLFormElement>("answer-form"),
  answer: byId<HTMLTextAreaElement>("answer"),
  sendAnswer: byId<HTMLButtonElement>("send-answer"),
  clarifyForm: byId<HTMLFormElement>("clarify-form"),
  clarify: byId<HTMLInputElement>("clarify"),
  styleForm: byId<HTMLFormElement>("style-form"),
  switchStyle: byId<HTMLSelectElement>("switch-style"),
  checkinForm: byId<HTMLFormElement>("checkin-form"),
  confidence: byId<HTMLInputElement>("confidence"),
  stress: byId<HTMLInputElement>("stress"),
  report: byId("report"),
  reportSummary: byId("report-summary"),
  reportBody: byId("report-body"),
  print: byId<HTMLButtonElement>("print"),
  again: byId<HTMLButtonElement>("again"),
  alert: byId("alert"),
  caption: byId("caption"),
  voice: byId("voice"),
  live: byId("live"),
  talk: byId<HTMLButtonElement>("talk"),
};

const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/interview`;

let connection: InterviewConnection;
let lastStart: Record<string, unknown> | null = null;
let recap: SessionRecap | null = null;
let currentQuestion = "";
let answerSentAt: number | null = null;
let maxAnswers: number | null = null;
let lastAnswered: AnsweredTurn | null = null;
/** The session's resume token, which also authorises its HTTP report (late rubrics). */
let sessionToken: string | null = null;
/** Rubrics shown in this session: the model is on, so the last answer's will come after the end. */
let rubricsSeen = 0;
/** Answers by the `turn` of their feedback, for the model's rubric that follows it. */
const answeredByTurn = new Map<number, AnsweredTurn>();
/** The next question as the model writes it (`interviewer_delta`, stream: true), until its `question` comes. */
let preview: { turn: number; text: string; item: HTMLLIElement } | null = null;
/** The session this tab runs, kept so that a reload resumes it. */
const keeper = new SessionKeeper();
/** Ids of sent messages already drawn in the transcript (drawn when sent; after a reload, when their replayed `ack` comes). */
const drawn = new Set<string>();
/** The server's latest `seq` when this connection resumed: messages up to it are a replay, not live. */
let replayThrough = 0;
/** Set from a reload's resume until the server accepts it (`session_resumed`). */
let resumingAfterReload = false;

type AnswerMode = "typed" | "push" | "hands-free";
let answerMode: AnswerMode = "typed";
let microphone: Microphone | null = null;
/** Whether microphone frames go to the server now (between audio_start and the answer's end). */
let talking = false;
let currentTurn = 0;
/**
 * What the interviewer's audio speaks, by `of` and turn (`audio_out_start`): its audio can come
 * after the next message, so the caption looks the text up rather than taking the latest.
 */
const spokenTexts = new Map<string, string>();
const spokenKey = (of: string, turn: number) => `${of === "follow_up" ? "question" : of}:${turn}`;
let spokenOf = "";
const voice = new InterviewerVoice(page.caption, (turn, playedMs) => connection.send({ type: "playback", turn, playedMs }));

/** Starts a spoken answer to the current question: audio_start, then the microphone's frames. */
function startTalking(): void {
  if (!microphone || talking) return;
  talking = true;
  page.talk.setAttribute("aria-pressed", "true");
  page.live.textContent = "Listening…";
  connection.send({ type: "audio_start", turn: currentTurn });
}

function stopTalking(sendEnd: boolean): void {
  if (!talking) return;
  talking = false;
  page.talk.setAttribute("aria-pressed", "false");
  if (sendEnd) connection.send({ type: "audio_end" });
}

/** Back to typing: no microphone, or no speech worker. */
function typedOnly(reason: string): void {
  stopTalking(false);
  microphone?.stop();
  microphone = null;
  answerMode = "typed";
  page.voice.hidden = true;
  showAlert(page.alert, reason, "info");
}

function newConnection(resume = keeper.resumable): void {
  connection = new InterviewConnection(wsUrl, {
    state(state, detail) {
      page.connection.textContent = detail;
      page.connection.dataset.state = state;
      // Ended, deleted or refused: nothing left to resume, so a reload starts afresh.
      if (state === "closed") keeper.forget();
      if (state === "closed" && resumingAfterReload) {
        resumingAfterReload = false;
        newConnection(null);
        showAlert(page.alert, "The interview this page had open could not be resumed: it has ended or was deleted. Start a new one.", "info");
      }
    },
    message: handle,
    audio: (chunk) => voice.push(chunk),
  });
  resumingAfterReload = resume !== null;
  if (resume) {
    sessionToken = resume.resumeToken;
    connection.resume(resume.resumeToken, 0, keeper.unacknowledged());
  } else connection.connect();
  // For the browser tests and for anyone curious in the dev tools.
  (window as unknown as { interviewConsole: unknown }).interviewConsole = { connection };
}

function setAnswering(enabled: boolean, note = ""): void {
  page.answer.disabled = !enabled;
  page.sendAnswer.disabled = !enabled;
  page.progress.textContent = note || progressNote();
  if (enabled) page.answer.focus();
}

function progressNote(): string {
  const done = recap?.turns.length ?? 0;
  return maxAnswers ? `Answers given: ${done} of ${maxAnswers}.` : `Answers given: ${done}.`;
}

function add(item: HTMLLIElement): void {
  page.transcript.append(item);
  item.scrollIntoView({ block: "nearest" });
}

function handle(message: ServerMessage): void {
  switch (message.type) {
    case "session_ready":
      page.start.disabled = false;
      break;
    case "session_started":
      if (message.participantId) localStorage.setItem(PARTICIPANT_KEY, message.participantId);
      keeper.started(message.session_id, message.resumeToken);
      sessionToken = message.resumeToken;
      rubricsSeen = 0;
      answeredByTurn.clear();
      preview = null;
      maxAnswers = message.maxQuestions;
      recap = { sessionId: message.session_id, endMessage: "", turns: [], checkins: [], styles: [message.style], startedAt: Date.now(), endedAt: Date.now(), report: null };
      page.switchStyle.value = message.style;
      page.setup.hidden = true;
      page.report.hidden = true;
      page.interview.hidden = false;
      page.transcript.replaceChildren();
      showAlert(page.alert, "");
      for (const change of message.adjusted) add(noteItem(`${change.field}: ${String(change.given)} was not used as given; using ${String(change.used)}.`));
      break;
    case "interviewer_delta":
      showPreview(message.turn, message.delta);
      break;
    case "question":
      preview?.item.remove();
      preview = null;
      currentQuestion = message.question;
      currentTurn = message.turn;
      spokenTexts.set(spokenKey("question", message.turn), message.question);
      add(interviewerItem(message.question, message.preface, message.source === "follow_up" ? "Interviewer (follow-up)" : "Interviewer"));
      setAnswering(true);
      if (answerMode === "hands-free") startTalking();
      break;
    case "speech_started":
      // The candidate speaks: the interviewer stops (and tells the server how much was heard).
      voice.interrupt();
      break;
    case "transcript_delta":
      page.live.textContent = message.text;
      break;
    case "transcript":
      stopTalking(false);
      page.live.textContent = "";
      recordAnswer(message.text, !replayed(message.seq));
      break;
    case "no_speech":
      stopTalking(false);
      page.live.textContent = "No speech was heard. Try again.";
      if (answerMode === "hands-free") startTalking();
      break;
    case "audio_out_start":
      // With stream: true the audio can start before its question's text is complete.
      voice.begin(message.turn, message.sampleRate, spokenTexts.get(spokenKey(message.of, message.turn)) ?? (preview?.turn === message.turn ? preview.text : ""));
      spokenOf = spokenKey(message.of, message.turn);
      break;
    case "audio_out_cancel":
      voice.cancel();
      break;
    case "audio_out_end":
      voice.end(spokenTexts.get(spokenOf) ?? "", message.words, message.durationMs);
      break;
    case "tips":
      if (lastAnswered) {
        lastAnswered.tips = message.items;
        lastAnswered.feedbackSlot.prepend(tipsBlock(message.items));
      }
      if (answerSentAt !== null) {
        // The candidate's own wait, answer to tips; the dashboard compares it between arms.
        connection.send({ type: "telemetry", event: "latency", latencyMs: Math.round(performance.now() - answerSentAt), data: { turn: message.turn } });
        answerSentAt = null;
      }
      break;
    case "feedback":
      if (lastAnswered) {
        answeredByTurn.set(message.turn, lastAnswered);
        renderFeedback(message, lastAnswered.answer, lastAnswered.answerText, lastAnswered.feedbackSlot);
      }
      break;
    case "feedback_rubric": {
      const answered = answeredByTurn.get(message.turn);
      if (answered) renderRubric(message, answered.feedbackSlot);
      rubricsSeen += 1;
      break;
    }
    case "report":
      if (recap) recap.report = message;
      break;
    case "clarification":
      spokenTexts.set(spokenKey("clarification", message.turn), message.message);
      add(interviewerItem(message.message, null, "Clarification"));
      break;
    case "style_switched":
      recap?.styles.push(message.style);
      add(noteItem(`The interviewer is now ${message.style}.`));
      break;
    case "checkin_logged":
      add(noteItem("Check-in saved."));
      break;
    case "ack": {
      const sent = keeper.acknowledged(message.id);
      if (sent && !drawn.has(sent.id)) drawSent(sent);
      break;
    }
    case "session_resumed":
      replayThrough = message.lastSeq;
      resumingAfterReload = false;
      if (!recap) {
        // A reload whose replay will not hold session_started (too far behind): show the interview all the same.
        maxAnswers = message.maxQuestions;
        recap = { sessionId: message.session_id, endMessage: "", turns: [], checkins: [], styles: [message.style], startedAt: Date.now(), endedAt: Date.now(), report: null };
        page.setup.hidden = true;
        page.interview.hidden = false;
      }
      if (message.question && message.question.question !== currentQuestion) {
        currentQuestion = message.question.question;
        add(interviewerItem(message.question.question, message.question.preface));
        setAnswering(true);
      }
      break;
    case "session_ended":
      spokenTexts.set(spokenKey("closing", message.turn), message.message);
      stopTalking(false);
      microphone?.stop();
      microphone = null;
      keeper.forget();
      finish(message.message);
      break;
    case "error":
      refused(message.code, message.message, message.retryAfter);
      break;
    default:
      // Voice messages: this console is typed only and does not ask for them.
      break;
  }
}

/** The question being written, drawn as it grows; its `question` replaces it. */
function showPreview(turn: number, delta: string): void {
  if (!preview || preview.turn !== turn) {
    preview?.item.remove();
    const item = interviewerItem("", null, "Interviewer (writing…)");
    item.classList.add("preview");
    preview = { turn, text: "", item };
    add(item);
  }
  preview.text += delta;
  const text = preview.item.querySelector(".text");
  if (text) text.textContent = preview.text;
  voice.preview(turn, preview.text);
}

function refused(code: string, serverMessage: string, retryAfter?: number): void {
  if (code === "speech_unavailable" || code === "audio_not_enabled") {
    typedOnly(`${describeRefusal(code, serverMessage)} Type your answer below.`);
    setAnswering(true);
    return;
  }
  if (code === "unknown_participant" && lastStart?.participantId) {
    // The server forgot the id (a fresh dev database): start as a newcomer instead.
    localStorage.removeItem(PARTICIPANT_KEY);
    lastStart = { ...lastStart, participantId: null };
    connection.startSession({ type: "start_session", ...lastStart });
    return;
  }
  showAlert(page.alert, describeRefusal(code, serverMessage, retryAfter));
  if (!page.setup.hidden) page.start.disabled = false;
  if (!page.interview.hidden && code === "rate_limited") setAnswering(true);
}

function finish(endMessage: string): void {
  setAnswering(false, "The interview has ended.");
  if (!recap) return;
  recap.endMessage = endMessage;
  recap.endedAt = Date.now();
  page.interview.hidden = true;
  page.report.hidden = false;
  renderRecap(recap, page.reportSummary, page.reportBody);
  page.report.querySelector("h2")?.focus();
  void showLateRubrics(recap);
}

/** The model's rubrics that came after the end (late-rubrics.ts), under their answers and in the recap. */
async function showLateRubrics(session: SessionRecap): Promise<void> {
  const missing = [...answeredByTurn].filter(([, answered]) => !answered.feedbackSlot.querySelector(".rubric")).map(([turn]) => turn);
  if (!sessionToken || missing.length === 0) return;
  const found = await fetchLateRubrics({
    origin: location.origin,
    sessionId: session.sessionId,
    resumeToken: sessionToken,
    missing,
    attempts: rubricsSeen > 0 ? 5 : 1,
    delayMs: 2_000,
  });
  // A new interview started meanwhile: its page is not this one's.
  if (found.size === 0 || recap !== session) return;
  for (const [turn, rubric] of found) {
    const answered = answeredByTurn.get(turn);
    if (answered) renderRubric({ scores: rubric }, answered.feedbackSlot);
  }
  renderRecap(session, page.reportSummary, page.reportBody);
}

page.setupForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(page.setupForm);
  const custom = String(data.get("customQuestions") ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const requested = Number(data.get("maxQuestions"));
  if (!Number.isInteger(requested) || requested < 1 || requested > 50) {
    showAlert(page.alert, "Choose a number of answers from 1 to 50.");
    byId("maxQuestions").focus();
    return;
  }
  if (custom.length > 24 || custom.some((q) => q.length > 280)) {
    showAlert(page.alert, "Up to 24 questions of your own, each at most 280 characters.");
    byId("customQuestions").focus();
    return;
  }
  answerMode = (String(data.get("answerMode") ?? "typed") as AnswerMode) || "typed";
  const hear = data.get("hear") === "on";
  const settings = {
    style: data.get("style"),
    pack: data.get("pack"),
    difficulty: data.get("difficulty"),
    maxQuestions: requested,
    customQuestions: custom,
    consent: data.get("consent") === "on",
    participantId: localStorage.getItem(PARTICIPANT_KEY),
    // The question shows (and, with voice, starts playing) while the model still writes it.
    stream: true,
  };
  page.start.disabled = true;
  showAlert(page.alert, "");
  void prepareVoice(hear).then((audio) => {
    lastStart = { ...settings, ...(audio ? { audio } : {}) };
    connection.startSession({ type: "start_session", ...lastStart });
  });
});

/** Opens the microphone for a spoken mode (the click is the gesture browsers ask for) and says what the session should carry. */
async function prepareVoice(hear: boolean): Promise<{ input?: "pcm16"; output?: "pcm16" } | null> {
  let input: "pcm16" | undefined;
  if (answerMode !== "typed") {
    try {
      showAlert(page.alert, "Allow the microphone when the browser asks.", "info");
      microphone?.stop();
      microphone = await openMicrophone((pcm) => connection.sendAudio(pcm), () => talking);
      input = AUDIO_INPUT;
      showAlert(page.alert, "");
      page.voice.hidden = false;
      page.talk.hidden = answerMode !== "push";
      page.live.textContent = answerMode === "push" ? "Hold the button (or Space) while you answer." : "Answer when the question comes; a pause ends your answer.";
    } catch (error) {
      typedOnly(`The microphone is not available (${error instanceof Error ? error.message : String(error)}); answer by typing.`);
    }
  } else page.voice.hidden = true;
  const output = hear ? ("pcm16" as const) : undefined;
  if (hear) voice.prepare();
  return input || output ? { ...(input ? { input } : {}), ...(output ? { output } : {}) } : null;
}

page.answerForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const answer = page.answer.value.trim();
  if (!answer) {
    showAlert(page.alert, "Type an answer first.");
    return;
  }
  showAlert(page.alert, "");
  stopTalking(false);
  recordAnswer(answer, true);
  page.answer.value = "";
  sendKept({ type: "user_answer", answer });
});

/** Sends a session-changing message with an id, kept (with the session) until a reload no longer needs it. */
function sendKept(message: { type: string; [field: string]: unknown }): void {
  const sent = connection.send(message, { acknowledged: true }) as SentMessage;
  drawn.add(sent.id);
  keeper.sent(sent);
}

/** Whether a numbered message is the replay of a resume rather than live traffic. */
function replayed(seq: number | undefined): boolean {
  return seq !== undefined && seq <= replayThrough;
}

/**
 * A message this tab sent before a reload, drawn where the server applied it (its replayed
 * `ack`), so the rebuilt transcript reads as it did.
 */
function drawSent(sent: SentMessage): void {
  drawn.add(sent.id);
  if (sent.type === "user_answer" && typeof sent.answer === "string") recordAnswer(sent.answer, false);
  else if (sent.type === "user_clarification" && typeof sent.question === "string") add(noteItem(`You asked: ${sent.question}`));
  else if (sent.type === "checkin" && typeof sent.confidence === "number" && typeof sent.stress === "number") recap?.checkins.push({ confidence: sent.confidence, stress: sent.stress });
}

/**
 * An answer given (typed, or the server's transcript of a spoken one) joins the transcript and
 * the recap. `live`: given now, so the wait for its tips is the candidate's (telemetry); not
 * for an answer drawn again from a replay.
 */
function recordAnswer(answer: string, live: boolean): void {
  const { item, answerText, feedbackSlot } = candidateItem(answer);
  add(item);
  lastAnswered = { question: currentQuestion, answer, tips: [], answerText, feedbackSlot };
  recap?.turns.push(lastAnswered);
  answerSentAt = live ? performance.now() : null;
  setAnswering(false, "The interviewer is thinking…");
}

// Push to talk: hold the button (pointer) or Space/Enter on it (keyboard).
page.talk.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  startTalking();
});
for (const type of ["pointerup", "pointerleave", "pointercancel"] as const) page.talk.addEventListener(type, () => stopTalking(true));
page.talk.addEventListener("keydown", (event) => {
  if ((event.key === " " || event.key === "Enter") && !event.repeat) {
    event.preventDefault();
    startTalking();
  }
});
page.talk.addEventListener("keyup", (event) => {
  if (event.key === " " || event.key === "Enter") stopTalking(true);
});

page.answer.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) page.answerForm.requestSubmit();
});

page.clarifyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = page.clarify.value.trim();
  if (!text) return showAlert(page.alert, "Type what you would like clarified.");
  add(noteItem(`You asked: ${text}`));
  page.clarify.value = "";
  sendKept({ type: "user_clarification", question: text });
});

page.styleForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sendKept({ type: "switch_style", style: page.switchStyle.value });
});

page.checkinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const confidence = Number(page.confidence.value);
  const stress = Number(page.stress.value);
  const valid = (n: number) => Number.isInteger(n) && n >= 0 && n <= 10;
  if (!valid(confidence) || !valid(stress)) return showAlert(page.alert, "Confidence and stress are whole numbers from 0 to 10.");
  recap?.checkins.push({ confidence, stress });
  sendKept({ type: "checkin", confidence, stress });
});

page.print.addEventListener("click", () => window.print());
page.again.addEventListener("click", () => {
  recap = null;
  lastAnswered = null;
  currentQuestion = "";
  page.report.hidden = true;
  page.setup.hidden = false;
  page.start.disabled = true;
  keeper.forget();
  drawn.clear();
  replayThrough = 0;
  connection.close();
  newConnection(null);
});

page.start.disabled = true;
newConnection();
