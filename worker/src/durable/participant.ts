/**
 * The participant registry: one `Participant` Durable Object per participant id
 * (`idFromName(participantId)`), holding the participant's arm and how and when it was set.
 * The arm belongs to the participant, not to a socket or a session: every session of the
 * participant gets it, and it never changes.
 *
 * A Durable Object handles one call at a time except while a call awaits I/O; the one call
 * that awaits (the draw from the location's GroupAssigner) runs inside
 * `blockConcurrencyWhile`, so two starts of one participant at once draw one arm between them.
 * An id the registry never issued or registered has no record here and is refused: presenting
 * a made-up id cannot mint a new arm.
 */
import { DurableObject } from "cloudflare:workers";
import type { ClientGroupOutcome, Group, GroupAssignment } from "@interview/shared";
import {
  decideArm,
  newParticipantRecord,
  register,
  withArm,
  type ArmRequest,
  type ParticipantRecord,
  type RegisterOutcome,
} from "../engine/participant-arm.ts";
import type { Env } from "../env.ts";
import { groupAssignerFor, secureRandom } from "./group-assigner.ts";
import { base64url } from "./resume-token.ts";

const RECORD_KEY = "participant";

export interface ArmForStart extends ArmRequest {
  participantId: string;
  /** The caller has just issued this id (a newcomer): create the record. */
  issue: boolean;
  /** The Cloudflare location of the start: picks the GroupAssigner for a draw. */
  location: string | null;
}

export type ArmOutcome =
  | { ok: true; group: Group; groupAssignment: GroupAssignment; clientGroup: ClientGroupOutcome | null }
  | { ok: false; code: "unknown_participant" };

export class Participant extends DurableObject<Env> {
  /** The participant's record, or null when this id was never issued or registered. */
  record(): ParticipantRecord | null {
    return this.ctx.storage.kv.get<ParticipantRecord>(RECORD_KEY) ?? null;
  }

  /** `POST /participants`: see `register` in engine/participant-arm.ts. */
  register(participantId: string, group: Group | null): RegisterOutcome {
    const outcome = register(this.record(), participantId, group, Date.now());
    if (outcome.ok && outcome.changed) this.store(outcome.record);
    return outcome;
  }

  /** The arm of a session starting now: the participant's own, or set now (client's group or a draw). */
  async armFor(request: ArmForStart): Promise<ArmOutcome> {
    const existing = this.record();
    if (existing === null && !request.issue) return { ok: false, code: "unknown_participant" };
    const record = existing ?? newParticipantRecord(request.participantId, "server", Date.now());
    const decision = decideArm(record, request);
    if (decision.kind === "keep") return { ok: true, ...pick(decision) };
    if (decision.kind === "client") {
      this.store(withArm(record, decision.group, "client", Date.now()));
      return { ok: true, group: decision.group, groupAssignment: "client", clientGroup: "used" };
    }
    return this.ctx.blockConcurrencyWhile(async () => {
      // Nothing else ran since the decision (a draw is the only await), but read again anyway.
      const current = this.record() ?? record;
      const again = decideArm(current, request);
      if (again.kind === "keep") return { ok: true, ...pick(again) };
      const group = await drawArm(this.env, request.location);
      this.store(withArm(current, group, "server", Date.now()));
      return { ok: true, group, groupAssignment: "server", clientGroup: decision.clientGroup } as const;
    });
  }

  private store(record: ParticipantRecord): void {
    this.ctx.storage.kv.put(RECORD_KEY, record);
  }
}

function pick(decision: { group: Group; groupAssignment: GroupAssignment; clientGroup: ClientGroupOutcome | null }) {
  return { group: decision.group, groupAssignment: decision.groupAssignment, clientGroup: decision.clientGroup };
}

/** The next arm of the location's block; a coin flip (CSPRNG, unbiased) if the assigner is unreachable. */
async function drawArm(env: Env, location: string | null): Promise<Group> {
  try {
    return await groupAssignerFor(env, location).assign();
  } catch (error) {
    console.error("GroupAssigner unavailable; assigning by coin flip", error);
    return secureRandom() < 0.5 ? "control" : "treatment";
  }
}

export function participantFor(env: Env, participantId: string): DurableObjectStub<Participant> {
  return env.PARTICIPANT.get(env.PARTICIPANT.idFromName(participantId));
}

/** A new opaque participant id: `p_` and 144 random bits (CSPRNG), base64url. */
export function newParticipantId(): string {
  return `p_${base64url(crypto.getRandomValues(new Uint8Array(18)))}`;
}
