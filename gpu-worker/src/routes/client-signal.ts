/**
 * An AbortSignal that fires when the client goes away before its response is finished (the
 * socket closed). Inference pools use it to drop tasks still waiting in the queue.
 */
import type { FastifyReply } from "fastify";

export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  if (res.destroyed && !res.writableFinished) controller.abort(new Error("client disconnected"));
  else res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}
