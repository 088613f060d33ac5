/**
 * The participant registry for a study's own system (admin):
 *
 * - `POST /participants {participantId?, group?}` registers a participant: without
 *   `participantId` the server issues one, with `group` the arm is fixed now (`admin`), without
 *   it the arm is drawn at the participant's first session. Idempotent for a named id: a repeat
 *   changes nothing (200); naming another arm than the participant's is 409
 *   `participant_conflict`, never a change. 201 when the participant is new.
 * - `GET /participants/:id`: the participant's arm and how and when it was set; 404
 *   `unknown_participant` for an id never issued or registered.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ParticipantBody, ParticipantIdParam } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import type { ParticipantRecord, RegisterOutcome } from "../engine/participant-arm.ts";
import { newParticipantId, participantFor } from "../durable/participant.ts";
import { isoUtc } from "../storage/export-rows.ts";
import { access } from "./access-policy.ts";
import { validate } from "./validate.ts";

export interface ParticipantOut {
  participantId: string;
  group: string | null;
  groupAssignment: string | null;
  registeredBy: "server" | "admin";
  registeredAt: string;
  assignedAt: string | null;
}

export const participants = new Hono<AppEnv>()
  .post("/participants", access("admin"), validate("json", ParticipantBody), async function registerParticipant(c) {
    const body = c.req.valid("json");
    const participantId = body.participantId ?? newParticipantId();
    const stub = participantFor(c.env, participantId);
    const outcome: RegisterOutcome = await registry(async () => await stub.register(participantId, body.group ?? null));
    if (!outcome.ok) {
      throw new HTTPException(409, {
        message: `Participant ${participantId} already has the arm ${outcome.record.group}; a participant's arm never changes.`,
        cause: "participant_conflict",
      });
    }
    return c.json({ ...participantOut(outcome.record), created: outcome.created }, outcome.created ? 201 : 200);
  })
  .get("/participants/:id", access("admin"), validate("param", ParticipantIdParam), async function getParticipant(c) {
    const { id } = c.req.valid("param");
    const stub = participantFor(c.env, id);
    const record: ParticipantRecord | null = await registry(async () => await stub.record());
    if (!record) throw new HTTPException(404, { message: `Participant ${id} was never issued or registered.`, cause: "unknown_participant" });
    return c.json(participantOut(record));
  });

/** A registry call; a Durable Object failure is 503 `unavailable`, not a 500. */
async function registry<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    console.error("participant registry call failed", error);
    throw new HTTPException(503, { message: "The participant registry is unavailable; try again shortly.", cause: "unavailable" });
  }
}

function participantOut(record: ParticipantRecord): ParticipantOut {
  return {
    participantId: record.participantId,
    group: record.group,
    groupAssignment: record.groupAssignment,
    registeredBy: record.registeredBy,
    registeredAt: isoUtc(record.registeredAt),
    assignedAt: record.assignedAt === null ? null : isoUtc(record.assignedAt),
  };
}
