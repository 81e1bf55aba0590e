/**
 * Redis servers for the distributed search's tests: a single node, or a Redis Cluster of three
 * masters, each a `redis-server` child of the test on 127.0.0.1 (never another address), on free
 * ports, in a temporary directory. `stop()` kills them and removes the directory; call it in afterAll
 * (the servers also die with the test process: they are its children, without --daemonize).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REDIS_SERVER = process.env.SVMSIM_REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CLI = process.env.SVMSIM_REDIS_CLI ?? '/usr/bin/redis-cli';

export interface Servers {
  /** URLs of the nodes (redis://127.0.0.1:PORT). */
  urls: string[];
  stop(): void;
}

/** Whether a TCP port on 127.0.0.1 is free now. */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await free(port)) && (await free(port + 10000))) {
      taken.add(port);
      taken.add(port + 10000);
      return port;
    }
  }
}

async function ping(port: number): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), 'PING']);
  return stdout.trim();
}

async function waitFor(what: string, ok: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      if (await ok()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > until) throw new Error(`redis: ${what} did not happen within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `count` redis-server nodes (cluster mode when `cluster`), and for a cluster, creates it. */
export async function startServers(count: number, cluster: boolean): Promise<Servers> {
  const dir = mkdtempSync(join(tmpdir(), 'svmsim-redis-'));
  const children: ChildProcess[] = [];
  const stop = (): void => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await freePort(taken));
    for (const [i, port] of ports.entries()) {
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ];
      if (cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`);
      children.push(spawn(REDIS_SERVER, args, { stdio: 'ignore' }));
    }
    for (const port of ports) await waitFor(`PING on ${port}`, async () => (await ping(port)) === 'PONG');
    if (cluster) {
      await run(REDIS_CLI, ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
      for (const port of ports) {
        await waitFor(`cluster_state:ok on ${port}`, async () => {
          const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), 'CLUSTER', 'INFO']);
          return /cluster_state:ok/.test(stdout);
        });
      }
    }
    return { urls: ports.map((p) => `redis://127.0.0.1:${p}`), stop };
  } catch (e) {
    stop();
    throw e;
  }
}
