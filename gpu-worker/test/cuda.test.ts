/**
 * DEVICE=auto on a machine without onnxruntime's CUDA provider library or without a GPU skips
 * the CUDA attempt (no native "Failed to load library" lines) with one log line; with both it
 * still tries CUDA; DEVICE=cuda always tries, with a warning naming what is missing.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { cudaProviderLibs, decideDevice, probeCuda } from "../src/inference/cuda.ts";
import { build } from "./helpers/build.ts";

const BIN = "/ort/bin/napi-v6/linux/x64";
const LIBS = cudaProviderLibs("linux");

describe("decideDevice", () => {
  it("auto without the provider library: CPU, saying which file is missing where", () => {
    const d = decideDevice("auto", { binDir: BIN, missingLibs: LIBS, gpu: "/dev/nvidiactl" })!;
    expect(d.device).toBe("cpu");
    expect(d.message).toMatch(/^CUDA not available \(no CUDA provider library/);
    expect(d.message).toContain("libonnxruntime_providers_shared.so");
    expect(d.message).toContain(BIN);
    expect(d.message).toMatch(/using CPU$/);
  });

  it("auto without a GPU: CPU", () => {
    const d = decideDevice("auto", { binDir: BIN, missingLibs: [], gpu: null })!;
    expect(d.device).toBe("cpu");
    expect(d.message).toContain("no NVIDIA GPU");
  });

  it("auto with the library and a GPU: the real CUDA path", () => {
    const d = decideDevice("auto", { binDir: BIN, missingLibs: [], gpu: "/dev/nvidia0" })!;
    expect(d.device).toBe("auto");
    expect(d.level).toBe("info");
  });

  it("cuda is still tried when something is missing, with a warning", () => {
    const d = decideDevice("cuda", { binDir: BIN, missingLibs: LIBS, gpu: null })!;
    expect(d.device).toBe("cuda");
    expect(d.level).toBe("warn");
  });

  it("cpu: nothing to decide", () => {
    expect(decideDevice("cpu", { binDir: BIN, missingLibs: LIBS, gpu: null })).toBeNull();
  });
});

describe("probeCuda", () => {
  it("looks for the provider libraries in onnxruntime-node's bin folder and for NVIDIA device nodes", () => {
    const present = new Set<string>();
    const none = probeCuda((p) => present.has(p), "linux", "x64");
    expect(none.binDir).toMatch(/onnxruntime-node[/\\]bin[/\\]napi-v6[/\\]linux[/\\]x64$/);
    expect(none.missingLibs).toEqual(LIBS);
    expect(none.gpu).toBeNull();
    for (const lib of LIBS) present.add(join(none.binDir, lib));
    present.add("/dev/nvidiactl");
    const all = probeCuda((p) => present.has(p), "linux", "x64");
    expect(all.missingLibs).toEqual([]);
    expect(all.gpu).toBe("/dev/nvidiactl");
    expect(decideDevice("auto", all)!.device).toBe("auto");
  });

  it("this machine's real probe gives a decision, and DEVICE=auto starts and serves on it", async () => {
    const facts = probeCuda();
    const decision = decideDevice("auto", facts)!;
    expect(["cpu", "auto"]).toContain(decision.device);
    const app = await build({ DEVICE: "auto" });
    try {
      const health = await app.inject({ method: "GET", url: "/health" });
      expect(health.statusCode).toBe(200);
      if (decision.device === "cpu") expect(JSON.stringify(health.json())).toContain('"cpu"');
    } finally {
      await app.close();
    }
  });
});
