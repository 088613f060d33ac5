/**
 * `npm run bench` (worker): precision and recall of the STAR heuristic per part, over the
 * labelled evaluation set (test/coach/eval-set.json, labels written before the rules were
 * tuned on it) and the held-out set (test/coach/held-out-set.json, written after tuning).
 * `--misses` lists every answer and part the heuristic got wrong. An answer counts as a true positive for a part when the label says the part is
 * there and the heuristic finds it present. The target is 0.8 or more for each.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { starCoverage } from "../src/coach/star.ts";
import { sentences } from "../src/coach/tokens.ts";
import { STAR_PARTS, type StarPart } from "../src/coach/types.ts";

interface Labelled {
  id: string;
  kind: string;
  question: string;
  answer: string;
  star: Record<StarPart, boolean>;
}

const TARGET = 0.8;
const SETS = [
  { file: "eval-set.json", what: "evaluation set (the rules were tuned on it: in-sample)" },
  { file: "held-out-set.json", what: "held-out set (written after tuning, labels committed before the rules ran on it)" },
];
const showMisses = process.argv.includes("--misses");

for (const set of SETS) {
  const { answers } = JSON.parse(readFileSync(path.join(import.meta.dirname, "../test/coach", set.file), "utf8")) as { answers: Labelled[] };
  const counts = Object.fromEntries(STAR_PARTS.map((p) => [p, { tp: 0, fp: 0, fn: 0, tn: 0 }])) as Record<StarPart, { tp: number; fp: number; fn: number; tn: number }>;
  const misses: string[] = [];
  for (const item of answers) {
    const found = starCoverage(item.answer, sentences(item.answer));
    for (const part of STAR_PARTS) {
      const said = found[part].present;
      const truth = item.star[part];
      const c = counts[part];
      if (said && truth) c.tp++;
      else if (said && !truth) c.fp++;
      else if (!said && truth) c.fn++;
      else c.tn++;
      if (said !== truth) misses.push(`${item.id} ${part}: heuristic ${said}, label ${truth}`);
    }
  }
  const rows = STAR_PARTS.map((part) => {
    const { tp, fp, fn, tn } = counts[part];
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    return { part, precision: round(precision), recall: round(recall), tp, fp, fn, tn, meetsTarget: precision >= TARGET && recall >= TARGET };
  });
  console.log(`STAR heuristic, ${set.what}: ${answers.length} labelled answers (target: precision and recall >= ${TARGET} per part)`);
  console.table(rows);
  if (showMisses && misses.length > 0) console.log(misses.join("\n"));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
