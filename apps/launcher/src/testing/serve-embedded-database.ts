/*
 * Test helper: `node --import tsx serve-embedded-database.ts <dataDir> <socketDir>` starts the
 * embedded database (PGlite needs ESM dynamic imports, which jest's VM does not allow), prints
 * `{"url","socketPath"}` as one line, and closes it cleanly on SIGTERM, then exits.
 */
import { startEmbeddedDatabase } from '../embedded-database';

async function main(): Promise<void> {
  const [dataDir, socketDir] = process.argv.slice(2);
  if (!dataDir || !socketDir) throw new Error('usage: serve-embedded-database <dataDir> <socketDir>');
  const database = await startEmbeddedDatabase(dataDir, socketDir);
  process.once('SIGTERM', () => {
    void database.close().then(() => process.exit(0));
  });
  console.log(JSON.stringify({ url: database.url, socketPath: database.socketPath }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
