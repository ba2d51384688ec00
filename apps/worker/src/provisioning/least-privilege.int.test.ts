import { createPveClient } from '@betang/proxmox';
import { DEFAULT_TOKEN_ID, DEFAULT_TOKEN_SECRET } from '@betang/pve-simulator';
import { createTestDatabase, makeOperator, type TestDatabase } from '@betang/testkit';
import type { DoctorInput } from '../doctor/doctor';
import { loadBetangRole } from '../doctor/role-file';
import { betangSimOptions, SIM_TARGETS } from '../testing/betang-access';
import { runBetangOperations } from '../testing/betang-operations';
import { startProvisioningEnv } from '../testing/provisioning-env';

jest.setTimeout(300_000);

const role = loadBetangRole();
/**
 * What the doctor expects on a cluster with shared (Ceph, backups to PBS) or per-node local
 * (LVM-thin, backups to each node's `local` directory) storage.
 */
function doctorInput(storage: 'ceph' | 'local-lvm'): Omit<DoctorInput, 'role'> {
  return {
    targets: { ...SIM_TARGETS, storages: [storage], backupStorages: [storage === 'ceph' ? 'pbs' : 'local'] },
    networks: [{ bridge: 'vmbr0', vlanTag: null }],
    templates: [{ vmid: 9000, name: 'debian-12-cloud', node: 'pve1', storage }],
    vmidRange: { min: 100_000, max: 100_999 },
  };
}

describe('the Betang token with exactly betang-role.json', () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
    await makeOperator(t.db);
  });
  afterEach(async () => {
    await t?.drop();
  });

  it.each([
    ['pve8', 'shared'],
    ['pve9', 'shared'],
    ['pve8', 'local'],
    ['pve9', 'local'],
  ] as const)(
    'should provision, stop, start, resize, snapshot, back up, restore, reconcile, self-check and destroy (%s, %s storage)',
    async (flavour, layout) => {
      const input = doctorInput(layout === 'local' ? 'local-lvm' : 'ceph');
      const env = await startProvisioningEnv(
        t.db,
        { ...betangSimOptions(role, flavour, undefined, input.targets), storageLayout: layout },
        { PVE_POOL: 'customers' },
      );
      const root = createPveClient({
        baseUrl: env.sim.url,
        tokenId: DEFAULT_TOKEN_ID,
        tokenSecret: DEFAULT_TOKEN_SECRET,
        ca: env.sim.caPem,
        timeoutMs: 5_000,
      });
      try {
        expect(env.sim.tokenId).toBe('betang@pve!worker');
        const outcomes = await runBetangOperations(env, env.deps, { ...env.deps, pve: root }, t.db, {
          pve: env.pve,
          input: { role, ...input },
        });
        for (const [op, o] of Object.entries(outcomes)) expect(`${op}: ${o.ok ? 'ok' : o.detail}`).toBe(`${op}: ok`);
        // Every VM it made is in its pool: that is where its rights are.
        const made = env.sim.state.listVms().filter((v) => v.vmid >= 100_000);
        expect(made.length).toBeGreaterThan(0);
        for (const v of made) expect(v.pool).toBe('customers');
      } finally {
        await root.close();
        await env.close();
      }
    },
  );
});
