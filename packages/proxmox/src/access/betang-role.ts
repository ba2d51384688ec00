import { z } from 'zod';

const ZText = z.object({ id: z.string().min(1), en: z.string().min(1) });

/** What Betang does with a privilege; the tests prove each one fails without it. */
export const BETANG_OPERATIONS = [
  'provision',
  'power',
  'resize',
  'snapshot',
  'destroy',
  'reconcile',
  'self-check',
  'ssh-keys',
  'console',
  'backup',
  'restore',
] as const;
export type BetangOperation = (typeof BETANG_OPERATIONS)[number];

const ZPrivilege = z.object({
  name: z.string().regex(/^[A-Z][A-Za-z]+(\.[A-Za-z]+)+$/),
  /** Only on these PVE majors (VM.Monitor ≤ 8; VM.GuestAgent.* ≥ 9); default both. */
  flavours: z.array(z.enum(['pve8', 'pve9'])).optional(),
  operations: z.array(z.enum(BETANG_OPERATIONS)).min(1),
  why: ZText,
});

/** infra/proxmox/betang-role.json: the roles, their ACL paths and why each privilege is there. */
export const ZBetangRole = z.object({
  user: z.string().regex(/^[^\s@!]+@[^\s@!]+$/),
  token: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/),
  roles: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/),
        path: z.string().regex(/^\/[A-Za-z0-9/{}._-]*$/),
        privileges: z.array(ZPrivilege).min(1),
      }),
    )
    .min(1),
});
export type BetangRole = z.infer<typeof ZBetangRole>;
export type BetangPrivilege = z.infer<typeof ZPrivilege>;

/**
 * The cluster names the role's paths are filled with: `storages` hold VM disks, `backupStorages`
 * are the storages the backup policy writes to (the two lists may share a name).
 */
export type RoleTargets = { pool: string; templatesPool: string; storages: string[]; backupStorages: string[]; bridges: string[] };

/** One role on one concrete ACL path, with the privileges it carries on this PVE major. */
export type RequiredGrant = { role: string; path: string; privileges: BetangPrivilege[] };

/** Validates a parsed betang-role.json; throws a zod error naming the bad field. */
export function parseBetangRole(json: unknown): BetangRole {
  return ZBetangRole.parse(json);
}

/** The role's privileges on a PVE major (`8` or `9`). */
export function privilegesFor(role: BetangRole['roles'][number], major: 8 | 9): BetangPrivilege[] {
  const flavour = major >= 9 ? 'pve9' : 'pve8';
  return role.privileges.filter((p) => !p.flavours || p.flavours.includes(flavour));
}

/**
 * Every (role, path) the token needs: {pool}/{templatesPool} filled in, a path naming {storage},
 * {backupStorage} or {bridge} repeated for each (none when the list is empty). Pure; the same
 * list the setup script grants.
 */
export function requiredGrants(role: BetangRole, major: 8 | 9, t: RoleTargets): RequiredGrant[] {
  const out: RequiredGrant[] = [];
  for (const r of role.roles) {
    const base = r.path.replace('{pool}', t.pool).replace('{templatesPool}', t.templatesPool);
    const paths = base.includes('{backupStorage}')
      ? t.backupStorages.map((s) => base.replace('{backupStorage}', s))
      : base.includes('{storage}')
        ? t.storages.map((s) => base.replace('{storage}', s))
        : base.includes('{bridge}')
          ? t.bridges.map((b) => base.replace('{bridge}', b))
          : [base];
    for (const path of paths) out.push({ role: r.name, path, privileges: privilegesFor(r, major) });
  }
  return out;
}
