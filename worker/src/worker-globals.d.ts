/**
 * Ties the runtime's global types to this Worker. `wrangler types` (worker-configuration.d.ts)
 * declares the bindings, the [vars] and the main module; this adds the variables wrangler.toml
 * cannot declare (secrets, optional settings), so `env` from "cloudflare:workers" knows them.
 */
import type { Settings } from "./settings-types.ts";

declare global {
  namespace Cloudflare {
    // The [vars] stay as generated (required strings): an interface may not inherit one name twice.
    interface Env extends Omit<Settings, keyof __BaseEnv_Env> {}
  }
}
