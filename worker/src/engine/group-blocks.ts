/**
 * Block randomisation for the control/treatment study: each block of four holds two of each
 * arm in random order, so after any number of sessions the arms differ by at most two.
 * Pure: the caller keeps the remaining block and supplies the randomness.
 */
import { GROUPS, type Group } from "@interview/shared";

export const ASSIGNMENT_BLOCK_SIZE = 4;

export function newBlock(random: () => number): Group[] {
  const block: Group[] = [];
  for (let i = 0; i < ASSIGNMENT_BLOCK_SIZE; i++) block.push(GROUPS[i % GROUPS.length]!);
  // Fisher-Yates: every ordering of the block is equally likely.
  for (let i = block.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [block[i], block[j]] = [block[j]!, block[i]!];
  }
  return block;
}

/** Takes the next group from the remaining block, starting a fresh block when it is empty. */
export function nextAssignment(remaining: readonly Group[], random: () => number): { group: Group; remaining: Group[] } {
  const block = remaining.length > 0 ? [...remaining] : newBlock(random);
  const group = block.shift()!;
  return { group, remaining: block };
}
