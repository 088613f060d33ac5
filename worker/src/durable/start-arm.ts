/**
 * The arm of a `start_session`, as the interview object asks the participant registry for it.
 *
 * - The participant: the id the client presents, else the one of the session this socket ran
 *   before (a restart on the same socket keeps its participant and so its arm), else a new id
 *   issued now (refused instead when `REQUIRE_REGISTERED_PARTICIPANT` is on).
 * - An id the registry does not know is refused (`unknown_participant`); so is any start while
 *   the registry cannot be reached (`unavailable`): a guessed arm could contradict the
 *   participant's real one. Nothing is started then, and the socket stays open.
 */
import { errorBody, type ErrorOut, type Group } from "@interview/shared";
import type { StartArm } from "../engine/types.ts";
import { allowsClientGroup, requiresRegisteredParticipant, type Env } from "../env.ts";
import { newParticipantId, participantFor } from "./participant.ts";

export interface StartArmRequest {
  /** `start_session.participantId`, or null. */
  presented: string | null;
  /** The participant of the session this object ran before, or null. */
  previous: string | null;
  /** `start_session.group`, or null. */
  clientGroup: Group | null;
  location: string | null;
}

export type StartArmOutcome = { ok: true; arm: StartArm } | { ok: false; refusal: ErrorOut };

export async function armForStart(env: Env, request: StartArmRequest): Promise<StartArmOutcome> {
  let participantId = request.presented ?? request.previous;
  const issue = participantId === null;
  if (participantId === null) {
    if (requiresRegisteredParticipant(env)) return refuse("participant_required");
    participantId = newParticipantId();
  }
  try {
    const outcome = await participantFor(env, participantId).armFor({
      participantId,
      issue,
      clientGroup: request.clientGroup,
      allowClientGroup: allowsClientGroup(env),
      location: request.location,
    });
    if (!outcome.ok) return refuse(outcome.code);
    return {
      ok: true,
      arm: { participantId, group: outcome.group, groupAssignment: outcome.groupAssignment, clientGroup: outcome.clientGroup },
    };
  } catch (error) {
    console.error(`participant registry unavailable for a start (${participantId})`, error);
    return refuse("unavailable", "The participant registry is unavailable; nothing was started. Please try again.");
  }
}

function refuse(code: ErrorOut["code"], message?: string): StartArmOutcome {
  return { ok: false, refusal: { type: "error", ...errorBody(code, message) } };
}
