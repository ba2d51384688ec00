import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The statuses of requests, runs, run steps and VMs move only through lifecycle.repository.ts,
 * which checks core's transition tables. This reads every source file of apps/ and packages/
 * (not tests, test support or migrations) and fails on an UPDATE of one of those tables that
 * writes its status column anywhere else.
 */
const ROOT = path.resolve(__dirname, '../../..');
const WRITER = path.join('packages', 'db', 'src', 'repositories', 'lifecycle.repository.ts');
const STATUS_OF: Record<string, string> = { vpsRequests: 'status', provisioningRuns: 'status', runSteps: 'status', vms: 'state' };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (['node_modules', 'dist', 'migrations', 'testing'].includes(name)) return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** `updateTable('<table>')…execute…(` statements of `text` that set the table's status column. */
function statusWrites(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/updateTable\('(\w+)'\)([\s\S]*?)\.execute/g)) {
    const [, table = '', chain = ''] = m;
    const column = STATUS_OF[table];
    if (column && new RegExp(`\\.set\\(\\{[^)]*\\b${column}\\s*:`).test(chain)) found.push(`${table}.${column}`);
  }
  return found;
}

describe('one writer per state', () => {
  it('should find a status write only in lifecycle.repository.ts', () => {
    const files = [...sources(path.join(ROOT, 'apps')), ...sources(path.join(ROOT, 'packages'))];
    expect(files.length).toBeGreaterThan(100);
    const elsewhere = files
      .flatMap((file) => statusWrites(readFileSync(file, 'utf8')).map((w) => `${path.relative(ROOT, file)}: ${w}`))
      .filter((hit) => !hit.startsWith(WRITER));
    expect(elsewhere).toEqual([]);
    expect(statusWrites(readFileSync(path.join(ROOT, WRITER), 'utf8')).sort()).toEqual([
      'provisioningRuns.status',
      'runSteps.status',
      'runSteps.status',
      'vms.state',
      'vpsRequests.status',
    ]);
  });

  it('should recognise a raw status write when it sees one', () => {
    expect(statusWrites(`await db.updateTable('vms').set({ node, state: 'failed' }).where('id', '=', id).execute();`)).toEqual([
      'vms.state',
    ]);
    expect(
      statusWrites(`await db.updateTable('provisioningRuns').set({ heartbeatAt: new Date() }).where('id', '=', id).execute();`),
    ).toEqual([]);
    expect(statusWrites(`await tx.updateTable('runSteps')\n  .set({ status: 'done' })\n  .execute();`)).toEqual(['runSteps.status']);
  });
});
