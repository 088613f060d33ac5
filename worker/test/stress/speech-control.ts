/**
 * Inside workerd: the speech worker's kill switch (the control server of
 * speech-worker-control.ts) and audio answers sent through the Worker's own entry point.
 */
import { env, exports } from "cloudflare:workers";

interface SpeechStressBindings {
  SPEECH_CONTROL_URL: string;
  SPEECH_WAV_BASE64: string;
}

const bindings = env as unknown as SpeechStressBindings;

export interface SpeechWorkerState {
  running: boolean;
  pid: number | null;
  starts: number;
  held: number;
}

async function control(method: "GET" | "POST", action: string): Promise<SpeechWorkerState> {
  const response = await fetch(`${bindings.SPEECH_CONTROL_URL}/${action}`, { method });
  const body = (await response.json()) as SpeechWorkerState & { error?: string };
  if (!response.ok) throw new Error(`speech worker control /${action} failed: ${body.error}`);
  return body;
}

export const speechWorker = {
  start: () => control("POST", "start"),
  kill: () => control("POST", "kill"),
  hold: () => control("POST", "hold"),
  release: () => control("POST", "release"),
  state: () => control("GET", "state"),
};

/** espeak-ng, 16 kHz: "Hello world." / 1 s pause / "This is a test." The tiny Whisper hears "hello world". */
function speechWav(): Uint8Array<ArrayBuffer> {
  const binary = atob(bindings.SPEECH_WAV_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const SPOKEN = "hello world";

/** POST /sessions/:id/answers/audio with the session's resume token, answering question `turn`. */
export async function sendAudioAnswer(sessionId: string, token: string, turn: number): Promise<Response> {
  const form = new FormData();
  form.append("file", new File([speechWav()], "answer.wav", { type: "audio/wav" }));
  form.append("turn", String(turn));
  return exports.default.fetch(`http://interview.test/sessions/${encodeURIComponent(sessionId)}/answers/audio`, {
    method: "POST",
    body: form,
    headers: { Authorization: `Bearer ${token}` },
  });
}
