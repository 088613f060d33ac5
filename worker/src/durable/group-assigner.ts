/**
 * Group assignment by permuted blocks of random size (2, 4 or 6; engine/group-blocks.ts), one
 * GroupAssigner object per Cloudflare location (named `location:<colo>`), created near the
 * interviews it serves. Starts in one location never wait on another's, and no object serves
 * the whole world. It is asked once per participant (durable/participant.ts), not per session.
 *
 * Balance guarantee: within each location, |control − treatment| ≤ 3 at every moment and 0 at
 * every block boundary (at most 6 assignments apart); over all participants the difference is
 * at most 3 × the number of locations in use. Durable Objects process one call at a time, which
 * is exactly the lock a block needs.
 */
import { DurableObject } from "cloudflare:workers";
import type { Group } from "@interview/shared";
import { nextAssignment } from "../engine/group-blocks.ts";
import type { Env } from "../env.ts";

const BLOCK_KEY = "block";

export class GroupAssigner extends DurableObject<Env> {
  assign(): Group {
    const remaining = this.ctx.storage.kv.get<Group[]>(BLOCK_KEY) ?? [];
    const { group, remaining: rest } = nextAssignment(remaining, secureRandom);
    this.ctx.storage.kv.put(BLOCK_KEY, rest);
    return group;
  }
}

/** The assigner of a location; one shared name where the runtime reports none (local dev). */
export function groupAssignerFor(env: Env, location: string | null): DurableObjectStub<GroupAssigner> {
  return env.GROUP_ASSIGNER.get(env.GROUP_ASSIGNER.idFromName(`location:${location ?? "local"}`));
}

/** Assignment decides a study arm, so it uses the CSPRNG rather than Math.random. */
export function secureRandom(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return value! / 2 ** 32;
}
