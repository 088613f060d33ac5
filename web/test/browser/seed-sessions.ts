/**
 * Finished interviews played over the real socket from Node, so the dashboard has several
 * sessions per arm (confidence intervals need two or more). Metrics differ per session.
 */
type Frame = { type: string; [key: string]: unknown };

export async function playSeedInterview(wsUrl: string, index: number): Promise<string> {
  const ws = new WebSocket(wsUrl);
  const inbox: Frame[] = [];
  let wake: (() => void) | null = null;
  ws.addEventListener("message", (event) => {
    inbox.push(JSON.parse(String(event.data)) as Frame);
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${wsUrl}`)), { once: true });
  });
  const until = async (type: string): Promise<Frame> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const frame = inbox.shift();
      if (frame?.type === type) return frame;
      if (frame?.type === "error") throw new Error(`seed interview refused: ${JSON.stringify(frame)}`);
      if (frame) continue;
      if (Date.now() > deadline) throw new Error(`no ${type} within 60 s`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  };
  await until("session_ready");
  ws.send(JSON.stringify({ type: "start_session", consent: true, maxQuestions: 2, pack: "swe_behavioral" }));
  const started = await until("session_started");
  await until("question");
  ws.send(JSON.stringify({ type: "checkin", confidence: 3 + (index % 5), stress: 7 - (index % 4) }));
  for (let turn = 0; turn < 2; turn++) {
    ws.send(
      JSON.stringify({
        type: "user_answer",
        answer: `In my last role I led the migration of our billing jobs to a queue; I measured p99 and cut it by ${40 + index * 7}%.`,
        metrics: { speakingRate: 120 + index * 9 + turn * 4, pauseRatio: 0.1 + index * 0.03, gaze: 60 + index * 4, fillers: (index + turn) % 5 },
      }),
    );
    await until("tips");
  }
  await until("session_ended");
  ws.close();
  return String(started.session_id);
}
