/**
 * The distributed search's view of its Valkey/Redis store: one connection (a single server, or a
 * cluster found from any of its nodes), the key names of one search, and the two server-side scripts
 * that make a batch of work one round trip.
 *
 * Every key of a search carries a hash tag, `{svmsim:<name>:<p>}` for partition p, or
 * `{svmsim:<name>}` for the metadata: a cluster places a key by its tag's slot, so the partitions of
 * the visited set spread over the cluster's nodes by the signatures' top bits (partitionOf), and the
 * keys one script touches always share a slot, as a cluster requires. The tags are chosen so that
 * partition p's slot lies in the p-th of PARTITIONS equal slices of the 16 384 slots: `redis-cli
 * --cluster create` gives each of N masters one contiguous slice, so the partitions divide evenly
 * among them whatever N is (a plain `{svmsim:<name>:<p>}` put 7 of 16 on one node of three).
 */

import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** Signature bits that pick a partition (a hash tag, so a cluster slot), and then a bucket in it. */
export const PARTITION_BITS = 4;
export const PARTITIONS = 1 << PARTITION_BITS;
/**
 * Buckets per partition: a bucket is one set of signatures, which the server keeps as an intset (8
 * bytes a member, with no per-member overhead) while it holds at most set-max-intset-entries (512 by
 * default) members. 2^16 buckets in all keep that encoding to about 33 million states; past it a
 * bucket becomes a hash table, several times larger per member, and the search goes on.
 */
export const BUCKET_BITS = 12;

/** A failure of the store itself: it cannot be reached, or it was lost during the search. */
export class ValkeyError extends Error {
  /** 2 when the store cannot be used at all (bad URL, refused), 3 when it was lost mid-search. */
  readonly exitCode: 2 | 3;
  constructor(message: string, exitCode: 2 | 3) {
    super(message);
    this.name = 'ValkeyError';
    this.exitCode = exitCode;
  }
}

/**
 * Inserts a batch of signatures of one partition. KEYS: the bucket of each signature, then the
 * partition's owner hash of the level being inserted into; ARGV: the chunk inserting them, then the
 * signatures. Per signature: 1 when this chunk owns it (new, or inserted by an earlier run of the
 * same chunk, whose worker died), 0 when another chunk of this level inserted it, 2 when it was
 * stored before this level began.
 */
const INSERT = `
local owners = KEYS[#KEYS]
local chunk = ARGV[1]
local r = {}
for i = 2, #ARGV do
  local s = ARGV[i]
  if redis.call('SADD', KEYS[i - 1], s) == 1 then
    redis.call('HSET', owners, s, chunk)
    r[i - 1] = 1
  else
    local o = redis.call('HGET', owners, s)
    if o == false then r[i - 1] = 2 elseif o == chunk then r[i - 1] = 1 else r[i - 1] = 0 end
  end
end
return r`;

/**
 * Records that a chunk is expanded, once: KEYS: the level's done hash and the next level's frontier
 * stream of one shard; ARGV: the chunk, its counts, then (states, bytes) per part of its new states.
 * Only the first run of a chunk appends its parts; a second run (the chunk was claimed again while
 * its first worker still ran) returns 0 and appends nothing.
 */
const FINISH = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
for i = 3, #ARGV, 2 do
  redis.call('XADD', KEYS[2], '*', 'n', ARGV[i], 's', ARGV[i + 1])
end
return 1`;

export type Store = Redis | Cluster;

interface Scripts {
  svmsimInsert(...args: (string | number)[]): Promise<number[]>;
  svmsimFinish(...args: (string | number | Buffer)[]): Promise<number>;
}
export type Client = Store & Scripts;

/** How long a lost connection is retried, with backoff, before the store counts as lost. */
export const RETRY_SECONDS = 20;
const backoff = (times: number): number | null => {
  // 50 ms doubling to 2 s: the sum passes RETRY_SECONDS after about 14 attempts.
  let total = 0;
  for (let k = 1; k <= times; k++) total += Math.min(50 * 2 ** k, 2000);
  return total > RETRY_SECONDS * 1000 ? null : Math.min(50 * 2 ** times, 2000);
};

/** Parses `redis://host:port` (or `valkey://`, `host:port`) into ioredis's options. */
function parseUrl(url: string): { host: string; port: number; password?: string; username?: string } {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `redis://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ValkeyError(`--valkey: '${url}' is not a URL (expected redis://HOST:PORT)`, 2);
  }
  if (!['redis:', 'valkey:'].includes(u.protocol)) {
    throw new ValkeyError(`--valkey: '${url}': expected a redis:// or valkey:// URL`, 2);
  }
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
}

/**
 * Connects to the store at `urls` (one server, or any nodes of a cluster: a single URL of a node with
 * cluster mode on is taken as the cluster). Fails with a ValkeyError (exit 2) when none answers.
 */
export async function connect(urls: readonly string[]): Promise<Client> {
  if (urls.length === 0) throw new ValkeyError('--valkey: give at least one URL', 2);
  const nodes = urls.map(parseUrl);
  const common: RedisOptions = {
    enableAutoPipelining: true,
    maxRetriesPerRequest: null,
    retryStrategy: backoff,
    lazyConnect: true,
  };
  const probe = new Redis({ ...common, ...nodes[0], retryStrategy: () => null });
  // The cause (ECONNREFUSED, say) comes as an event; the command only says the connection closed.
  let cause = '';
  probe.on('error', (e: Error) => {
    cause = e.message;
  });
  let clusterEnabled: boolean;
  try {
    await probe.connect();
    clusterEnabled = /cluster_enabled:1/.test(await probe.info('cluster'));
  } catch (e) {
    throw new ValkeyError(`--valkey: cannot reach ${urls[0]}: ${cause || (e as Error).message}`, 2);
  } finally {
    probe.disconnect();
  }
  let store: Store;
  if (clusterEnabled || nodes.length > 1) {
    const { password, username } = nodes[0];
    store = new Cluster(
      nodes.map(({ host, port }) => ({ host, port })),
      {
        // Off for a cluster: ioredis 6's automatic pipelines reject a script call whose keys it
        // groups by another slot. Commands still go out without waiting for the replies before them.
        enableAutoPipelining: false,
        clusterRetryStrategy: backoff,
        lazyConnect: true,
        redisOptions: {
          maxRetriesPerRequest: null,
          ...(password ? { password } : {}),
          ...(username ? { username } : {}),
        },
      },
    );
  } else {
    store = new Redis({ ...common, ...nodes[0] });
  }
  // Failures reach the commands that fail (after the retries); the events would only repeat them.
  store.on('error', () => {});
  store.defineCommand('svmsimInsert', { lua: INSERT });
  store.defineCommand('svmsimFinish', { lua: FINISH, numberOfKeys: 2 });
  try {
    await store.connect();
    if (store instanceof Cluster) await waitForCluster(store);
  } catch (e) {
    store.disconnect();
    throw new ValkeyError(`--valkey: cannot connect to ${urls.join(',')}: ${(e as Error).message}`, 2);
  }
  return store as Client;
}

async function waitForCluster(cluster: Cluster): Promise<void> {
  const info = await cluster.cluster('INFO');
  if (!/cluster_state:ok/.test(String(info)))
    throw new Error('the cluster is not ready (cluster_state is not ok)');
}

/** The message a command's failure gives the user: the store was lost. */
export function lost(e: unknown): ValkeyError {
  if (e instanceof ValkeyError) return e;
  return new ValkeyError(
    `lost the Valkey/Redis store (${(e as Error).message}) after retrying for ${RETRY_SECONDS} s; ` +
      'the search is checkpointed in the store at its last completed level: once the store is back ' +
      'with its data, resume it with --resume',
    3,
  );
}

/** Redis Cluster's key slot: CRC16 (XMODEM) of the key, or of its hash tag, mod 16384. */
export function keySlot(key: string): number {
  let s = key.indexOf('{');
  let part = key;
  if (s >= 0) {
    const e = key.indexOf('}', s + 1);
    if (e > s + 1) part = key.slice(s + 1, e);
  }
  let crc = 0;
  const bytes = Buffer.from(part);
  for (s = 0; s < bytes.length; s++) {
    crc ^= bytes[s] << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** The key names of the search called `name`. */
export class Keys {
  readonly meta: string;
  /** Per partition: its hash tag (braces included). */
  private readonly tags: string[];

  constructor(name: string) {
    if (!/^[\w.-]+$/.test(name)) {
      throw new ValkeyError(`--search: '${name}' must be letters, digits, '.', '_' or '-'`, 2);
    }
    this.meta = `{svmsim:${name}}:meta`;
    this.tags = Array.from({ length: PARTITIONS }, (_, p) => {
      const slice = 16384 / PARTITIONS;
      for (let k = 0; ; k++) {
        const tag = `{svmsim:${name}:${p}.${k}}`;
        if (Math.floor(keySlot(tag) / slice) === p) return tag;
      }
    });
  }

  /** The bucket of the visited set that holds signatures of `partition`'s bucket `bucket`. */
  bucket(partition: number, bucket: number): string {
    return `${this.tags[partition]}v${bucket}`;
  }
  /** Which chunk of level `depth`'s expansion inserted each new state of `partition` (signature → chunk). */
  owners(partition: number, depth: number): string {
    return `${this.tags[partition]}n${depth}`;
  }
  /** Shard s's stream of the frontier of states at `depth` (the seed's at depth -1). */
  frontier(shard: number, depth: number): string {
    return `${this.tags[shard]}f${depth}`;
  }
  /** Shard s's record of the chunks of level `depth` that are expanded (chunk → counts). */
  done(shard: number, depth: number): string {
    return `${this.tags[shard]}d${depth}`;
  }
  /** A worker's heartbeat. */
  worker(id: string): string {
    return `${this.meta}:w:${id}`;
  }
  /** Every key of partition p that exists whatever the level: its buckets. */
  buckets(partition: number): string[] {
    return Array.from({ length: 1 << BUCKET_BITS }, (_, b) => this.bucket(partition, b));
  }
}

/** The consumer group every frontier stream has. */
export const GROUP = 'w';

/**
 * A signature's partition, bucket and member: the top PARTITION_BITS of its first half, the next
 * BUCKET_BITS, and the 64 bits as a signed decimal integer (which the server stores in an intset).
 */
export function signatureMember(h1: number, h2: number): string {
  return BigInt.asIntN(64, (BigInt(h1) << 32n) | BigInt(h2 >>> 0)).toString();
}
export const partitionOf = (h1: number): number => h1 >>> (32 - PARTITION_BITS);
export const bucketOf = (h1: number): number =>
  (h1 >>> (32 - PARTITION_BITS - BUCKET_BITS)) & ((1 << BUCKET_BITS) - 1);

/** The shard a chunk's new states go to: any fixed function of the chunk spreads them. */
export function shardOf(chunk: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < chunk.length; i++) h = Math.imul(h ^ chunk.charCodeAt(i), 0x01000193);
  return (h >>> 0) % PARTITIONS;
}

/** What a chunk's expansion counted, as stored in its done record. */
export interface ChunkCounts {
  transitions: number;
  /** States this chunk inserted (its parts hold them). */
  states: number;
  ampleStates: number;
  provisoFallbacks: number;
  canonicalized: number;
  /** The shallowest violation it met: kind, code, depth. */
  violation: ['state' | 'quiescent', number, number] | null;
}
