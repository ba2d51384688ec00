import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { serializeExtendedQueries } from './pglite-serializer';

export type EmbeddedDatabase = { url: string; close(): Promise<void> };

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) with its data in `dataDir`, served over the
 * PostgreSQL wire protocol on 127.0.0.1 so the api and worker processes use plain `pg` as they
 * would against a real server. Data persists across restarts.
 *
 * Workarounds from docs/decisions/embedded-defaults.md: a session-level search_path that includes
 * BullMQ's schema (pglite-socket ignores startup options), enough socket connections for
 * every pool (the default is one), and extended-protocol sequences kept together
 * (pglite-serializer.ts).
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  await db.exec('SET search_path TO public, bullmq');
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  serializeExtendedQueries(server);
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
