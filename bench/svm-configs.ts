/**
 * The domain table's configurations: svmsim's SVM model against the reference Promela abstraction
 * (bench/promela/svm.pml) on the same P processes x D devices x F DMA per device, MMAP mask and
 * policy. Process p opens device p mod D (an accel client), binds, mmap()s when bit p of MMAP is
 * set, and exits; every device may do F DMA attempts.
 */

export interface SvmConfig {
  P: number;
  D: number;
  F: number;
  MMAP: number;
}

export type PolicyName = 'BUGGY' | 'FIXED';

/** svm.pml's POLICY macro and svmsim's policy for the same driver. */
export const policies: Record<PolicyName, { spin: number; svmsim: string }> = {
  BUGGY: { spin: 0, svmsim: 'v4.4' },
  FIXED: { spin: 1, svmsim: 'e57e58bd' },
};

export interface DomainRun {
  config: SvmConfig;
  policy: PolicyName;
  /**
   * off: pan -DNOREDUCE against svmsim unreduced; on: pan's partial-order reduction against
   * svmsim's reductions as `svmsim check` runs them (symmetry over identical processes, and over
   * processes each on a device of its own, exchanged with their devices).
   */
  reductions: 'off' | 'on';
  quick?: boolean;
}

const all = (P: number): number => (1 << P) - 1;

const both = (config: SvmConfig, quick = false): DomainRun[] => [
  { config, policy: 'BUGGY', reductions: 'off', quick },
  { config, policy: 'FIXED', reductions: 'off', quick },
];

/** The FIXED policy with reductions on, where the search must cover the whole state space. */
const fixedReduced = (config: SvmConfig, quick = false): DomainRun => ({
  config,
  policy: 'FIXED',
  reductions: 'on',
  quick,
});

/**
 * From one process to the first configurations svmsim cannot finish in the default timeout. BUGGY
 * without mmap (MMAP=0, a graphics-style client) and with one mmap among two processes are the
 * reference's honesty checks: the first must verify, the second must leak.
 */
export const domainRuns: readonly DomainRun[] = [
  ...both({ P: 1, D: 1, F: 1, MMAP: 1 }, true),
  { config: { P: 1, D: 1, F: 1, MMAP: 0 }, policy: 'BUGGY', reductions: 'off', quick: true },
  ...both({ P: 1, D: 1, F: 2, MMAP: 1 }),
  ...both({ P: 1, D: 1, F: 3, MMAP: 1 }),
  ...both({ P: 2, D: 1, F: 1, MMAP: all(2) }),
  { config: { P: 2, D: 1, F: 1, MMAP: 0 }, policy: 'BUGGY', reductions: 'off' },
  { config: { P: 2, D: 1, F: 1, MMAP: 2 }, policy: 'BUGGY', reductions: 'off' },
  ...both({ P: 2, D: 1, F: 2, MMAP: all(2) }),
  ...both({ P: 2, D: 2, F: 1, MMAP: all(2) }),
  ...both({ P: 2, D: 2, F: 2, MMAP: all(2) }),
  ...both({ P: 3, D: 1, F: 1, MMAP: all(3) }),
  fixedReduced({ P: 1, D: 1, F: 1, MMAP: all(1) }, true),
  fixedReduced({ P: 2, D: 1, F: 1, MMAP: all(2) }),
  fixedReduced({ P: 2, D: 2, F: 2, MMAP: all(2) }),
  fixedReduced({ P: 3, D: 1, F: 1, MMAP: all(3) }),
];

export const configLabel = (c: SvmConfig): string => `P${c.P} D${c.D} F${c.F} MMAP=${c.MMAP}`;

/** The scenario of a configuration, in svmsim's YAML (docs/scenarios.md). */
export function scenarioYaml(c: SvmConfig): string {
  const lines = [
    `name: bench-P${c.P}-D${c.D}-F${c.F}-M${c.MMAP}`,
    `description: ${configLabel(c)}, as svm.pml is configured by -D macros`,
    'pages: 1',
    'devices:',
  ];
  for (let d = 0; d < c.D; d++) lines.push(`  - { name: accel${d}, client: accel, ats: true, dma: ${c.F} }`);
  lines.push('processes:');
  for (let p = 0; p < c.P; p++) {
    lines.push(
      `  - name: proc${p}`,
      '    program:',
      `      - open: { device: accel${p % c.D}, fd: 3 }`,
      '      - ioctl_bind: 3',
    );
    if ((c.MMAP >> p) & 1) lines.push('      - mmap: 3');
    lines.push('      - exit');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The svmsim violation kind (src/properties/violations.ts) that a pan error in svm.pml stands for,
 * read from the assertion pan names (the classes of svm.pml's README).
 */
export function spinViolationKind(error: string): string {
  if (error.includes('invalid end state') || error.includes('nexited')) return 'deadlock';
  if (error.includes('mm_alive[i]==0')) return 'leak';
  if (
    /iotlb\[p\]==0|pte\[p\]|ptables\[p\]|mm_alive\[p\]|file_alive\[p\]|mm_alive\[q\]|file_alive\[q\]/.test(
      error,
    )
  ) {
    return 'use-after-free';
  }
  if (/>\s*0/.test(error)) return 'refcount';
  return 'violation';
}
