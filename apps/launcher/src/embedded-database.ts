import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { serializeExtendedQueries } from './pglite-serializer';
import { makeTreePrivate } from './private-home';

export type EmbeddedDatabase = { url: string; socketPath: string; close(): Promise<void> };

/** The file name `pg` (like libpq) looks for in a socket directory, for the default port. */
const SOCKET_NAME = '.s.PGSQL.5432';
/** sun_path holds 108 bytes on Linux; stay clear of it. */
const MAX_SOCKET_PATH = 100;

/** True when something accepts connections on the Unix socket at `socketPath`. */
function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * The directory for the database socket: `preferred` (inside the private home) created 0700, or,
 * when that path is too long for a Unix socket, a fresh 0700 directory under the system's temp
 * directory (removed on close). A socket left by a launcher that was killed is removed; one that
 * still answers means another launcher uses this home, which PGlite's single writer can not allow.
 */
async function socketDirectory(preferred: string): Promise<{ dir: string; temporary: boolean }> {
  if (path.join(preferred, SOCKET_NAME).length > MAX_SOCKET_PATH)
    return { dir: mkdtempSync(path.join(tmpdir(), 'betang-pg-')), temporary: true };
  mkdirSync(preferred, { recursive: true, mode: 0o700 });
  makeTreePrivate(preferred);
  const socketPath = path.join(preferred, SOCKET_NAME);
  if (await socketAnswers(socketPath)) {
    throw new Error(
      `basis data tertanam sudah dipakai Betang lain (${socketPath}) / the embedded database is already in use by another Betang`,
    );
  }
  rmSync(socketPath, { force: true });
  return { dir: preferred, temporary: false };
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly) with its data in `dataDir`, served over the
 * PostgreSQL wire protocol on a Unix socket in `socketDir`, so the api and worker processes use
 * plain `pg` as they would against a real server. Data persists across restarts.
 *
 * Access control is the file system's: pglite-socket has no authentication (every client is the
 * superuser), so it never listens on TCP, where any local user could connect. The socket lives
 * in a 0700 directory inside the private home, reachable by this user only, as PostgreSQL's own
 * "local" connections are. The data directory is tightened to 0700/0600 after PGlite opens it
 * and again on close (PGlite writes its files world-readable whatever the umask).
 *
 * Workarounds from docs/decisions/embedded-defaults.md: a session-level search_path that includes
 * BullMQ's schema (pglite-socket ignores startup options), enough socket connections for
 * every pool (the default is one), and extended-protocol sequences kept together
 * (pglite-serializer.ts).
 */
export async function startEmbeddedDatabase(dataDir: string, socketDir: string): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const socket = await socketDirectory(socketDir);
  const socketPath = path.join(socket.dir, SOCKET_NAME);
  const db = await PGlite.create({ dataDir });
  makeTreePrivate(dataDir);
  await db.exec('SET search_path TO public, bullmq');
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 64 });
  serializeExtendedQueries(server);
  await server.start();
  const url = new URL('postgres://postgres@localhost/postgres');
  url.searchParams.set('host', socket.dir);
  return {
    url: url.toString(),
    socketPath,
    async close() {
      await server.stop();
      await db.close();
      try {
        unlinkSync(socketPath);
      } catch {
        // already gone
      }
      if (socket.temporary) rmSync(socket.dir, { recursive: true, force: true });
      makeTreePrivate(dataDir);
    },
  };
}
