/**
 * Every variable the Worker reads, validated with zod, so a typo in the dashboard or in
 * `wrangler.toml` fails loudly with the variable's name instead of quietly becoming a
 * default (a bad `NVIDIA_LLM_TIMEOUT` used to turn into 12 s without a word).
 *
 * Workers have no start-up hook: `settingsGate` (app.ts) checks the bindings on the first
 * request an isolate serves with them, remembers the verdict for that bindings object, and
 * while they are invalid answers every request 503 with a message that names no variable
 * (an anonymous caller learns nothing about the configuration) and logs one JSON line,
 * `config_invalid`, naming each bad variable and why.
 *
 * An empty value means unset, as it always has. Bindings (DB, the Durable Object namespaces,
 * rate limiters) are not checked here: wrangler refuses a deploy without them.
 */
import * as z from "zod";

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false"], { error: 'must be "true" or "false"' }));

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

const noSpaces = z.string().regex(/^\S+$/, { error: "must not contain spaces" });

export const SettingsSchema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "staging", "production"], { error: "must be development, test, staging or production" }).optional(),
  ALLOW_CLIENT_GROUP: flag.optional(),
  REQUIRE_REGISTERED_PARTICIPANT: flag.optional(),
  RATE_LIMITS: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).optional(),
  ADMIN_TOKEN: noSpaces.min(16, { error: "must be at least 16 characters (use `openssl rand -hex 32`)" }).optional(),
  CORS_ORIGINS: z
    .string()
    .refine(
      (value) =>
        value
          .split(",")
          .map((o) => o.trim().replace(/\/+$/, ""))
          .filter((o) => o !== "")
          .every((o) => o === "*" || isOrigin(o)),
      { error: "must be a comma-separated list of origins (https://app.example.org) or *" },
    )
    .optional(),
  NVIDIA_API_KEY: noSpaces.optional(),
  NVIDIA_LLM_MODEL: noSpaces.optional(),
  NVIDIA_LLM_URL: httpUrl.optional(),
  NVIDIA_LLM_TIMEOUT: z
    .string()
    .trim()
    .pipe(z.coerce.number<string>({ error: "must be a number of seconds" }).min(0.1, { error: "must be at least 0.1 (seconds)" }).max(120, { error: "must be at most 120 (seconds)" }))
    .optional(),
  SPEECH_WORKER_URL: z
    .string()
    .refine((value) => value.split(",").every((one) => one.trim() === "" || httpUrl.safeParse(one.trim()).success), {
      error: "must be an http(s) URL, or several separated by commas",
    })
    .optional(),
  SPEECH_API_KEY: noSpaces.optional(),
  COACH: z.enum(["seed", "evidence"], { error: 'must be "seed" or "evidence"' }).optional(),
  COACH_RUBRIC: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).optional(),
});

export type SettingName = keyof typeof SettingsSchema.shape;

/** One bad variable: its name and what is wrong (never its value: it may be a secret). */
export interface SettingProblem {
  variable: SettingName | string;
  problem: string;
}

/** Checks the bindings' variables; [] when all are valid. */
export function settingsProblems(env: object): SettingProblem[] {
  const present: Record<string, unknown> = {};
  for (const name of Object.keys(SettingsSchema.shape)) {
    const value = (env as Record<string, unknown>)[name];
    if (value !== undefined && value !== "") present[name] = value;
  }
  const parsed = SettingsSchema.safeParse(present);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "?"), problem: issue.message }));
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

const verdicts = new WeakMap<object, SettingProblem[]>();

/**
 * The verdict for one bindings object, checked once and logged once (the runtime hands an
 * isolate the same object for every request, so this runs once per isolate).
 */
export function checkSettingsOnce(env: object): SettingProblem[] {
  let problems = verdicts.get(env);
  if (problems === undefined) {
    problems = settingsProblems(env);
    verdicts.set(env, problems);
    if (problems.length > 0) {
      const line = { event: "config_invalid", problems, next: "fix these variables ([vars] in wrangler.toml, or `wrangler secret put`) and deploy again" };
      console.error(JSON.stringify(line));
    }
  }
  return problems;
}
