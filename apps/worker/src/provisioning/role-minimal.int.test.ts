import { createPveClient, privilegesFor, type BetangOperation } from '@betang/proxmox';
import { DEFAULT_TOKEN_ID, DEFAULT_TOKEN_SECRET } from '@betang/pve-simulator';
import { createTestDatabase, makeOperator } from '@betang/testkit';
import { loadBetangRole } from '../doctor/role-file';
import { betangSimOptions, SIM_TARGETS } from '../testing/betang-access';
import { runBetangOperations } from '../testing/betang-operations';
import { startProvisioningEnv } from '../testing/provisioning-env';

jest.setTimeout(600_000);

const role = loadBetangRole();

// Every privilege of the role on PVE 9, and on PVE 8 the one that differs (VM.Monitor): the rest
// of the PVE 8 list is the same privileges on the same paths, checked by the same calls.
const cases = [
  ...role.roles.flatMap((r) => privilegesFor(r, 9).map((p) => ['pve9', r.name, p.name, p.operations] as const)),
  ...role.roles.flatMap((r) =>
    privilegesFor(r, 8)
      .filter((p) => p.flavours?.includes('pve8'))
      .map((p) => ['pve8', r.name, p.name, p.operations] as const),
  ),
];

describe('betang-role.json is minimal', () => {
  it.each(cases)('%s: without %s %s exactly the operations that need it fail', async (flavour, roleName, privilege, operations) => {
    const t = await createTestDatabase();
    await makeOperator(t.db);
    const env = await startProvisioningEnv(t.db, betangSimOptions(role, flavour, { role: roleName, privilege }), {
      PVE_POOL: 'customers',
      STEP_RETRIES: 0,
    });
    const root = createPveClient({
      baseUrl: env.sim.url,
      tokenId: DEFAULT_TOKEN_ID,
      tokenSecret: DEFAULT_TOKEN_SECRET,
      ca: env.sim.caPem,
      timeoutMs: 5_000,
    });
    try {
      const outcomes = await runBetangOperations(env, env.deps, { ...env.deps, pve: root }, t.db, {
        pve: env.pve,
        input: {
          role,
          targets: SIM_TARGETS,
          networks: [{ bridge: 'vmbr0', vlanTag: null }],
          templates: [{ vmid: 9000, name: 'debian-12-cloud', node: 'pve1', storage: 'ceph' }],
          vmidRange: { min: 100_000, max: 100_999 },
        },
      });
      const failed = (Object.keys(outcomes) as BetangOperation[]).filter((op) => !outcomes[op].ok).sort();
      // An operation failing that should not carries its reason, so a failure says why.
      const unexpected = failed.filter((op) => !operations.includes(op)).map((op) => outcomes[op].detail);
      expect({ privilege, failed, unexpected }).toEqual({ privilege, failed: [...operations].sort(), unexpected: [] });
      // Each failure is explained: a refused call names the privilege (or, for clone's VM.Allocate
      // "or" check, says a check failed); a VM the token cannot see reads as missing — so
      // decommission without VM.Audit "succeeds" while the VM stays, which only this check catches.
      for (const op of failed)
        expect(`${op}: ${outcomes[op].detail}`).toMatch(
          new RegExp(
            `${privilege.replace(/\./g, '\\.')}|Permission check failed|not visible|missing|cannot be read|not found|does not exist|still exists`,
            'i',
          ),
        );
    } finally {
      await root.close();
      await env.close();
      await t.drop();
    }
  });
});
