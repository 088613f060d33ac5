/**
 * Permuted-block randomisation with blocks of varying size for the control/treatment study.
 * Each block's size is drawn from {2, 4, 6} (equally likely) and holds as many of each arm,
 * in a random order (Fisher-Yates). Pure: the caller keeps the remaining block and supplies the
 * randomness (the CSPRNG in production).
 *
 * Why varying sizes: with fixed blocks of four, anyone who sees an assigner's arms can name
 * the fourth of every block (and the last two after two alike). With sizes unknown, a block's
 * end is not known either: after an even count the next arm is a coin flip
 * whatever came before, and a run of one arm says little about the next.
 *
 * Balance guarantee, per assigner (one sequence of calls): |control − treatment| ≤ 3 at
 * every moment, and 0 at every block boundary (at most 6 assignments apart). Proof: at a
 * boundary the arms are level; inside a block of 2k each arm appears k times, so after j of
 * its assignments the lead of either arm is at most min(j, 2k − j) ≤ k ≤ 3.
 */
import { GROUPS, type Group } from "@interview/shared";

/** The block sizes drawn from, each equally likely; all even, so every block is balanced. */
export const ASSIGNMENT_BLOCK_SIZES = [2, 4, 6] as const;
/** The most the arms can differ by within one assigner: half the largest block. */
export const MAX_ARM_IMBALANCE = Math.max(...ASSIGNMENT_BLOCK_SIZES) / 2;

/** `random` is uniform in [0, 1). */
export function newBlock(random: () => number): Group[] {
  const size = ASSIGNMENT_BLOCK_SIZES[Math.floor(random() * ASSIGNMENT_BLOCK_SIZES.length)]!;
  const block: Group[] = [];
  for (let i = 0; i < size; i++) block.push(GROUPS[i % GROUPS.length]!);
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
