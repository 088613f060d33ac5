/**
 * `[env.staging]` and `[env.production]` in wrangler.toml repeat the top level's bindings
 * (wrangler does not inherit bindings or [vars] into an environment): every binding the top
 * level has (what dev and the tests run with), each environment has too, of the same kind and
 * class, so a binding added at the top cannot be missing from a deploy.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_convertConfigBindingsToStartWorkerBindings, unstable_readConfig } from "wrangler";

const config = path.resolve(import.meta.dirname, "../../../wrangler.toml");

/** name → kind (and class, for Durable Objects) of each binding, [vars] included. */
function bindings(env?: string): Record<string, string> {
  const parsed = unstable_readConfig({ config, ...(env ? { env } : {}) });
  const all = unstable_convertConfigBindingsToStartWorkerBindings(parsed) as Record<string, { type: string; className?: string }>;
  const out: Record<string, string> = {};
  for (const [name, binding] of Object.entries(all)) out[name] = binding.className ? `${binding.type} ${binding.className}` : binding.type;
  for (const name of Object.keys(parsed.vars ?? {})) out[name] = "var";
  return out;
}

describe("wrangler.toml environments", () => {
  const top = bindings();

  it.each(["staging", "production"])("%s has every binding of the top level, its static assets and Workers Logs", (env) => {
    expect(bindings(env)).toEqual(top);
    const parsed = unstable_readConfig({ config, env });
    expect(parsed.assets).toEqual(unstable_readConfig({ config }).assets);
    expect(parsed.observability?.enabled).toBe(true);
  });

  it.each([
    ["staging", "staging"],
    ["production", "production"],
  ])("%s runs with ENVIRONMENT=%s", (env, value) => {
    expect(unstable_readConfig({ config, env }).vars.ENVIRONMENT).toBe(value);
  });
});
