/** Picks the interviewer model from configuration: none configured means heuristics only. */
import type { Env } from "../env.ts";
import { heuristicsOnly, type InterviewerModel } from "./interviewer-model.ts";

export function selectInterviewerModel(_env: Env): InterviewerModel {
  return heuristicsOnly;
}
