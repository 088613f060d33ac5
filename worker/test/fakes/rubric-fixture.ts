/** An answer and a valid model rubric of it (every quote the answer's own words), for the rubric's tests. */
export const RUBRIC_ANSWER =
  "At my last company checkout timed out every evening. I was on call, so I had to find the cause. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";

export const RUBRIC_SCORES = {
  situation: { score: 4, quote: "checkout timed out every evening" },
  task: { score: 3, quote: "I had to find the cause" },
  action: { score: 5, quote: "I profiled it, found an N+1 query" },
  result: { score: 5, quote: "p99 dropped from 900 ms to 120 ms" },
  relevance: { score: 4, quote: "found an N+1 query" },
  specificity: { score: 5, quote: "900 ms to 120 ms" },
};
