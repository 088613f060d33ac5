/**
 * Speaking to the console: Chromium's fake microphone plays espeak-ng speech ("Hello world." /
 * pause / "This is a test.", the speech worker's own fixture, with silence after it) into a
 * hands-free interview with the interviewer's voice on, against the real speech worker on its
 * tiny models (whose Whisper hears "hello world"). Then without a microphone, and with the
 * speech worker gone: the console says so in words and the interview goes on typed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, WEB_ROOT, launchChromium, startStack, stopEverything, type Stack } from "./harness.ts";

let stack: Stack;
let withMicrophone: BrowserContext;

/** The fixture's 16 kHz pcm16 samples with `seconds` of silence after them, as a WAV file. */
function speechWithSilence(file: string, seconds: number): void {
  const fixture = readFileSync(path.join(WEB_ROOT, "../gpu-worker/test/fixtures/audio/speech.wav"));
  const samples = Buffer.concat([fixture.subarray(44), Buffer.alloc(seconds * 16_000 * 2)]);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + samples.length, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(32_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(samples.length, 40);
  writeFileSync(file, Buffer.concat([header, samples]));
}

async function startInterview(page: Page, mode: RegExp, answers: number, hear: boolean): Promise<void> {
  await page.goto(`${stack.server.url}/`);
  await expect.poll(() => page.isEnabled("#start")).toBe(true);
  await page.getByLabel(mode).check();
  if (hear) await page.getByLabel(/Hear the interviewer/).check();
  await page.getByLabel("Number of answers (1–50)").fill(String(answers));
  await page.getByLabel(/I agree that my answers/).check();
  await page.getByRole("button", { name: "Start the interview" }).click();
}

beforeAll(async () => {
  stack = await startStack();
  const wav = path.join(stack.dir, "answer.wav");
  speechWithSilence(wav, 2);
  withMicrophone = await launchChromium(path.join(stack.dir, "profile-microphone"), [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-audio-capture=${wav}`,
    "--autoplay-policy=no-user-gesture-required",
  ]);
});

afterAll(stopEverything);

describe("a spoken interview", () => {
  it("hands-free: the answers are heard and transcribed, the interviewer speaks with captions, the session ends with its report", async () => {
    const page = await withMicrophone.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    // The socket's text frames, kept as a test artefact: what to read when this fails.
    const frames: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framereceived", (f) => void (typeof f.payload === "string" && frames.push(`in  ${f.payload.slice(0, 2000)}`)));
      ws.on("framesent", (f) => void (typeof f.payload === "string" && frames.push(`out ${f.payload.slice(0, 2000)}`)));
    });
    onTestFinished(() => writeFileSync(path.join(ARTIFACTS, "spoken-frames.log"), frames.join("\n")));
    await startInterview(page, /hands-free/, 2, true);
    const answers = page.locator("#transcript li.candidate p.text");
    await expect.poll(() => answers.count(), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    expect(await answers.first().textContent()).toMatch(/hello world/i);
    // A spoken answer's feedback has its delivery: the figures and the pace chart.
    await expect.poll(() => page.locator("#transcript .delivery").count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#transcript .pace-chart canvas[height]").count()).toBeGreaterThan(0);
    // The interviewer's audio came with its words: the caption holds them, one span each.
    await expect.poll(() => page.locator("#caption .spoken").count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-spoken.png"), fullPage: true });
    await expect.poll(() => page.isVisible("#report"), { timeout: 120_000 }).toBe(true);
    expect(await page.locator("#report-body .recap > li").count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("without voice", () => {
  it("no microphone: the console says so and the interview goes on typed", async () => {
    const page = await stack.browser.newPage();
    // A machine without a microphone: whether a headless Chromium grants, denies or leaves the
    // permission prompt pending varies between runs, so the page is given the refusal itself.
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
    });
    await startInterview(page, /push to talk/, 1, false);
    await expect.poll(() => page.textContent("#alert"), { timeout: 60_000 }).toContain("The microphone is not available");
    await expect.poll(() => page.isEnabled("#answer")).toBe(true);
    await page.getByLabel("Your answer").fill("I rewrote the deploy script and cut release time from an hour to ten minutes.");
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.isVisible("#report"), { timeout: 30_000 }).toBe(true);
    await page.close();
  });

  it("the speech worker gone: the console says speech is unavailable and the answer is typed", async () => {
    await stack.stopSpeech();
    const page = await withMicrophone.newPage();
    await startInterview(page, /hands-free/, 1, false);
    await expect.poll(() => page.textContent("#alert"), { timeout: 60_000 }).toContain("Speech is unavailable right now");
    expect(await page.isHidden("#voice")).toBe(true);
    await page.getByLabel("Your answer").fill("I moved our nightly jobs to a queue; failures dropped from five a week to none.");
    await page.getByRole("button", { name: "Send answer" }).click();
    await expect.poll(() => page.isVisible("#report"), { timeout: 30_000 }).toBe(true);
    await page.close();
  });
});
