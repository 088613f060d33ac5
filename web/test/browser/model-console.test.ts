/**
 * The console with a model behind the Worker (the fake NVIDIA server, speaking the real
 * chat-completions protocol over HTTP): the question shows while the model is still writing it
 * (stream: true, `interviewer_delta`), is replaced by the finished question, and after an
 * answer the model's rubric (`feedback_rubric`) joins the coach's findings, its quotes taken
 * from the answer; the last answer's rubric, which comes after the end, joins the recap from
 * the session's report; the dashboard shows the stored rubric under the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startStack, stopEverything, type Stack } from "./harness.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ model: true });
});

afterAll(stopEverything);

const ANSWER = "I owned the checkout latency fix: I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";

describe("the console with a model", () => {
  it("shows the question while the model writes it, then the model's scores on the answer", async () => {
    const model = stack.model!;
    // The first question stops after its first words until the test has seen them on the page.
    model.script([
      { purpose: "question", times: 1, reply: { chunks: ["Tell me about ", "a time you ", "changed a plan halfway through?"], holdAfter: 2 } },
    ]);
    const page = await stack.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${stack.server.url}/`);
    await expect.poll(() => page.isEnabled("#start")).toBe(true);
    await page.getByLabel("Number of answers (1–50)").fill("2");
    await page.getByLabel(/I agree that my answers/).check();
    await page.getByRole("button", { name: "Start the interview" }).click();

    const writing = page.locator("#transcript li.interviewer.preview");
    await expect.poll(() => writing.count(), { timeout: 30_000 }).toBe(1);
    // The two deltas before the hold may reach the page one after the other.
    await expect.poll(() => writing.locator(".text").textContent()).toBe("Tell me about a time you ");
    model.release();

    const asked = page.locator("#transcript li.interviewer:not(.preview)");
    await expect.poll(() => asked.count(), { timeout: 30_000 }).toBe(1);
    expect(await writing.count()).toBe(0);
    expect(await asked.first().locator(".text").textContent()).toBe("Tell me about a time you changed a plan halfway through?");
    const calls = model.calls().filter((c) => c.purpose === "question");
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.stream)).toBe(true);

    await page.getByLabel("Your answer").fill(ANSWER);
    await page.getByRole("button", { name: "Send answer" }).click();
    const rubric = page.locator("#transcript li.candidate .rubric");
    await expect.poll(() => rubric.count(), { timeout: 30_000 }).toBe(1);
    const quotes = await rubric.locator("q").allTextContents();
    expect(quotes.length).toBeGreaterThan(0);
    // Every quote shown is the answer's own words.
    for (const quote of quotes) expect(ANSWER).toContain(quote);
    expect(await rubric.locator("li").count()).toBe(6);
    expect(await rubric.locator('[data-criterion="action"] .score').textContent()).toMatch(/^[1-5]\/5$/);

    // The interview ends. The last answer's rubric is held until well after the end, so it is
    // stored but never sent on the socket: the recap still shows it, read from the session's report.
    await expect.poll(() => page.isEnabled("#answer"), { timeout: 30_000 }).toBe(true);
    model.script([{ purpose: "rubric", match: "behind a flag", reply: { delayMs: 3_000 } }]);
    const last = "We rolled it out behind a flag over two weeks and watched the error rate.";
    await page.getByLabel("Your answer").fill(last);
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.isVisible("#report"), { timeout: 30_000 }).toBe(true);
    const recapRubrics = page.locator("#report-body .recap > li");
    expect(await recapRubrics.nth(1).locator(".rubric").count()).toBe(0);
    await expect.poll(() => recapRubrics.nth(1).locator(".rubric").count(), { timeout: 30_000 }).toBe(1);
    expect(await recapRubrics.nth(0).locator(".rubric q").allTextContents()).toEqual(quotes);
    for (const quote of await recapRubrics.nth(1).locator(".rubric q").allTextContents()) expect(last).toContain(quote.replace(/…$/u, ""));
    // The dashboard shows the stored rubric under the same answer.
    const sessionId = /Session (\S+)\.$/.exec((await page.textContent("#report-summary")) ?? "")?.[1] ?? "";
    expect(sessionId).not.toBe("");
    const deadline = Date.now() + 30_000;
    let stored = false;
    while (Date.now() < deadline && !stored) {
      const response = await fetch(`${stack.server.url}/export/session/${sessionId}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      const body = response.ok ? ((await response.json()) as { feedback: { turn: number; rubric: unknown }[] }) : null;
      stored = body?.feedback.some((f) => f.turn === 1 && f.rubric !== null) ?? false;
      if (!stored) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(stored).toBe(true);
    const dashboard = await stack.browser.newPage();
    dashboard.on("pageerror", (error) => errors.push(String(error)));
    await dashboard.goto(`${stack.server.url}/dashboard`);
    await dashboard.getByRole("textbox", { name: /Admin token/ }).fill(ADMIN_TOKEN);
    await dashboard.getByRole("button", { name: "Use token" }).click();
    const row = dashboard.locator(`#sessions-table tr[data-session="${sessionId}"]`);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.getByRole("button", { name: /Open session/ }).click();
    const storedRubric = dashboard.locator("#detail-transcript li.candidate").first().locator(".rubric");
    await expect.poll(() => storedRubric.count()).toBe(1);
    expect(await storedRubric.locator("q").allTextContents()).toEqual(quotes);
    expect(errors).toEqual([]);
    await dashboard.close();
    await page.close();
  });
});
