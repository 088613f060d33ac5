export * from "./vocabulary.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./protocol.ts";
export * from "./records.ts";
export * from "./frames.ts";
export * from "./participants.ts";
export * from "./voice.ts";
