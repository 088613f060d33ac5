/**
 * Ties the runtime's global types to this Worker: `env` from "cloudflare:workers" is our
 * Env, and `exports` knows the main module (what `wrangler types` would generate).
 */
import type { Env as WorkerEnv } from "./env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import("./index.ts");
      durableNamespaces: "InterviewSession" | "GroupAssigner" | "Participant";
    }
  }
}
