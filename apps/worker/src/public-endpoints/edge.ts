import { heldPublicEndpoints, lockForTransaction, type Db, type PublicEndpoint } from '@betang/db';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderMappingsJson, renderNftables } from './nat-rules';

/**
 * Where the NAT mappings go so the office's edge applies them. `publish` receives every held
 * endpoint (never a difference), so publishing twice, or after a crash, leaves the same state.
 */
export interface PublicEdge {
  /** A short name for logs and step details. */
  readonly name: string;
  publish(endpoints: readonly PublicEndpoint[]): Promise<{ changed: boolean }>;
}

/** The mappings stay in the database only (table public_endpoints): the office's edge reads them there. */
export function databaseOnlyEdge(): PublicEdge {
  return { name: 'database', publish: async () => ({ changed: false }) };
}

export const NFT_FILE = 'betang-nat.nft';
export const JSON_FILE = 'betang-nat.json';

/**
 * Files in `dir` the edge loads: `betang-nat.nft` (nftables) and `betang-nat.json`. Each is
 * written to a temporary file and renamed over the old one, so a reader never sees half a file;
 * an unchanged file is not rewritten (its mtime, which a path watcher reacts to, stays).
 */
export function fileEdge(dir: string): PublicEdge {
  const put = async (name: string, text: string): Promise<boolean> => {
    const target = path.join(dir, name);
    const before = await readFile(target, 'utf8').catch(() => undefined);
    if (before === text) return false;
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, target);
    return true;
  };
  return {
    name: `files in ${dir}`,
    async publish(endpoints) {
      await mkdir(dir, { recursive: true });
      const nft = await put(NFT_FILE, renderNftables(endpoints));
      const json = await put(JSON_FILE, renderMappingsJson(endpoints));
      return { changed: nft || json };
    },
  };
}

/** Serialises edge publications across worker processes, so an older reading never overwrites a newer one. */
const EDGE_LOCK = 'public-endpoints:edge';

/**
 * Publishes the held endpoints to the edge, reading them under a lock held until the edge has
 * them: two workers publishing at once write one after the other, each what it read last. Safe
 * to run any number of times.
 */
export async function syncEdge(db: Db, edge: PublicEdge): Promise<{ endpoints: number; changed: boolean }> {
  return db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, EDGE_LOCK);
    const endpoints = await heldPublicEndpoints(tx);
    const { changed } = await edge.publish(endpoints);
    return { endpoints: endpoints.length, changed };
  });
}

/** The worker's internet-access deps from its settings: none without a public pool; the file edge when a directory is set. */
export function publicEndpointsFromConfig(config: {
  PUBLIC_NAT_ADDRESSES?: readonly string[] | undefined;
  PUBLIC_NAT_EDGE_DIR?: string | undefined;
}): { pool: readonly string[]; edge: PublicEdge } | undefined {
  if (!config.PUBLIC_NAT_ADDRESSES || config.PUBLIC_NAT_ADDRESSES.length === 0) return undefined;
  return {
    pool: config.PUBLIC_NAT_ADDRESSES,
    edge: config.PUBLIC_NAT_EDGE_DIR ? fileEdge(config.PUBLIC_NAT_EDGE_DIR) : databaseOnlyEdge(),
  };
}
