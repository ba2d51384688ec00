import { requiredGrants, type BetangRole, type RoleTargets } from '@betang/proxmox';
import { DEFAULT_TOKEN_ID, DEFAULT_TOKEN_SECRET, type SimulatorOptions } from '@betang/pve-simulator';

/** The Betang token tests run under (the secret is test-only). */
export const BETANG_TEST_TOKEN_SECRET = '0b7c3d9e-4f10-4c61-9a51-2f6c0b1e8d7a';

/** The simulator's layout filled into the role's paths. */
export const SIM_TARGETS: RoleTargets = {
  pool: 'customers',
  templatesPool: 'templates',
  storages: ['ceph'],
  backupStorages: ['pbs'],
  // vmbr9: the port-less bridge test restores boot their copies on
  bridges: ['vmbr0', 'vmbr9'],
};

/**
 * Simulator options whose first token is the role file's privilege-separated token, with the
 * user and the token granted exactly what create-betang-role.sh grants (roles named as in the
 * file); the second token is root's (`DEFAULT_TOKEN_ID`, unseparated) for a test's own setup.
 * `without` takes one privilege out of one role (the minimality test).
 */
export function betangSimOptions(
  role: BetangRole,
  flavour: 'pve8' | 'pve9',
  without?: { role: string; privilege: string },
  targets: RoleTargets = SIM_TARGETS,
): SimulatorOptions {
  const grants = requiredGrants(role, flavour === 'pve9' ? 9 : 8, targets);
  const tokenId = `${role.user}!${role.token}`;
  const roles: Record<string, string[]> = {};
  for (const g of grants) {
    roles[g.role] = g.privileges.map((p) => p.name).filter((p) => !(without && without.role === g.role && without.privilege === p));
  }
  return {
    flavour,
    pools: [targets.templatesPool, targets.pool],
    tokens: [
      { tokenId, secret: BETANG_TEST_TOKEN_SECRET, privsep: true },
      { tokenId: DEFAULT_TOKEN_ID, secret: DEFAULT_TOKEN_SECRET, privsep: false },
    ],
    access: { roles, acls: grants.map((g) => ({ path: g.path, roleid: g.role, users: [role.user], tokens: [tokenId] })) },
  };
}
