/** The YAML scenario format, as a zod schema (see docs/scenarios.md). */
import { z } from 'zod';
import { BAD_REQUESTS } from '../hw/pci/device.ts';

const fd = z.number().int().min(0).max(1023);

/** A name printed on a terminal and in reports: no control characters (escape sequences) in it. */
const name = z
  .string()
  .min(1)
  .regex(/^\P{C}+$/u, 'printable characters only: a name is printed on terminals and in reports');

/** Each operation a program item may name as a one-key map, by its key (`exit` is a bare word). */
export const OpSchemas: Record<string, z.ZodType<unknown>> = {
  open: z.strictObject({ open: z.strictObject({ device: z.string(), fd }) }),
  ioctl_bind: z.strictObject({ ioctl_bind: fd }),
  mmap: z.strictObject({ mmap: fd }),
  munmap: z.strictObject({ munmap: fd }),
  close: z.strictObject({ close: fd }),
  touch: z.strictObject({ touch: z.number().int().min(0) }),
  fork: z.strictObject({
    fork: z.strictObject({ name, program: z.array(z.lazy(() => OpSchema)) }),
  }),
};

/** One step of a process's program: a bare word, or a one-key map. */
export const OpSchema: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.literal('exit'), ...Object.values(OpSchemas)]),
);

export const ScenarioSchema = z.strictObject({
  name,
  description: z
    .string()
    .regex(/^(?:[\n\t]|\P{Cc})*$/u, 'no control characters but newline and tab')
    .default(''),
  pages: z.number().int().min(1).max(8).default(1),
  speculative_caching: z.boolean().default(false),
  devices: z
    .array(
      z.strictObject({
        name,
        client: z.enum(['accel', 'accel-nowait', 'gfx']),
        ats: z.boolean().default(true),
        stream_requests: z.boolean().default(false),
        dma: z.number().int().min(0).max(64).default(0),
        fault_cb: z.boolean().default(false),
        pasids: z.enum(['own', 'all', 'absent']).default('own'),
        bad_requests: z
          .array(z.enum(BAD_REQUESTS))
          .refine((l) => new Set(l).size === l.length, 'each kind at most once')
          .default([]),
      }),
    )
    .min(1),
  processes: z
    .array(
      z.strictObject({
        name,
        count: z.number().int().min(1).max(8).default(1),
        program: z.array(OpSchema),
      }),
    )
    .min(1),
});

export type ScenarioYaml = z.infer<typeof ScenarioSchema>;
export type OpYaml =
  | 'exit'
  | { open: { device: string; fd: number } }
  | { ioctl_bind: number }
  | { mmap: number }
  | { munmap: number }
  | { close: number }
  | { touch: number }
  | { fork: { name: string; program: OpYaml[] } };
