// The guarded check's worker (guard.ts): plain JavaScript, because on Node 20 a worker gets no
// loader hooks from its execArgv, so it registers tsx's itself before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./guard-worker.ts');
