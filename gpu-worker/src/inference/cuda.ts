/**
 * Whether trying CUDA is worth it, decided once on the HTTP thread before the engines load.
 * onnxruntime-node ships CPU binaries only; its CUDA execution provider
 * (`libonnxruntime_providers_cuda.so` + `libonnxruntime_providers_shared.so`) lands in its bin
 * folder only when installed with `ONNXRUNTIME_NODE_INSTALL=cuda12` (the CUDA image). Asking for
 * CUDA without them makes onnxruntime print a red "Failed to load library" line per session on
 * stderr before the engines fall back to CPU. With DEVICE=auto the attempt is skipped when the
 * provider library or an NVIDIA GPU is missing, and one plain log line says so; DEVICE=cuda still
 * tries (the user asked for it) with a warning naming what is missing.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import type { DevicePreference } from "./types.ts";

export interface CudaFacts {
  /** onnxruntime-node's native folder for this platform (bin/napi-v6/<platform>/<arch>). */
  binDir: string;
  /** CUDA provider libraries expected there that are missing. */
  missingLibs: string[];
  /** The device node or driver file that shows an NVIDIA GPU, or null. */
  gpu: string | null;
}

export interface CudaDecision {
  /** What the engines are given: cpu skips the CUDA attempt. */
  device: DevicePreference;
  level: "info" | "warn";
  message: string;
}

/** Provider libraries onnxruntime needs to load CUDA, by platform (none exist for macOS). */
export function cudaProviderLibs(os: NodeJS.Platform = platform()): string[] {
  if (os === "linux") return ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];
  if (os === "win32") return ["onnxruntime_providers_shared.dll", "onnxruntime_providers_cuda.dll"];
  return ["(no CUDA build of onnxruntime-node for this platform)"];
}

const GPU_MARKERS = ["/dev/nvidiactl", "/dev/nvidia0", "/proc/driver/nvidia/version", "/dev/dxg"];

/** Looks at the file system: onnxruntime-node's bin folder and the NVIDIA device nodes. */
export function probeCuda(exists: (path: string) => boolean = existsSync, os: NodeJS.Platform = platform(), cpu: string = arch()): CudaFacts {
  let binDir: string;
  try {
    const pkg = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
    binDir = join(dirname(pkg), "bin", "napi-v6", os, cpu);
  } catch {
    binDir = "(onnxruntime-node not found)";
  }
  const missingLibs = cudaProviderLibs(os).filter((lib) => !exists(join(binDir, lib)));
  const gpu = os === "win32" ? "(not checked on Windows)" : GPU_MARKERS.find((p) => exists(p)) ?? null;
  return { binDir, missingLibs, gpu };
}

/** The device the engines get, and the one line that explains it. */
export function decideDevice(device: DevicePreference, facts: CudaFacts): CudaDecision | null {
  if (device === "cpu") return null;
  const why: string[] = [];
  if (facts.missingLibs.length > 0) why.push(`no CUDA provider library (${facts.missingLibs.join(", ")}) in ${facts.binDir}; install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12, as docker/Dockerfile.cuda does`);
  if (facts.gpu === null) why.push("no NVIDIA GPU found (no /dev/nvidiactl, /dev/nvidia0 or /proc/driver/nvidia)");
  if (why.length === 0) return { device, level: "info", message: `CUDA provider library and GPU (${facts.gpu}) found: trying CUDA, CPU if it fails` };
  if (device === "auto") return { device: "cpu", level: "info", message: `CUDA not available (${why.join("; ")}): using CPU` };
  return { device, level: "warn", message: `DEVICE=cuda but ${why.join("; ")}: onnxruntime will fail to load CUDA and the engines fall back to CPU` };
}
