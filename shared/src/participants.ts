/**
 * Participant ids: the unit of the study's randomisation. One id keeps one arm for every
 * session. The server issues opaque random ids (`p_` + 144 random bits, base64url) on a first
 * session; a study's own system may register its own ids (`POST /participants`). Either way an
 * id is an identifier, not a secret: it links sessions and fixes the arm, and opens nothing.
 */
import * as z from "zod";

/** Letters, digits and `_ . : -`, 1..128 characters: UUIDs, study codes, the server's own ids. */
export const PARTICIPANT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

export const ParticipantIdSchema = z
  .string({ error: "must be a string" })
  .trim()
  .regex(PARTICIPANT_ID_PATTERN, "must be 1..128 letters, digits or _ . : -");
