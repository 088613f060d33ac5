#!/usr/bin/env node
// Plays a scripted interview against a running service and prints the conversation.
// Usage: npm run demo [-- ws://127.0.0.1:8787/ws/interview]
// Uses the built-in WebSocket (Node 22+); on an older Node (20 has none) it falls back to the
// `ws` package, a devDependency of the repository, so `node scripts/demo.mjs` works there too.
const WebSocketImpl = globalThis.WebSocket ?? (await import("ws")).WebSocket;
const url = process.argv[2] ?? process.env.DEMO_URL ?? "ws://127.0.0.1:8787/ws/interview";
const WAIT_MS = 30_000;

const answers = [
  "Our checkout service kept timing out, so I profiled it and found an N+1 query. I rewrote it as a batch call and p99 latency dropped from 900 ms to 120 ms.",
  "My part was the profiling and the fix; a teammate reviewed it and I ran the canary rollout myself.",
  "um, I don't know",
  "I chose a queue over synchronous calls because the partner API was flaky, trading a little freshness for reliability.",
];

const socket = new WebSocketImpl(url);
const inbox = [];
let wake = () => {};
socket.addEventListener("message", (event) => {
  inbox.push(JSON.parse(String(event.data)));
  wake();
});
socket.addEventListener("close", (event) => {
  inbox.push({ type: "__closed", code: event.code, reason: event.reason });
  wake();
});
socket.addEventListener("error", () => {
  console.error(`Could not connect to ${url}. Is the service running (npm run dev)?`);
  process.exit(1);
});

/** The next message of one of `types`, skipping others (errors are printed). */
async function next(...types) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const index = inbox.findIndex((m) => types.includes(m.type) || m.type === "__closed" || m.type === "error");
    if (index >= 0) {
      const [message] = inbox.splice(index, 1);
      if (message.type === "error") throw new Error(`server error ${message.code}: ${message.message}`);
      if (!types.includes(message.type)) throw new Error(`connection closed while waiting for ${types}`);
      return message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${types}`);
    await new Promise((resolve) => {
      wake = resolve;
      setTimeout(resolve, 200);
    });
  }
}

const say = (who, text) => console.log(`${who.padEnd(12)}${text}`);
const send = (message) => socket.send(JSON.stringify(message));

await new Promise((resolve) => socket.addEventListener("open", resolve));
const ready = await next("session_ready");
say("server", `session_ready ${ready.session_id}`);

send({ type: "start_session", style: "supportive", pack: "swe_behavioral", maxQuestions: answers.length, consent: true });
const started = await next("session_started");
say("server", `session_started ${started.session_id} group=${started.group} (${started.groupAssignment})`);
let question = await next("question");
say("interviewer", `${question.preface ? question.preface + " " : ""}${question.question}  [${question.source}]`);

send({ type: "user_clarification", question: "Can it be from a side project?" });
const clarification = await next("clarification");
say("interviewer", `${clarification.message}  [clarification: ${clarification.source}]`);

for (const [index, answer] of answers.entries()) {
  say("candidate", answer);
  const sentAt = Date.now();
  send({ type: "user_answer", answer, metrics: { speakingRate: 150, pauseRatio: 0.12, gaze: 72 } });
  const tips = await next("tips");
  send({ type: "telemetry", event: "latency", latencyMs: Date.now() - sentAt, data: { turn: tips.turn } });
  for (const tip of tips.items) say("coach", `${tip.summary}: ${tip.detail}`);
  if (index === 1) {
    send({ type: "checkin", confidence: 4, stress: 2 });
    await next("checkin_logged");
    say("server", "checkin_logged");
  }
  const after = await next("question", "session_ended");
  if (after.type === "session_ended") {
    say("interviewer", `${after.message}  [session_ended: ${after.reason}]`);
    break;
  }
  question = after;
  say("interviewer", `${question.preface ? question.preface + " " : ""}${question.question}  [${question.source}]`);
  if (question.source === "follow_up") await next("interviewer_message");
}
socket.close();
