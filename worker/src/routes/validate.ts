/**
 * One validation hook for every route, so every 400 looks alike:
 * `{code: "validation_failed", message: "<field>: <problem>; …"}`. A JSON body must come with
 * a JSON `Content-Type`; without one the 400 says so instead of naming every field missing.
 */
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { errorBody } from "@interview/shared";
import type { ZodType } from "zod";

/** Hono reads a JSON body only under a JSON content type; anything else would look like `{}`. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(\s*;|$)/i;
export const NOT_JSON_MESSAGE = "The body must be JSON, sent with the header Content-Type: application/json.";

export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  const validator = zValidator(target, schema, function validationHook(result, c) {
    if (!result.success) {
      const problems = result.error.issues.map((issue) => {
        const field = issue.path.length > 0 ? issue.path.join(".") : target;
        return `${field}: ${issue.message}`;
      });
      return c.json(errorBody("validation_failed", problems.join("; ")), 400);
    }
    return undefined;
  });
  if (target !== "json") return validator;
  // Without this, JSON posted as text/plain (curl's -d default is form-encoded) reports every field missing.
  const requireJson: typeof validator = async function requireJsonBody(c, next) {
    if (!JSON_CONTENT_TYPE.test(c.req.header("Content-Type") ?? "")) {
      return c.json(errorBody("validation_failed", NOT_JSON_MESSAGE), 400);
    }
    return validator(c, next);
  };
  return requireJson;
}
