import { getClusterSelfCheck } from '@betang/db';
import { createPveClient } from '@betang/proxmox';
import { startSimulator, type RunningSimulator } from '@betang/pve-simulator';
import { createTestDatabase, makeQueuedProvisionRun, testLogOptions, type TestDatabase } from '@betang/testkit';
import { pino } from 'pino';
import { betangSimOptions } from '../testing/betang-access';
import { loadBetangRole } from './role-file';
import { startSelfCheck } from './self-check';

describe('startSelfCheck', () => {
  let t: TestDatabase;
  let sim: RunningSimulator;
  const role = loadBetangRole();

  beforeAll(async () => {
    t = await createTestDatabase();
    await makeQueuedProvisionRun(t.db, { enqueue: false });
    sim = await startSimulator({ timeFactor: 0, authFailureDelayMs: 0, ...betangSimOptions(role, 'pve9') });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.drop();
  });

  it('should store, log and report on /readyz each missing privilege and missing pool, and clear once fixed', async () => {
    const pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5_000 });
    const lines: string[] = [];
    const logger = pino(testLogOptions('self-check'), { write: (l: string) => void lines.push(l) });
    const config = { PVE_TOKEN_ID: sim.tokenId, PVE_POOL: 'customers', PVE_VMID_MIN: 100_000, PVE_VMID_MAX: 100_999 };
    sim.faults.setRole('BetangVM', [
      'VM.Allocate',
      'VM.Audit',
      'VM.Config.CPU',
      'VM.Config.Memory',
      'VM.Config.Network',
      'VM.Config.Options',
      'VM.PowerMgmt',
      'VM.Snapshot',
      'VM.Console',
      'VM.Backup',
      'VM.GuestAgent.Unrestricted',
      'Pool.Audit',
    ]);
    const check = startSelfCheck({ db: t.db, pve, logger, config: { ...config, PVE_POOL: 'nowhere' } }, 0);
    try {
      const report = await check.runOnce();
      expect(report?.problems).toBeGreaterThan(0);
      const stored = await getClusterSelfCheck(t.db);
      const errors = (stored?.findings ?? []).filter((f) => f.level === 'error').map((f) => `${f.check} ${f.subject}`);
      // The pool the worker is configured with does not exist, and its ACL is not where the token's rights are.
      expect(errors).toEqual(expect.arrayContaining(['pool nowhere', 'permission /pool/nowhere VM.Allocate']));
      expect(stored?.problems).toBe(errors.length);
      const health = await check.health.check();
      expect(health.ok).toBe(false);
      expect(health.reason?.id).toMatch(/masalah \(npm run doctor\): .*\/pool\/nowhere VM\.Allocate: Token tidak punya VM\.Allocate/);
      expect(health.reason?.en).toMatch(/problem\(s\).*nowhere: Pool nowhere cannot be read/);
      expect(lines.join('\n')).toMatch(/Token tidak punya VM\.Config\.Disk pada \/pool\/nowhere.* \/ The token lacks VM\.Config\.Disk/);
    } finally {
      check.stop();
    }
    // Configured as set up (but the role still lacks VM.Config.Disk): exactly that is reported.
    const again = startSelfCheck({ db: t.db, pve, logger, config }, 0);
    try {
      await again.runOnce();
      const stored = await getClusterSelfCheck(t.db);
      expect((stored?.findings ?? []).filter((f) => f.level === 'error').map((f) => `${f.check} ${f.subject}`)).toEqual([
        'permission /pool/customers VM.Config.Disk',
      ]);
      sim.faults.loadAccess(betangSimOptions(role, 'pve9').access ?? {});
      await again.runOnce();
      expect((await getClusterSelfCheck(t.db))?.problems).toBe(0);
      expect(await again.health.check()).toMatchObject({ ok: true });
    } finally {
      again.stop();
      await pve.close();
    }
  });
});
