/**
 * The console and the dashboard in Debian's Chromium against a real `wrangler dev`: the API
 * is not shadowed by the static assets; a full typed interview with tips, a check-in, a
 * clarification, a style switch and a connection dropped while an answer is on its way (the
 * console reconnects with its resume token and lastSeq, re-sends the answer, and carries on);
 * then the dashboard, refusing a missing and a wrong token, showing that interview's numbers,
 * transcript, timeline, comments, exports, and deleting a session. Screenshots go to
 * web/test-artifacts/.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ADMIN_TOKEN, ARTIFACTS, startStack, stopEverything, type Stack } from "./harness.ts";
import { playSeedInterview } from "./seed-sessions.ts";

const ANSWERS = [
  "When our checkout service kept timing out, I owned the investigation: I traced it to a slow query, added an index and a cache, and p99 fell from 2 s to 300 ms.",
  "My part was the rollout plan: three stages behind a flag over two weeks, with a dashboard the on-call team watched.",
  "I learned to measure first. Next time I would add the latency alert before the launch, not after.",
];

let stack: Stack;
let sessionId = "";

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A new page on the console, ready to start, with its page errors collected. */
async function consolePage(): Promise<{ page: Page; errors: string[] }> {
  const page = await stack.browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${stack.server.url}/`);
  await expect.poll(() => page.textContent("#connection")).toBe("Connected.");
  await expect.poll(() => page.isEnabled("#start")).toBe(true);
  return { page, errors };
}

/** Fills the setup form for a consented interview of `answers` answers on our own question. */
async function setUp(page: Page, answers: number): Promise<void> {
  await page.getByLabel("Number of answers (1–50)").fill(String(answers));
  await page.getByLabel(/Your own questions/).fill("Tell me about a time you fixed a slow service.");
  await page.getByLabel(/I agree that my answers/).check();
}

beforeAll(async () => {
  stack = await startStack();
});

afterAll(stopEverything);

describe("served by the Worker", () => {
  it("the pages come from the static assets and every API path still reaches the Worker", async () => {
    const base = stack.server.url;
    const console = await fetch(`${base}/`);
    expect(console.headers.get("content-type")).toContain("text/html");
    expect(await console.text()).toContain("Interview practice");
    const dashboard = await fetch(`${base}/dashboard`);
    expect(dashboard.headers.get("content-type")).toContain("text/html");
    expect(await dashboard.text()).toContain("Research dashboard");

    const health = await fetch(`${base}/health`);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const upgrade = await fetch(`${base}/ws/interview`);
    expect(upgrade.status).toBe(426);
    expect(await upgrade.json()).toMatchObject({ code: "upgrade_required" });
    for (const api of ["/sessions", "/metrics/summary", "/export/session/none", "/comments/none"]) {
      const response = await fetch(`${base}${api}`);
      expect(response.status, api).toBe(401);
      expect(response.headers.get("content-type"), api).toContain("application/json");
    }
    const unknown = await fetch(`${base}/no-such-page`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not_found" });
  });
});

describe("the interview console", () => {
  it("runs a full typed interview, carries on after a dropped connection, and ends with a printable recap", async () => {
    const { page, errors } = await consolePage();
    await page.getByLabel("Interviewer style").selectOption("supportive");
    await setUp(page, 3);
    await page.getByRole("button", { name: "Start the interview" }).click();

    const interviewer = page.locator("#transcript li.interviewer");
    await expect.poll(() => interviewer.count()).toBe(1);
    expect(await interviewer.first().textContent()).toContain("Tell me about a time you fixed a slow service.");

    // Answer 1, by keyboard (Ctrl+Enter).
    await page.getByLabel("Your answer").fill(ANSWERS[0]!);
    await page.getByLabel("Your answer").press("Control+Enter");
    await expect.poll(() => page.locator("#transcript .tips").count()).toBe(1);
    await expect.poll(() => interviewer.count()).toBe(2);
    // The coach's feedback: its evidence marked in the answer's own text, which stays whole.
    const firstAnswer = page.locator("#transcript li.candidate").first();
    await expect.poll(() => firstAnswer.locator(".coach").count()).toBe(1);
    expect(await firstAnswer.locator("p.text").textContent()).toBe(ANSWERS[0]);
    const numbers = await firstAnswer.locator("mark.evidence[data-kinds~=number]").allTextContents();
    expect(numbers.join(" ")).toContain("300");
    expect(await firstAnswer.locator(".checklist").textContent()).toContain("Numbers:");

    // Check in, clarify, switch style.
    await page.getByText("Ask, switch style, check in").click();
    await page.getByLabel("Confidence (0–10)").fill("7");
    await page.getByLabel("Stress (0–10)").fill("4");
    await page.getByRole("button", { name: "Check in" }).click();
    await expect.poll(() => page.locator("#transcript li.system", { hasText: "Check-in saved." }).count()).toBe(1);
    await page.getByLabel("Ask the interviewer to clarify").fill("What do you mean by impact?");
    await page.getByRole("button", { name: "Ask" }).click();
    await expect.poll(() => page.locator("#transcript li.interviewer", { hasText: "Clarification" }).count()).toBe(1);
    const beforeSwitch = await interviewer.count();
    await page.getByLabel("Switch the interviewer's style").selectOption("cold");
    await page.getByRole("button", { name: "Switch" }).click();
    await expect.poll(() => page.locator("#transcript li.system", { hasText: "The interviewer is now cold." }).count()).toBe(1);
    await expect.poll(() => interviewer.count()).toBe(beforeSwitch + 1);
    await shot(page, "console-interview");

    // Answer 2 leaves and the connection drops at once, before any reply: the console
    // reconnects by itself, re-sends the unacknowledged answer, and the replies come once.
    await page.getByLabel("Your answer").fill(ANSWERS[1]!);
    const dropped = await page.evaluate(() => {
      const handle = (window as unknown as { interviewConsole: { connection: { current: WebSocket | null } } }).interviewConsole;
      const socket = handle.connection.current;
      (document.getElementById("send-answer") as HTMLButtonElement).click();
      socket?.close(4000, "dropped by the test");
      return socket !== null;
    });
    expect(dropped).toBe(true);
    await expect.poll(() => page.textContent("#connection"), { timeout: 30_000 }).toBe("Reconnected; the interview carries on.");
    await expect.poll(() => page.locator("#transcript .tips").count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.isEnabled("#answer")).toBe(true);

    await page.getByLabel("Your answer").fill(ANSWERS[2]!);
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.isVisible("#report"), { timeout: 30_000 }).toBe(true);
    expect(await page.locator("#report-body .recap > li").count()).toBe(3);
    // The coach's report, with a row per answer.
    expect(await page.locator("#report-body .coach-report tbody tr").count()).toBe(3);
    expect(await page.locator("#report-body .recap mark.evidence").count()).toBeGreaterThan(0);
    const summary = (await page.textContent("#report-summary")) ?? "";
    expect(summary).toContain("3 answers");
    expect(summary).toContain("supportive → cold");
    sessionId = /Session (\S+)\.$/.exec(summary)?.[1] ?? "";
    expect(sessionId).not.toBe("");
    await shot(page, "console-report");
    // Printing shows the recap alone.
    await page.emulateMedia({ media: "print" });
    expect(await page.isVisible("#setup-form")).toBe(false);
    expect(await page.isVisible("#report-body")).toBe(true);
    await page.emulateMedia({ media: "screen" });

    // A phone-sized screen: the setup form fits without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("button", { name: "Start another interview" }).click();
    await expect.poll(() => page.isVisible("#setup-form")).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(page, "console-phone");
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("the research dashboard", () => {
  it("refuses without the right token, then shows the interview's numbers, transcript and timeline; comments, exports and deletes", async () => {
    expect(sessionId).not.toBe("");
    const wsUrl = `${stack.server.url.replace("http", "ws")}/ws/interview`;
    const seeded: string[] = [];
    for (let i = 0; i < 5; i++) seeded.push(await playSeedInterview(wsUrl, i));

    // Ended sessions are flushed to D1 at once; wait until the console's three answers are there.
    const deadline = Date.now() + 30_000;
    let answers = 0;
    while (Date.now() < deadline && answers < 3) {
      const response = await fetch(`${stack.server.url}/export/session/${sessionId}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (response.ok) answers = ((await response.json()) as { answers: unknown[] }).answers.length;
      if (answers < 3) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Each answer once, the dropped one included.
    expect(answers).toBe(3);

    const page = await stack.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${stack.server.url}/dashboard`);
    await expect.poll(() => page.textContent("#alert")).toContain("This needs the admin token");
    await page.getByRole("textbox", { name: /Admin token/ }).fill("not-the-token");
    await page.getByRole("button", { name: "Use token" }).click();
    await expect.poll(() => page.textContent("#alert")).toContain("The server refused this token");
    await page.getByRole("textbox", { name: /Admin token/ }).fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Use token" }).click();
    await expect.poll(() => page.isVisible("#alert")).toBe(false);

    const counts = page.locator("#study-counts");
    // The alert's text in place of the figures, should a refusal come instead.
    await expect.poll(async () => (await counts.textContent()) || (await page.textContent("#alert"))).toMatch(/Control: \d+ sessions/);
    const text = (await counts.textContent()) ?? "";
    const sessions = [...text.matchAll(/(\d+) sessions/g)].slice(0, 2).map((m) => Number(m[1]));
    expect(sessions[0]! + sessions[1]!).toBe(6);
    await expect.poll(() => page.locator('#metric-charts [data-metric="speaking_rate"] canvas').count()).toBe(1);
    await expect.poll(() => page.locator('#metric-charts [data-metric="confidence"]').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-study.png") });

    // The console's session in the list, then its detail.
    const row = page.locator(`#sessions-table tr[data-session="${sessionId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator("td").nth(5).textContent()).toBe("3");
    await row.getByRole("button", { name: /Open session/ }).click();
    await expect.poll(() => page.isVisible("#detail")).toBe(true);
    expect(await page.locator("#detail-transcript li.candidate").count()).toBe(3);
    expect(await page.locator("#detail-transcript .tips").count()).toBe(3);
    // The coach's stored feedback marks the answers; the report comes from its route.
    expect(await page.locator("#detail-transcript .coach").count()).toBe(3);
    expect(await page.locator("#detail-transcript mark.evidence").count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#detail-report .coach-report tbody tr").count()).toBe(3);
    expect(await page.textContent("#detail-transcript")).toContain(ANSWERS[1]);
    expect(await page.textContent("#detail-checkins")).toContain("7");
    expect(await page.locator("#timeline-chart").getAttribute("height")).not.toBeNull();

    await page.getByLabel("Comment").fill("Clear STAR structure in answer 1.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await expect.poll(() => page.textContent("#comments")).toContain("Clear STAR structure in answer 1.");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV (answers)" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(4);
    expect(csv).toContain(ANSWERS[2]);
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    expect((JSON.parse(readFileSync((await json.path())!, "utf8")) as { answers: unknown[] }).answers).toHaveLength(3);
    await page.locator("#main").evaluate(() => window.scrollTo(0, 0));
    await shot(page, "dashboard");

    // Delete one of the seeded sessions from its detail view.
    const victim = seeded[0]!;
    await page.locator(`#sessions-table tr[data-session="${victim}"]`).getByRole("button", { name: /Open session/ }).click();
    await expect.poll(() => page.textContent("#detail-title")).toBe(`Session ${victim}`);
    await page.getByRole("button", { name: "Delete this session" }).click();
    await expect.poll(() => page.textContent("#alert")).toContain(`Session ${victim} was deleted.`);
    expect(await page.locator(`#sessions-table tr[data-session="${victim}"]`).count()).toBe(0);
    const gone = await fetch(`${stack.server.url}/export/session/${victim}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(gone.status).toBe(404);

    // The list a page at a time, then by arm: five sessions are left.
    const rows = page.locator("#sessions-table tbody tr");
    const rowIds = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-session")));
    await page.getByLabel("Per page (1–100)").fill("2");
    await page.getByRole("button", { name: "List", exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.isVisible("#sessions-more")).toBe(false);
    const everyId = await rowIds();
    expect(new Set(everyId).size).toBe(5);
    await page.getByLabel("Per page (1–100)").fill("100");
    const byArm: Record<string, (string | null)[]> = {};
    for (const arm of ["control", "treatment"]) {
      await page.locator("#list-group").selectOption(arm);
      await Promise.all([
        page.waitForResponse((response) => response.url().includes(`group=${arm}`)),
        page.getByRole("button", { name: "List", exact: true }).click(),
      ]);
      const armsShown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[2]?.textContent ?? ""));
      await expect.poll(async () => (await armsShown()).every((text) => text.startsWith(`${arm} (`))).toBe(true);
      byArm[arm] = await rowIds();
    }
    expect([...byArm.control!, ...byArm.treatment!].sort()).toEqual([...everyId].sort());
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("reloading the console", () => {
  it("resumes the interview in the reloaded page: the transcript is drawn again, an answer in flight is not lost or doubled", async () => {
    const { page, errors } = await consolePage();
    await setUp(page, 3);
    await page.getByRole("button", { name: "Start the interview" }).click();
    const interviewer = page.locator("#transcript li.interviewer");
    await expect.poll(() => interviewer.count()).toBe(1);

    await page.getByLabel("Your answer").fill(ANSWERS[0]!);
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.locator("#transcript .tips").count()).toBe(1);
    await expect.poll(() => interviewer.count()).toBe(2);
    await page.getByText("Ask, switch style, check in").click();
    await page.getByLabel("Ask the interviewer to clarify").fill("What do you mean by impact?");
    await page.getByRole("button", { name: "Ask" }).click();
    await expect.poll(() => page.locator("#transcript li.interviewer", { hasText: "Clarification" }).count()).toBe(1);

    // An answer is sent but never reaches the server (its frame is swallowed), and the page
    // reloads: the answer kept in the tab is sent again by the reloaded page.
    await page.getByLabel("Your answer").fill(ANSWERS[1]!);
    await page.evaluate(() => {
      const handle = (window as unknown as { interviewConsole: { connection: { current: WebSocket | null } } }).interviewConsole;
      handle.connection.current!.send = () => undefined;
      (document.getElementById("send-answer") as HTMLButtonElement).click();
    });
    expect(await page.evaluate(() => sessionStorage.getItem("interview.session"))).toContain(ANSWERS[1]);
    await page.reload();

    // The reloaded page resumes: the whole conversation again, then the answer's replies once.
    await expect.poll(() => page.textContent("#connection"), { timeout: 30_000 }).toBe("Reconnected; the interview carries on.");
    await expect.poll(() => page.locator("#transcript .tips").count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => page.isEnabled("#answer")).toBe(true);
    const candidate = page.locator("#transcript li.candidate p.text");
    expect(await candidate.allTextContents()).toEqual([ANSWERS[0], ANSWERS[1]]);
    expect(await page.locator("#transcript li.system", { hasText: "You asked: What do you mean by impact?" }).count()).toBe(1);
    expect(await interviewer.count()).toBe(4);

    await page.getByLabel("Your answer").fill(ANSWERS[2]!);
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.isVisible("#report"), { timeout: 30_000 }).toBe(true);
    expect(await page.locator("#report-body .recap > li").count()).toBe(3);
    const summary = (await page.textContent("#report-summary")) ?? "";
    expect(summary).toContain("3 answers");
    const reloadedSession = /Session (\S+)\.$/.exec(summary)?.[1] ?? "";
    expect(reloadedSession).not.toBe("");

    const deadline = Date.now() + 30_000;
    let stored: string[] = [];
    while (Date.now() < deadline && stored.length < 3) {
      const response = await fetch(`${stack.server.url}/export/session/${reloadedSession}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (response.ok) stored = ((await response.json()) as { answers: { answer: string }[] }).answers.map((a) => a.answer);
      if (stored.length < 3) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(stored).toEqual(ANSWERS);

    // Once it has ended, a reload starts afresh.
    await page.reload();
    await expect.poll(() => page.isEnabled("#start")).toBe(true);
    expect(await page.isVisible("#setup-form")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a kept session the server will not resume gives way to a new interview, said in words", async () => {
    const { page } = await consolePage();
    await page.evaluate(() =>
      sessionStorage.setItem("interview.session", JSON.stringify({ sessionId: "gone", resumeToken: "not-a-session-token", sent: [], acknowledged: [] })),
    );
    await page.reload();
    await expect.poll(() => page.textContent("#alert"), { timeout: 30_000 }).toContain("could not be resumed");
    await expect.poll(() => page.isEnabled("#start")).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("interview.session"))).toBeNull();
    await page.close();
  });
});
