/**
 * What `svmsim replay` accepts as a trace file, as a zod schema: an ITF document whose #meta.svmsim
 * holds what replay re-executes. Every error names the field by its path in the file
 * (`#meta.svmsim.steps.3.choice`). Counts must agree (stepCount, steps, states), and nothing in it
 * names code to run: a user's policy is a path and a sha256 that replay compares with the module
 * given to it with --policy.
 */
import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 as 64 hex digits');

const TraceStepSchema = z.strictObject({
  actor: z.string().min(1),
  choice: z.number().int().min(0),
  text: z.string(),
});

const ViolationSchema = z.looseObject({ kind: z.string().min(1), message: z.string() });

export const SvmsimMetaSchema = z.strictObject({
  format: z.literal('svmsim-trace'),
  formatVersion: z.literal(2),
  version: z.string(),
  command: z.enum(['run', 'check', 'simulate']),
  scenario: z.strictObject({ name: z.string().min(1), source: z.string(), sha256, text: z.string() }),
  policy: z.strictObject({ name: z.string().min(1), sha256, path: z.string().min(1).optional() }),
  seed: z.number().int().optional(),
  stepCount: z.number().int().min(0),
  steps: z.array(TraceStepSchema),
  violation: ViolationSchema.nullable(),
});

export const TraceFileSchema = z
  .looseObject({
    '#meta': z.looseObject({ format: z.literal('ITF'), svmsim: SvmsimMetaSchema }),
    vars: z.array(z.string()),
    states: z.array(z.record(z.string(), z.unknown())),
  })
  .superRefine((t, ctx) => {
    const m = t['#meta'].svmsim;
    if (m.stepCount !== m.steps.length)
      ctx.addIssue({
        code: 'custom',
        path: ['#meta', 'svmsim', 'stepCount'],
        message: `records ${m.stepCount} steps, but #meta.svmsim.steps holds ${m.steps.length}: the trace was cut or extended`,
      });
    if (t.states.length !== m.steps.length + 1)
      ctx.addIssue({
        code: 'custom',
        path: ['states'],
        message: `holds ${t.states.length} states; ${m.steps.length} steps need ${m.steps.length + 1} (the initial state and one after each step)`,
      });
  });
