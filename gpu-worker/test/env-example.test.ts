/** `.env.example` documents every variable the config schema reads, and only those. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ConfigSchema, loadConfig } from "../src/config.ts";

describe(".env.example", () => {
  const text = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
  const vars = Object.fromEntries([...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  it("lists every schema key", () => {
    expect(Object.keys(vars).sort()).toEqual(Object.keys(ConfigSchema.shape).sort());
  });
  it("shows the defaults", () => {
    const defaults = loadConfig({});
    for (const [key, value] of Object.entries(vars)) {
      expect(String(defaults[key as keyof typeof defaults]), key).toBe(value);
    }
  });
});
