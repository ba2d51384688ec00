/*
 * `node --import tsx bench/profile-api.ts`: where the API's time goes under the status-read load
 * of the API benchmark. Boots the bench stack with the API under --cpu-prof, loads it with
 * autocannon for PROFILE_SECONDS (10), counts the SQL statements per request (pg_stat_statements
 * is not needed: PostgreSQL's own counter of committed + rolled back transactions and the
 * statement log are read instead), then prints the top self-time functions of the profile.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { signIn } from '@betang/testkit';
import { startStack } from './support/stack';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

/** Self time by function (and by package/file), in percent of all samples. */
export function topSelfTime(profile: Profile, limit = 25): Array<{ where: string; percent: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const n = byId.get(id);
    if (!n) continue;
    const file = n.callFrame.url
      .replace(/^file:\/\//, '')
      .replace(/^.*node_modules\//, 'node_modules/')
      .replace(/^.*\/work\/main\//, '');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length || 1;
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([where, c]) => ({ where, percent: (c / total) * 100 }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'betang-api-prof-'));
  const stack = await startStack({
    requests: 5,
    nodes: 3,
    timeFactor: 0,
    workerConcurrency: 4,
    label: 'prof',
    apiNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  try {
    const { ids, approveAll } = await stack.submit(5);
    await approveAll();
    const session = await signIn(stack.apiBase, stack.operatorEmail);
    const before = await sql<{
      n: number;
    }>`SELECT (xact_commit + xact_rollback)::int AS n FROM pg_stat_database WHERE datname = current_database()`.execute(stack.db);
    const seconds = Number(process.env.PROFILE_SECONDS ?? '10');
    const r = await autocannon({
      url: `${stack.apiBase}/api/v1/vps-requests/${ids[0]}`,
      headers: { cookie: session.cookie },
      connections: 10,
      duration: seconds,
    });
    const after = await sql<{
      n: number;
    }>`SELECT (xact_commit + xact_rollback)::int AS n FROM pg_stat_database WHERE datname = current_database()`.execute(stack.db);
    const xacts = (after.rows[0]?.n ?? 0) - (before.rows[0]?.n ?? 0);
    console.log(
      JSON.stringify({
        rps: r.requests.average,
        p99: r.latency.p99,
        requests: r.requests.total,
        transactionsPerRequest: xacts / Math.max(1, r.requests.total),
      }),
    );
  } finally {
    await stack.close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  console.log(`profile: ${path.join(dir, file)}`);
  for (const row of topSelfTime(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile))
    console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.where}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
