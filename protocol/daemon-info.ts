// O/.purple/daemon.json: how to find and recognise the running daemon.
import { z } from "zod";

export const DaemonInfo = z.strictObject({
  pid: z.number().int().positive(),
  /** the control socket's path; null while this build has no control channel */
  socket: z.string().nullable(),
  version: z.string(),
  startedAt: z.string().datetime({ offset: true }),
  root: z.string(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;
