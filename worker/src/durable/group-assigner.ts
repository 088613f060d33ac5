/**
 * One GroupAssigner object (named "global") serialises group assignment for the whole
 * service, so block randomisation stays balanced across every interview. Durable Objects
 * process one call at a time, which is exactly the lock this needs.
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

/** Assignment decides a study arm, so it uses the CSPRNG rather than Math.random. */
export function secureRandom(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return value! / 2 ** 32;
}
