/**
 * Refuses every request while the Worker's variables are invalid (ops/settings.ts): 503 with a
 * message that names no variable (the names and reasons are in the `config_invalid` log line),
 * so a misconfigured deploy is seen at once instead of running on silent defaults.
 */
import { errorBody } from "@interview/shared";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { checkSettingsOnce } from "./settings.ts";

export const MISCONFIGURED = "This server is misconfigured; its operator can see which setting in its logs (config_invalid).";

export const settingsGate = createMiddleware<AppEnv>(async function settingsGate(c, next) {
  if (checkSettingsOnce(c.env).length > 0) return c.json(errorBody("unavailable", MISCONFIGURED), 503);
  return next();
});
