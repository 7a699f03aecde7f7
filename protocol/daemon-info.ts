// O/.purple/daemon.json: how to find and recognise the running daemon.
import { z } from "zod";
import { SandboxInfo } from "./changeset.ts";

export const DaemonInfo = z.strictObject({
  pid: z.number().int().positive(),
  /** the control socket's path */
  socket: z.string(),
  version: z.string(),
  startedAt: z.string().datetime({ offset: true }),
  root: z.string(),
  /** the web view's base URL when purpled serves one (--http); it needs O/.purple/http-token */
  http: z.string().optional(),
  /** the sandbox in force (SPEC §10) */
  sandbox: SandboxInfo.optional(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;
