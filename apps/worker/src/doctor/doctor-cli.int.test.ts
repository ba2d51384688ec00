import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator, type RunningSimulator } from '@betang/pve-simulator';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { betangSimOptions } from '../testing/betang-access';
import { loadBetangRole } from './role-file';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../../..');

function doctor(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'apps/worker/src/doctor/cli.ts'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm run doctor', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    // The catalog template 9000 on ceph and an address pool on vmbr0, as a real installation has them.
    await makeQueuedProvisionRun(t.db, { enqueue: false });
    sim = await startSimulator({ timeFactor: 0, authFailureDelayMs: 0, ...betangSimOptions(loadBetangRole(), 'pve9') });
    dir = mkdtempSync(join(tmpdir(), 'betang-doctor-'));
    writeFileSync(join(dir, 'ca.pem'), sim.caPem);
    env = {
      DATABASE_URL: t.url,
      PVE_URL: sim.url,
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: sim.tokenSecret,
      PVE_CA_FILE: join(dir, 'ca.pem'),
      PVE_POOL: 'customers',
      PVE_VMID_MIN: '100000',
      PVE_VMID_MAX: '100999',
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await sim?.close();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should exit 0 with a clean bilingual report against a correctly set-up cluster', async () => {
    const r = await doctor(env);
    expect(r.stderr).not.toMatch(/error|kesalahan/i);
    expect(r.stdout).toContain('Tidak ada masalah / no problems found.');
    expect(r.stdout).toMatch(/\[OK\] +template: Template .* \(9000\) di node pve1/);
    expect(r.code).toBe(0);
  });

  it('should exit 1 and name the missing privilege with its fix', async () => {
    sim.faults.revoke('/storage/ceph', { tokens: [sim.tokenId] });
    const r = await doctor(env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Token tidak punya Datastore.AllocateSpace pada /storage/ceph');
    expect(r.stdout).toContain('The token lacks Datastore.Audit on /storage/ceph');
    expect(r.stdout).toContain(`pveum acl modify /storage/ceph -tokens '${sim.tokenId}' -roles BetangStorage`);
  });

  it('should refuse to start without PVE_POOL, in both languages', async () => {
    const { PVE_POOL: _pool, ...rest } = env;
    const r = await doctor(rest);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/PVE_POOL wajib diisi.*PVE_POOL is required/s);
  });
});
