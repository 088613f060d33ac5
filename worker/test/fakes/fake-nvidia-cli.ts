/**
 * Runs the fake NVIDIA server for `npm run dev`:
 *   npm run fake:nvidia -w @interview/worker            (port 8790, or FAKE_NVIDIA_PORT)
 * then give the Worker NVIDIA_API_KEY=fake and
 * NVIDIA_LLM_URL=http://127.0.0.1:8790/v1/chat/completions (e.g. in .dev.vars).
 * FAKE_NVIDIA_DELAY_MS adds latency to every call.
 */
import { startFakeNvidia } from "./fake-nvidia.ts";

const port = Number(process.env.FAKE_NVIDIA_PORT ?? 8790);
const defaultDelayMs = Number(process.env.FAKE_NVIDIA_DELAY_MS ?? 0) || 0;
const fake = await startFakeNvidia({ port, defaultDelayMs });
console.log(`fake NVIDIA chat completions on ${fake.chatUrl} (delay ${defaultDelayMs} ms); Ctrl-C to stop`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
