/**
 * The interviewer model backed by NVIDIA's chat completions (docs/seed-behaviour.md §5), behind the
 * InterviewerModel port. One consult is one turn: its parts (coaching, next question,
 * clarification) run in parallel under one deadline, so a turn costs the slowest call, not
 * the sum. At the deadline unfinished calls are aborted and their parts come back empty for
 * the engine's heuristics. A circuit breaker refuses calls at once after repeated failures;
 * in production it is the fleet's shared breaker for the API (`health/`), so an outage seen
 * by any interview is skipped by all, and `consultNow` answers a turn that will make no
 * call without any I/O.
 *
 * Never throws, and reports every call it made (or refused) in `calls` for telemetry.
 */
import type { ConsultRequest, ConsultResult, LlmCallReport, LlmPurpose, RubricRequest, RubricResult } from "../../engine/types.ts";
import type { ConsultHooks, InterviewerModel } from "../interviewer-model.ts";
import { ChatClient } from "./chat-client.ts";
import { SharedBreaker, type Breaker } from "../../health/shared-breaker.ts";
import type { NvidiaConfig } from "./config.ts";
import { BUDGETS, clarificationMessages, coachingMessages, questionMessages, type ChatMessage } from "./prompts.ts";
import { parseClarification, parseCoaching, parseQuestion, type CoachingContent } from "./reply-parsing.ts";
import { QuestionDeltaFilter } from "./sse.ts";
import { parseRubric, rubricMessages } from "./rubric.ts";

export interface NvidiaInterviewerDeps {
  client?: ChatClient;
  /** Default: a breaker of this instance alone (tests); `select-model.ts` passes the shared one. */
  breaker?: Breaker;
  clock?: () => number;
}

/** The probe's lease outlives the turn's deadline by this much, so it cannot expire mid-call. */
const PROBE_LEASE_MARGIN_MS = 1_000;

interface CallSpec<T> {
  purpose: LlmPurpose;
  messages: ChatMessage[];
  stream: boolean;
  parse: (text: string) => T | null;
  onDelta?: (text: string) => void;
}

export class NvidiaInterviewer implements InterviewerModel {
  readonly name = "nvidia";
  readonly client: ChatClient;
  readonly breaker: Breaker;
  private readonly clock: () => number;

  constructor(
    private readonly config: NvidiaConfig,
    deps: NvidiaInterviewerDeps = {},
  ) {
    this.clock = deps.clock ?? Date.now;
    this.client = deps.client ?? new ChatClient({ url: config.url, apiKey: config.apiKey, model: config.model, clock: this.clock });
    this.breaker = deps.breaker ?? new SharedBreaker({ clock: this.clock });
  }

  /**
   * The whole result, without I/O, when the circuit refuses every call the request needs:
   * the same `circuit_open` reports `consult` would give (streamed as `request.stream`: the
   * interview passes a delta listener exactly when the session streams). Else null.
   */
  consultNow(request: ConsultRequest): ConsultResult | null {
    const purposes = purposesOf(request);
    if (purposes.length > 0 && !this.breaker.refusesNow()) return null;
    const result: ConsultResult = { calls: purposes.map((purpose) => this.refused(purpose, purpose === "question" && request.stream)) };
    // Refused parts come back null, as from `consult`.
    for (const purpose of purposes) result[purpose] = null;
    return result;
  }

  async consult(request: ConsultRequest, hooks: ConsultHooks): Promise<ConsultResult> {
    if (hooks.signal.aborted) return {};
    const turn = new AbortController();
    const deadline = this.clock() + this.config.timeoutMs;
    const timer = setTimeout(() => turn.abort("deadline"), this.config.timeoutMs);
    const onAbort = () => turn.abort("aborted");
    hooks.signal.addEventListener("abort", onAbort, { once: true });
    const calls: LlmCallReport[] = [];
    const result: ConsultResult = { calls };
    const run = <T>(spec: CallSpec<T>, use: (value: T | null) => void): Promise<void> =>
      this.call(spec, turn.signal, deadline).then(({ value, report }) => {
        calls.push(report);
        use(value);
      });
    try {
      const parts: Promise<void>[] = [];
      if (request.coaching) {
        parts.push(
          run<CoachingContent>(
            { purpose: "coaching", messages: coachingMessages(request), stream: false, parse: parseCoaching },
            (value) => (result.coaching = value),
          ),
        );
      }
      if (request.nextQuestion) {
        const filter = new QuestionDeltaFilter();
        const onQuestionDelta = hooks.onQuestionDelta;
        parts.push(
          run<string>(
            {
              purpose: "question",
              messages: questionMessages(request),
              stream: request.stream && onQuestionDelta !== undefined,
              // The shape the prompt asked for: bare prose is a question only where it was asked for.
              parse: (text) => parseQuestion(text, request.stream ? "sentence" : "json"),
              onDelta: onQuestionDelta
                ? (raw) => {
                    const shown = filter.push(raw);
                    if (shown) onQuestionDelta(shown);
                  }
                : undefined,
            },
            (value) => {
              result.question = value;
              hooks.onQuestionDone?.(value);
            },
          ),
        );
      }
      if (request.clarification) {
        parts.push(
          run<string>(
            { purpose: "clarification", messages: clarificationMessages(request), stream: false, parse: parseClarification },
            (value) => (result.clarification = value),
          ),
        );
      }
      await Promise.all(parts);
    } catch (error) {
      // `call` does not throw; this guards the port's promise against a bug all the same.
      console.error("NvidiaInterviewer: consult failed; heuristics answer", error);
    } finally {
      clearTimeout(timer);
      hooks.signal.removeEventListener("abort", onAbort);
    }
    return result;
  }

  /**
   * The rubric for one answer (model/nvidia/rubric.ts): one call under a deadline of its own
   * (the same length as a turn's), through the same breaker, so it fails like the other calls
   * and never holds up the turn that asked for it.
   */
  async rubric(request: RubricRequest, signal: AbortSignal): Promise<RubricResult> {
    const model = this.config.model;
    if (signal.aborted) return { scores: null, model, calls: [] };
    const own = new AbortController();
    const timer = setTimeout(() => own.abort("deadline"), this.config.timeoutMs);
    const onAbort = () => own.abort("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const spec = { purpose: "rubric" as const, messages: rubricMessages(request), stream: false, parse: (text: string) => parseRubric(text, request.answer) };
      const { value, report } = await this.call(spec, own.signal, this.clock() + this.config.timeoutMs);
      return { scores: value, model, calls: [report] };
    } catch (error) {
      console.error("NvidiaInterviewer: rubric failed; the heuristic feedback stands", error);
      return { scores: null, model, calls: [] };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  private refused(purpose: LlmPurpose, streamed: boolean): LlmCallReport {
    return { purpose, model: this.config.model, streamed, outcome: "circuit_open", latencyMs: 0, ttftMs: null, attempts: 0, status: null };
  }

  private async call<T>(spec: CallSpec<T>, signal: AbortSignal, deadline: number): Promise<{ value: T | null; report: LlmCallReport }> {
    const permit = await this.breaker.acquire({ leaseMs: this.config.timeoutMs + PROBE_LEASE_MARGIN_MS, watch: true });
    if (permit === null) return { value: null, report: this.refused(spec.purpose, spec.stream) };
    const chat = await this.client.complete({
      purpose: spec.purpose,
      messages: spec.messages,
      budget: BUDGETS[spec.purpose],
      stream: spec.stream,
      onDelta: spec.onDelta,
      // The circuit opening mid-call (the fleet saw the outage) ends a call as the turn would.
      signal: permit.signal ? AbortSignal.any([signal, permit.signal]) : signal,
      deadline,
    });
    // The breaker watches availability: a prompt answer with unusable content is not an outage.
    const cutShort = chat.aborted && permit.signal?.aborted === true;
    if (chat.aborted) permit.release();
    else if (chat.outcome === "ok" || chat.outcome === "invalid") permit.success();
    else permit.failure();
    if (cutShort) {
      const { latencyMs, attempts, status } = chat;
      return { value: null, report: { ...this.refused(spec.purpose, chat.streamed), latencyMs, attempts, status, detail: "circuit opened during the call" } };
    }

    let value: T | null = null;
    let outcome: LlmCallReport["outcome"] = chat.outcome;
    let detail = chat.detail;
    if (chat.outcome === "ok" && chat.text !== null) {
      // A stream cut short is used only if what arrived is already a whole reply.
      const usable = !chat.truncated || isWholeReply(chat.text);
      value = usable ? safeParse(spec.parse, chat.text) : null;
      if (value === null) {
        outcome = "invalid";
        detail = chat.truncated ? "truncated stream" : "unusable content";
      }
    }
    const report: LlmCallReport = {
      purpose: spec.purpose,
      model: this.config.model,
      streamed: chat.streamed,
      outcome,
      latencyMs: chat.latencyMs,
      ttftMs: chat.ttftMs,
      attempts: chat.attempts,
      status: chat.status,
      ...(detail ? { detail } : {}),
    };
    return { value, report };
  }
}

/** The calls a request needs, in the order `consult` starts (and so reports) them. */
function purposesOf(request: ConsultRequest): Exclude<LlmPurpose, "rubric">[] {
  const purposes: Exclude<LlmPurpose, "rubric">[] = [];
  if (request.coaching) purposes.push("coaching");
  if (request.nextQuestion) purposes.push("question");
  if (request.clarification) purposes.push("clarification");
  return purposes;
}

/** A complete JSON object, or a plain sentence that already ends its question. */
function isWholeReply(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.endsWith("?")) return true;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function safeParse<T>(parse: (text: string) => T | null, text: string): T | null {
  try {
    return parse(text);
  } catch {
    return null;
  }
}
