/** scripts/build.mjs, for the TypeScript that calls it (the tests' global setup). */
export function stale(): boolean;
export function build(): void;
