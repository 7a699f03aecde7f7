// The protocol: every file format and message purple exchanges, as zod schemas. Imports nothing else of purple.
export * from "./errors.ts";
export * from "./duration.ts";
export * from "./territory.ts";
export * from "./plan.ts";
export * from "./status.ts";
export * from "./validation.ts";
export * from "./events.ts";
export * from "./progress.ts";
export * from "./daemon-info.ts";
export * from "./schemas.ts";
export * from "./rpc.ts";
export * from "./socket-path.ts";
export * from "./config.ts";
export * from "./steps.ts";
export * from "./journal.ts";
export * from "./http.ts";
export * from "./changeset.ts";
