/**
 * `Expect: 100-continue` answered by the app instead of by Node. Node's default is to send
 * "100 Continue" as soon as the request head arrives, so a client that asked first (curl does for
 * bodies over 1 MB) uploads its whole body even when the answer is a refusal. Here the 100 goes
 * out in an onRequest hook after auth and under-pressure (so their 401 and 503 need no body),
 * and, on routes with `config: { deferContinue: true }` (the transcription upload), only once the
 * route calls `sendContinue` after its own checks (429, 413, 503). A response sent without the
 * 100 closes the connection (`Connection: close`): the body the client held back is never read,
 * so the connection cannot be reused.
 */
import fp from "fastify-plugin";
import type { FastifyReply, FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route sends "100 Continue" itself (`sendContinue`) once it knows it will read the body. */
    deferContinue?: boolean;
  }
}

const continued = new WeakSet<object>();

function expectsContinue(request: FastifyRequest): boolean {
  return request.headers.expect?.toLowerCase() === "100-continue";
}

/** Tells a client waiting with `Expect: 100-continue` to send its body (once; no-op otherwise). */
export function sendContinue(request: FastifyRequest, reply: FastifyReply): void {
  if (!expectsContinue(request) || continued.has(reply.raw) || reply.raw.headersSent) return;
  continued.add(reply.raw);
  reply.raw.writeContinue();
}

export default fp(
  async function expectContinue(app) {
    // With a listener, Node leaves "checkContinue" requests to us instead of answering 100 itself.
    app.server.on("checkContinue", (req, res) => app.server.emit("request", req, res));
    app.addHook("onRequest", async function continueUnlessDeferred(request, reply) {
      if (!reply.routeOptions.config.deferContinue) sendContinue(request, reply);
    });
    app.addHook("onSend", async function closeWithoutContinue(request, reply) {
      if (expectsContinue(request) && !continued.has(reply.raw)) reply.header("connection", "close");
    });
  },
  { name: "expect-continue" },
);
