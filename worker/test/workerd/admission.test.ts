/**
 * Admission: session starts are counted per client address by the SESSION_STARTS rate
 * limiter (20 a minute, wrangler.toml), restarts on one socket included; a refused start
 * gets `rate_limited` with a retry hint and changes nothing. Addresses are counted apart.
 * Model turns per session per minute are capped by the engine (engine tests cover the
 * window); here the cap is seen end to end.
 */
import { describe, expect, it } from "vitest";
import { MODEL_TURNS_PER_MINUTE, SESSION_STARTS_PERIOD_SECONDS } from "@interview/shared";
import { connect, interviewOf, startInterview, type TestSocket } from "./socket-client.ts";

describe("admission", () => {
  it("refuses the 21st session start from one address within a minute, restarts included, with a retry hint", async () => {
    const ip = { "CF-Connecting-IP": "203.0.113.9" };
    const startOn = async (socket: TestSocket) => {
      socket.send({ type: "start_session", maxQuestions: 3 });
      const started = await socket.next("session_started");
      await socket.next("question");
      return started;
    };
    const first = await connect("", ip);
    await first.next("session_ready");
    await startOn(first);
    const running = await startOn(first); // a restart on the same socket counts too
    const others: TestSocket[] = [];
    for (let i = 0; i < 18; i++) {
      const socket = await connect("", ip);
      await socket.next("session_ready");
      await startOn(socket);
      others.push(socket);
    }
    first.send({ type: "start_session", maxQuestions: 3 });
    const refused = await first.next("error");
    expect(refused).toMatchObject({ code: "rate_limited", retryAfter: SESSION_STARTS_PERIOD_SECONDS });
    expect(refused.message).toMatch(/Too many interviews started from this address/);
    // The session already running is untouched: it still takes answers.
    first.send({ type: "user_answer", answer: "I kept going with 2 teams." });
    expect(await first.next("tips")).toMatchObject({ turn: 1 });
    expect(await interviewOf(running.resumeToken).checkSession(running.session_id, running.resumeToken)).toBe("ok");

    // Another address is counted on its own.
    const other = await connect("", { "CF-Connecting-IP": "198.51.100.4" });
    await other.next("session_ready");
    await startOn(other);
    for (const socket of [first, other, ...others]) socket.close();
  });

  it("caps model turns per session per minute; the refused answer is not counted and the turn stays", async () => {
    const { socket } = await startInterview({ consent: false });
    for (let turn = 1; turn <= MODEL_TURNS_PER_MINUTE; turn++) {
      socket.send({ type: "user_answer", answer: `Answer ${turn}: we cut costs by 10%.` });
      const frames = await socket.collectUntil("question");
      expect(frames[0]).toMatchObject({ type: "tips", turn });
      if (frames.at(-1)!.source === "follow_up") await socket.next("interviewer_message");
    }
    socket.send({ type: "user_answer", answer: "One too many." });
    const refused = await socket.next("error");
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    socket.send({ type: "ping" });
    await socket.next("pong");
    socket.close();
  });
});
