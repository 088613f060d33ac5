/**
 * Every test project of the Worker, in one configuration. `npm test` runs all but the fault
 * suite (`--project '!stress-*'`); `npm run test:stress` runs the fault suite
 * (test/stress/README.md); one project: `npx vitest run --project <name> [files]`.
 *
 * In Node:
 * - engine: the pure interview engine.
 * - node: storage on libSQL, statistics, the export CLI, the routes' validation hook.
 * - model: the NVIDIA model adapter against the fake server on loopback.
 * - health: the dependency breakers (fake health object, manual clock).
 * - speech: delivery metrics, the speech client's requests and error mapping, the TTS cache.
 *
 * Inside workerd (miniflare with the production wrangler.toml, D1 migrations applied by a
 * setup file; bindings differ per project, and an interview object reads its own bindings,
 * so each set of bindings is a project):
 * - workerd: the Worker and its Durable Objects. Client groups on: tests label sessions.
 * - workerd-study: the study's defences with the deployment defaults (ALLOW_CLIENT_GROUP unset).
 * - workerd-llm: the interview with the model on, against the fake NVIDIA server a global
 *   setup starts in Node; its URL reaches the Worker through bindings (`inject`). One file at a
 *   time: they share the fake's script. The answer's rubric call is off here (COACH_RUBRIC),
 *   so these tests count and order the turn's own calls; it has its own project:
 * - workerd-llm-rubric: the model on with its rubric call, against a fake of its own.
 * - workerd-speech: /stt, /tts and audio answers against the REAL speech worker (gpu-worker's
 *   app on tiny generated models, started by a global setup); the espeak-ng WAV fixtures travel
 *   as bindings (base64), since code in workerd cannot read files.
 * - workerd-voice-llm: voice with the model on: the real speech worker and the fake NVIDIA server
 *   (both global setups), for questions voiced while the model streams them. Its model deadline
 *   is long, as the tests hold the fake's stream open until they have seen audio.
 * - workerd-voice-fleet: voice with TWO real speech worker processes the tests kill and restart.
 *
 * The fault suite, one project after another (`sequence.groupOrder`) so a 2-core machine is
 * not asked to host a thousand sockets while a speech worker restarts; nothing in it asserts
 * elapsed time, its timeouts only bound waiting:
 * - stress-d1: object resets mid-replication, a D1 outage, many interviews opening at once.
 * - stress-llm: the model hanging for every interview (NVIDIA_LLM_TIMEOUT = 1 s).
 * - stress-speech: the real speech worker as a child process the tests kill and restart.
 * - stress-restart: in Node, a real `wrangler dev` killed and restarted between turns.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");
const wrangler = { configPath: path.join(root, "wrangler.toml") };
const audioFixture = (name: string) => readFileSync(path.join(root, "gpu-worker/test/fixtures/audio", name)).toString("base64");

/** Short, so the model's failure-mode tests reach the deadline quickly (turn times are in bench/llm-turn.bench.ts). */
const LLM_TEST_TIMEOUT_S = "1";
/** Long: the voice tests hold the model's stream open until they see audio (the hold, not this, orders events). */
const VOICE_LLM_TIMEOUT_S = "20";

/** The fake NVIDIA server's URL (test/fakes/fake-nvidia-setup.ts) as the Worker's model settings. */
function fakeNvidia(fakeUrl: string, timeoutSeconds: string, rubric: "on" | "off" = "off"): Record<string, string> {
  return {
    COACH_RUBRIC: rubric,
    NVIDIA_API_KEY: "test-key",
    NVIDIA_LLM_URL: `${fakeUrl}/v1/chat/completions`,
    NVIDIA_LLM_MODEL: "test/fake-model",
    NVIDIA_LLM_TIMEOUT: timeoutSeconds,
    FAKE_NVIDIA_URL: fakeUrl,
  };
}

/** The real speech worker of test/speech-workerd/speech-worker-setup.ts, and a URL nothing answers, as the Worker's speech settings. */
function speechBindings(speechUrl: string, closedUrl: string): Record<string, string> {
  return {
    SPEECH_WORKER_URL: speechUrl,
    SPEECH_API_KEY: "speech-test-key",
    CLOSED_SPEECH_URL: closedUrl,
    SPEECH_WAV_BASE64: audioFixture("speech.wav"),
  };
}

const nodeProjects: TestProjectInlineConfiguration[] = [
  { test: { name: "engine", include: ["test/engine/**/*.test.ts"] } },
  { test: { name: "node", include: ["test/storage/**/*.test.ts", "test/stats/**/*.test.ts", "test/scripts/**/*.test.ts", "test/routes/**/*.test.ts"] } },
  { test: { name: "model", include: ["test/model/**/*.test.ts"], testTimeout: 15_000 } },
  { test: { name: "health", include: ["test/health/**/*.test.ts"], testTimeout: 15_000 } },
  { test: { name: "speech", include: ["test/speech/**/*.test.ts"] } },
];

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  /** What every workerd project's Worker gets; `ALLOW_CLIENT_GROUP` on because tests label sessions with a group. */
  const testBindings = { ENVIRONMENT: "test", ALLOW_CLIENT_GROUP: "true", TEST_MIGRATIONS: migrations };
  const migrated = { setupFiles: ["./test/workerd/apply-migrations.ts"] };
  /** A project whose Worker calls the fake NVIDIA server, one file at a time (each scripts the fake). */
  const llmProject = (name: string, include: string, rubric: "on" | "off"): TestProjectInlineConfiguration => ({
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler,
        miniflare: { bindings: { ...testBindings, ...fakeNvidia(inject<string>("fakeNvidiaUrl"), LLM_TEST_TIMEOUT_S, rubric) } },
      })),
    ],
    test: { name, include: [include], globalSetup: ["./test/fakes/fake-nvidia-setup.ts"], ...migrated, fileParallelism: false, testTimeout: 20_000 },
  });

  const workerdProjects: TestProjectInlineConfiguration[] = [
    {
      plugins: [cloudflareTest({ wrangler, miniflare: { bindings: testBindings } })],
      test: {
        name: "workerd",
        include: ["test/workerd/**/*.test.ts"],
        // Those run with the model switched on, in workerd-llm and workerd-llm-rubric.
        exclude: ["test/workerd/llm-*.test.ts", "test/workerd/rubric-*.test.ts"],
        ...migrated,
        testTimeout: 20_000,
      },
    },
    {
      plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ENVIRONMENT: "test", TEST_MIGRATIONS: migrations } } })],
      test: { name: "workerd-study", include: ["test/workerd-study/**/*.test.ts"], ...migrated, testTimeout: 20_000 },
    },
    // workerd-llm counts and orders a turn's own model calls, so the rubric call is off there.
    llmProject("workerd-llm", "test/workerd/llm-*.test.ts", "off"),
    llmProject("workerd-llm-rubric", "test/workerd/rubric-*.test.ts", "on"),
    {
      plugins: [
        cloudflareTest(({ inject }) => ({
          wrangler,
          miniflare: {
            bindings: {
              ...testBindings,
              ...speechBindings(inject<string>("speechWorkerUrl"), inject<string>("closedSpeechUrl")),
              SPEECH_22K_WAV_BASE64: audioFixture("speech-22k.wav"),
            },
          },
        })),
      ],
      test: {
        name: "workerd-speech",
        include: ["test/speech-workerd/**/*.test.ts"],
        globalSetup: ["./test/speech-workerd/speech-worker-setup.ts"],
        setupFiles: ["./test/workerd/apply-migrations.ts", "./test/speech-workerd/forget-speech-health.ts"],
        testTimeout: 20_000,
        hookTimeout: 60_000,
      },
    },
    {
      plugins: [
        cloudflareTest(({ inject }) => ({
          wrangler,
          miniflare: {
            bindings: {
              ...testBindings,
              ...fakeNvidia(inject<string>("fakeNvidiaUrl"), VOICE_LLM_TIMEOUT_S),
              ...speechBindings(inject<string>("speechWorkerUrl"), inject<string>("closedSpeechUrl")),
            },
          },
        })),
      ],
      test: {
        name: "workerd-voice-llm",
        include: ["test/voice-llm/**/*.test.ts"],
        globalSetup: ["./test/speech-workerd/speech-worker-setup.ts", "./test/fakes/fake-nvidia-setup.ts"],
        setupFiles: ["./test/workerd/apply-migrations.ts", "./test/speech-workerd/forget-speech-health.ts"],
        fileParallelism: false,
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    },
    {
      plugins: [
        cloudflareTest(({ inject }) => ({
          wrangler,
          miniflare: {
            bindings: {
              ...testBindings,
              SPEECH_WORKER_URL: inject<string>("fleetSpeechUrls"),
              SPEECH_API_KEY: inject<string>("fleetSpeechKey"),
              FLEET_CONTROL_URL: inject<string>("fleetControlUrl"),
              SPEECH_WAV_BASE64: inject<string>("fleetSpeechWav"),
            },
          },
        })),
      ],
      test: {
        name: "workerd-voice-fleet",
        include: ["test/voice-fleet/**/*.test.ts"],
        globalSetup: ["./test/voice-fleet/speech-fleet-setup.ts"],
        ...migrated,
        fileParallelism: false,
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    },
  ];

  // Bounds on waiting only: nothing in the fault suite asserts elapsed time.
  const stress = { ...migrated, testTimeout: 300_000, hookTimeout: 120_000, fileParallelism: false };
  const stressProjects: TestProjectInlineConfiguration[] = [
    {
      plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ...testBindings, STRESS_SOCKETS: process.env.STRESS_SOCKETS ?? "1000" } } })],
      test: { name: "stress-d1", include: ["test/stress/d1-*.test.ts", "test/stress/crowd.test.ts"], sequence: { groupOrder: 1 }, ...stress },
    },
    {
      plugins: [cloudflareTest(({ inject }) => ({ wrangler, miniflare: { bindings: { ...testBindings, ...fakeNvidia(inject<string>("fakeNvidiaUrl"), "1") } } }))],
      test: { name: "stress-llm", include: ["test/stress/llm-*.test.ts"], globalSetup: ["./test/fakes/fake-nvidia-setup.ts"], sequence: { groupOrder: 2 }, ...stress },
    },
    {
      plugins: [
        cloudflareTest(({ inject }) => ({
          wrangler,
          miniflare: {
            bindings: {
              ...testBindings,
              SPEECH_WORKER_URL: inject<string>("stressSpeechUrl"),
              SPEECH_API_KEY: inject<string>("stressSpeechKey"),
              SPEECH_CONTROL_URL: inject<string>("stressSpeechControlUrl"),
              SPEECH_WAV_BASE64: inject<string>("stressSpeechWav"),
            },
          },
        })),
      ],
      test: { name: "stress-speech", include: ["test/stress/speech-*.test.ts"], globalSetup: ["./test/stress/speech-worker-control.ts"], sequence: { groupOrder: 3 }, ...stress },
    },
    {
      // In Node against a real `wrangler dev` (test/stress/dev-restart.test.ts).
      test: { name: "stress-restart", include: ["test/stress/dev-restart.test.ts"], sequence: { groupOrder: 4 }, testTimeout: 300_000, hookTimeout: 180_000 },
    },
  ];

  return {
    test: {
      // The faults make the Worker log its expected failures (replication retries, model
      // timeouts, the speech worker unreachable); STRESS_VERBOSE=1 shows them.
      onConsoleLog: (_log: string, type: "stdout" | "stderr", entity?: { project: { name: string } }) =>
        type === "stderr" && !process.env.STRESS_VERBOSE && entity?.project.name.startsWith("stress-") ? false : undefined,
      projects: [...nodeProjects, ...workerdProjects, ...stressProjects],
    },
  };
});
