/*
 * `npm run db:codegen [-- --check]`: migrates a scratch database on ADMIN_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), generates the table types with
 * kysely-codegen into src/schema.generated.ts, and drops the scratch database.
 * With --check it fails when the committed file differs (run by CI).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { camelUnits } from '../case-plugin';
import { createDatabase } from '../database';
import { migrateToLatest } from '../migrate';

const adminUrl = process.env.ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const target = path.resolve(__dirname, '../schema.generated.ts');
const check = process.argv.includes('--check');

async function main(): Promise<void> {
  const name = `betang_codegen_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const out = check ? path.join(tmpdir(), `${name}.ts`) : target;
  try {
    const db = createDatabase({ connectionString: url.toString(), poolMax: 1 });
    await migrateToLatest(db);
    await db.destroy();
    execFileSync(
      process.execPath,
      [
        require.resolve('kysely-codegen/dist/cli/bin.js'),
        '--dialect=postgres',
        '--camel-case',
        '--date-parser=string',
        '--numeric-parser=number',
        '--type-mapping={"int8":"number"}',
        '--exclude-pattern=kysely_*',
        `--url=${url.toString()}`,
        `--out-file=${out}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    // kysely-codegen's camelCase spells memory_mib `memoryMiB`; the database's case plugin says
    // `memoryMiB`, and the types must name the keys the plugin produces.
    writeFileSync(
      out,
      readFileSync(out, 'utf8').replace(
        /^(\s+)(\w+)(\??):/gm,
        (_line, indent: string, name: string, optional: string) => `${indent}${camelUnits(name)}${optional}:`,
      ),
    );
    if (check) {
      const fresh = readFileSync(out, 'utf8');
      rmSync(out);
      if (fresh !== readFileSync(target, 'utf8')) {
        console.error('schema.generated.ts is stale: run `npm run db:codegen` and commit the result.');
        process.exitCode = 1;
      } else console.log('schema.generated.ts is up to date');
    } else console.log(`wrote ${path.relative(process.cwd(), target)}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
