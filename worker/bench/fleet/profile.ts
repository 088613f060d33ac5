/**
 * CPU profile of the Worker's isolate (the entry and its Durable Objects share it in
 * `wrangler dev`) over the Chrome DevTools Protocol on wrangler's inspector port: the
 * `.cpuprofile` opens in Chrome DevTools (Performance panel) or VS Code, and `topSelfTime`
 * summarises it in the terminal.
 */
import WebSocket from "ws";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number };
export type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };

export class Profiler {
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (message.id === undefined) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.error ? Promise.reject(new Error(JSON.stringify(message.error))) : message.result);
    });
  }

  /** Attaches to the Worker's isolate (the first inspector target that is not wrangler's own). */
  static async attach(inspectorPort: number): Promise<Profiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { webSocketDebuggerUrl?: string; title?: string }[];
    const target = targets.find((t) => t.webSocketDebuggerUrl);
    if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${inspectorPort}`);
    const ws = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const profiler = new Profiler(ws);
    await profiler.call("Profiler.enable");
    await profiler.call("Profiler.setSamplingInterval", { interval: 200 });
    return profiler;
  }

  call(method: string, params?: unknown): Promise<unknown> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  async start(): Promise<void> {
    await this.call("Profiler.start");
  }

  async stop(): Promise<CpuProfile> {
    const { profile } = (await this.call("Profiler.stop")) as { profile: CpuProfile };
    return profile;
  }

  close(): void {
    this.ws.close();
  }
}

/** Functions by self time, in ms and as a share of the profile. */
export function topSelfTime(profile: CpuProfile, limit = 15): { fn: string; ms: number; share: number }[] {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next one.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + ms);
  }
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0;
    if (!ms) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^.*\//, "") : "";
    const key = `${functionName || "(anonymous)"}${file ? ` ${file}:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const total = (profile.endTime - profile.startTime) / 1000;
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 }));
}
