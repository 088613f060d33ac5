/**
 * A participant's arm: the rules, without I/O. The `Participant` Durable Object
 * (durable/participant.ts) keeps one record per participant and applies these under its own
 * one-call-at-a-time lock, so a participant gets an arm once and keeps it.
 *
 * - A participant with an arm keeps it, whatever a later `start_session` names.
 * - Without one, a group the client names becomes the arm only where the deployment allows
 *   client groups (`ALLOW_CLIENT_GROUP`); otherwise the server draws one (block randomisation).
 * - The study's own system may fix the arm when it registers the participant (`admin`); an
 *   arm once set is never changed, by the admin route either.
 */
import type { ClientGroupOutcome, Group, GroupAssignment } from "@interview/shared";

export interface ParticipantRecord {
  participantId: string;
  /** Who created the id: the server at a first session, or the study's system (`POST /participants`). */
  registeredBy: "server" | "admin";
  /** Epoch ms. */
  registeredAt: number;
  /** Null while a registered participant has had no session and no arm was fixed for it. */
  group: Group | null;
  groupAssignment: GroupAssignment | null;
  /** Epoch ms when the arm was set, or null. */
  assignedAt: number | null;
}

export interface ArmRequest {
  /** The group the client named in `start_session`, or null. */
  clientGroup: Group | null;
  /** Whether the deployment takes client-named groups (`ALLOW_CLIENT_GROUP`). */
  allowClientGroup: boolean;
}

/** What a start does with the participant's arm. */
export type ArmDecision =
  /** The participant has its arm: the session gets it. */
  | { kind: "keep"; group: Group; groupAssignment: GroupAssignment; clientGroup: ClientGroupOutcome | null }
  /** The client's group becomes the participant's arm. */
  | { kind: "client"; group: Group; clientGroup: "used" }
  /** The server draws the arm (block randomisation). */
  | { kind: "draw"; clientGroup: "not_allowed" | null };

export function decideArm(record: ParticipantRecord, request: ArmRequest): ArmDecision {
  if (record.group !== null && record.groupAssignment !== null) {
    return {
      kind: "keep",
      group: record.group,
      groupAssignment: record.groupAssignment,
      clientGroup: request.clientGroup === null ? null : "participant_has_arm",
    };
  }
  if (request.clientGroup === null) return { kind: "draw", clientGroup: null };
  if (request.allowClientGroup) return { kind: "client", group: request.clientGroup, clientGroup: "used" };
  return { kind: "draw", clientGroup: "not_allowed" };
}

export function newParticipantRecord(participantId: string, registeredBy: "server" | "admin", now: number): ParticipantRecord {
  return { participantId, registeredBy, registeredAt: now, group: null, groupAssignment: null, assignedAt: null };
}

/** The record with its arm set; an arm already set is never replaced. */
export function withArm(record: ParticipantRecord, group: Group, groupAssignment: GroupAssignment, now: number): ParticipantRecord {
  if (record.group !== null) throw new Error(`participant ${record.participantId} already has the arm ${record.group}`);
  return { ...record, group, groupAssignment, assignedAt: now };
}

export type RegisterOutcome =
  | { ok: true; record: ParticipantRecord; created: boolean; changed: boolean }
  | { ok: false; code: "participant_conflict"; record: ParticipantRecord };

/**
 * `POST /participants` for one id: creates the record when there is none, fixes the arm when
 * `group` is given and the participant has none yet. Repeating a registration changes nothing
 * (idempotent); naming another arm than the participant's is a conflict, never a change.
 */
export function register(existing: ParticipantRecord | null, participantId: string, group: Group | null, now: number): RegisterOutcome {
  const record = existing ?? newParticipantRecord(participantId, "admin", now);
  if (group === null || record.group === group) return { ok: true, record, created: existing === null, changed: existing === null };
  if (record.group !== null) return { ok: false, code: "participant_conflict", record };
  return { ok: true, record: withArm(record, group, "admin", now), created: existing === null, changed: true };
}
