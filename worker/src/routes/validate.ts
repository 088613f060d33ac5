/**
 * One validation hook for every route, so every 400 looks alike:
 * `{code: "validation_failed", message: "<field>: <problem>; …"}`.
 */
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { errorBody } from "@interview/shared";
import type { ZodType } from "zod";

export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, function validationHook(result, c) {
    if (!result.success) {
      const problems = result.error.issues.map((issue) => {
        const field = issue.path.length > 0 ? issue.path.join(".") : target;
        return `${field}: ${issue.message}`;
      });
      return c.json(errorBody("validation_failed", problems.join("; ")), 400);
    }
    return undefined;
  });
}
