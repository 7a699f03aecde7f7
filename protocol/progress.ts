// progress.json in the Purple CLI's schema exactly (SPEC §7): phases = waves, tickets inside.
import { z } from "zod";

export const ProgressStatus = z.enum(["pending", "in_progress", "completed"]);
export type ProgressStatus = z.infer<typeof ProgressStatus>;

export const ProgressTicket = z.object({
  id: z.string(),
  name: z.string(),
  status: ProgressStatus,
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
});

export const Progress = z.object({
  feature: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  phases: z.array(z.object({ number: z.number().int(), name: z.string(), status: ProgressStatus, tickets: z.array(ProgressTicket) })),
  /** the ticket being worked on, as the Purple tools record it; null when none */
  current: z
    .object({ phase: z.number().int().optional(), ticketId: z.string().optional(), ticketName: z.string().optional(), agent: z.string().optional() })
    .nullable(),
  summary: z.object({
    totalPhases: z.number().int().min(0),
    completedPhases: z.number().int().min(0),
    totalTickets: z.number().int().min(0),
    completedTickets: z.number().int().min(0),
    inProgressTickets: z.number().int().min(0),
  }),
});
export type Progress = z.infer<typeof Progress>;
