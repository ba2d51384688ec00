import type { Flavour } from '../options';
import { PveError } from '../server/pve-error';
import type { AccessSpec, AclSpec } from './access-spec';
import { builtinRoles, validPrivileges } from './privileges';

export type { AccessSpec, AclSpec } from './access-spec';

/** Privilege name → propagate flag, as `$rpcenv->permissions()` returns it. */
type PrivMap = Map<string, boolean>;

interface AclEntry {
  kind: 'user' | 'token';
  id: string;
  roleid: string;
  propagate: boolean;
}

const DEFAULT_PATHS = ['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms'];

/** PVE's normalize_path: collapse slashes, no trailing slash, leading slash. */
export function normalizeAclPath(path: string): string {
  let p = path.replace(/\/+/g, '/').replace(/\/$/, '');
  if (p === '') p = '/';
  if (!p.startsWith('/')) p = `/${p}`;
  return p;
}

/** 403 as PVE's raise_perm_exc words it ("Permission check failed" plus the detail, if any). */
export function permissionError(what?: string): PveError {
  return new PveError(403, what ? `Permission check failed (${what})` : 'Permission check failed');
}

/**
 * PVE's permission model (pve-access-control RPCEnvironment::permissions and AccessControl::roles):
 * ACLs on paths with propagation (a deeper ACL for the same user/token replaces the roles
 * inherited from above), VMs inheriting the roles set on their pool (never propagated, never
 * trumping NoAccess), root@pam with every privilege, API tokens with privilege separation seeing
 * the intersection of their own and their user's privileges, a token without privsep seeing
 * the user's. No groups (Betang's setup uses none).
 */
export class AccessControl {
  readonly roles = new Map<string, Set<string>>();
  private readonly acl = new Map<string, AclEntry[]>();
  /** user.cfg load warnings (e.g. "ignore invalid privilege 'VM.Monitor'" on PVE 9). */
  readonly warnings: string[] = [];
  /** Privileges taken out of every role by the deny-privilege fault. */
  readonly masked = new Set<string>();
  private readonly valid: Set<string>;

  constructor(
    readonly flavour: Flavour,
    private readonly tokenInfo: (tokenid: string) => { privsep: boolean } | undefined,
    private readonly poolOf: (vmid: number) => string | undefined,
    private readonly poolMembers: () => Array<[string, number[]]>,
  ) {
    this.valid = validPrivileges(flavour);
    for (const [name, privs] of builtinRoles(flavour)) this.roles.set(name, privs);
  }

  /** True when the flavour knows this privilege name. */
  isValidPrivilege(priv: string): boolean {
    return this.valid.has(priv);
  }

  /** Creates or replaces a custom role; unknown privileges are dropped as user.cfg loading drops them. */
  setRole(name: string, privs: string[]): void {
    const kept = new Set<string>();
    for (const p of privs) {
      if (this.valid.has(p)) kept.add(p);
      else this.warnings.push(`user config - ignore invalid privilege '${p}'`);
    }
    this.roles.set(name, kept);
  }

  /** Adds (or updates) an ACL, as `pveum acl modify PATH --roles R --users U --tokens T`. */
  addAcl(spec: AclSpec): void {
    if (!this.roles.has(spec.roleid)) throw new Error(`role '${spec.roleid}' does not exist`);
    const path = normalizeAclPath(spec.path);
    const list = this.acl.get(path) ?? [];
    const propagate = spec.propagate ?? true;
    const put = (kind: 'user' | 'token', id: string): void => {
      const old = list.find((e) => e.kind === kind && e.id === id && e.roleid === spec.roleid);
      if (old) old.propagate = propagate;
      else list.push({ kind, id, roleid: spec.roleid, propagate });
    };
    for (const u of spec.users ?? []) put('user', u);
    for (const t of spec.tokens ?? []) put('token', t);
    this.acl.set(path, list);
  }

  /** Removes an ACL (`pveum acl delete`); without a role, every role of that user/token there. */
  removeAcl(path: string, who: { users?: string[]; tokens?: string[] }, roleid?: string): void {
    const p = normalizeAclPath(path);
    const list = (this.acl.get(p) ?? []).filter(
      (e) => !((e.kind === 'user' ? who.users : who.tokens)?.includes(e.id) && (roleid === undefined || e.roleid === roleid)),
    );
    this.acl.set(p, list);
  }

  /** Replaces every custom role and ACL. */
  load(spec: AccessSpec): void {
    for (const name of [...this.roles.keys()]) if (!builtinRoles(this.flavour).has(name)) this.roles.delete(name);
    this.acl.clear();
    for (const [name, privs] of Object.entries(spec.roles ?? {})) this.setRole(name, privs);
    for (const a of spec.acls ?? []) this.addAcl(a);
  }

  /** The ACL entries, for the admin API and the CLI. */
  listAcls(): Array<{ path: string } & AclEntry> {
    return [...this.acl.entries()].flatMap(([path, list]) => list.map((e) => ({ path, ...e })));
  }

  /** AccessControl::roles(): role → propagate for a user or token on a path (no pools). */
  private rolesOn(authid: string, kind: 'user' | 'token', path: string): Map<string, boolean> {
    let roles = new Map<string, boolean>();
    const parts = path === '/' ? [''] : path.split('/');
    let cur = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      cur = part === '' ? '/' : cur === '/' ? `/${part}` : `${cur}/${part}`;
      const final = i === parts.length - 1;
      const here = (this.acl.get(cur) ?? []).filter((e) => e.kind === kind && e.id === authid && (final || e.propagate));
      if (here.length > 0) roles = new Map(here.map((e) => [e.roleid, e.propagate]));
    }
    const noAccess = roles.get('NoAccess');
    return noAccess === undefined ? roles : new Map([['NoAccess', noAccess]]);
  }

  private privsOfRoles(roles: Map<string, boolean>): PrivMap {
    const privs: PrivMap = new Map();
    for (const [role, propagate] of roles) {
      for (const p of this.roles.get(role) ?? []) if (!this.masked.has(p)) privs.set(p, (privs.get(p) ?? false) || propagate);
    }
    return privs;
  }

  /** compile_acl_path: the path's roles plus, for a pool member, the pool's (never propagated). */
  private compile(authid: string, kind: 'user' | 'token', path: string): PrivMap {
    const roles = this.rolesOn(authid, kind, path);
    const vm = /^\/vms\/(\d+)$/.exec(path);
    const pool = vm ? this.poolOf(Number(vm[1])) : undefined;
    if (pool && !roles.has('NoAccess')) {
      const poolRoles = this.rolesOn(authid, kind, `/pool/${pool}`);
      if (poolRoles.has('NoAccess')) return new Map();
      for (const role of poolRoles.keys()) if (!roles.has(role)) roles.set(role, false);
    }
    return this.privsOfRoles(roles);
  }

  /** `$rpcenv->permissions($authid, $path)`. */
  permissions(authid: string, path: string): PrivMap {
    if (authid === 'root@pam')
      return new Map([...(this.roles.get('Administrator') ?? [])].filter((p) => !this.masked.has(p)).map((p) => [p, true]));
    const bang = authid.indexOf('!');
    if (bang < 0) return this.compile(authid, 'user', path);
    const info = this.tokenInfo(authid);
    if (!info) return new Map();
    const user = this.permissions(authid.slice(0, bang), path);
    if (!info.privsep) return user;
    const own = this.compile(authid, 'token', path);
    const out: PrivMap = new Map();
    for (const [p, prop] of own) {
      const u = user.get(p);
      if (u !== undefined) out.set(p, u && prop);
    }
    return out;
  }

  /** `$rpcenv->check`: every privilege, or 403 naming the first missing one. */
  check(authid: string, path: string, privs: string[], noerr = false): boolean {
    const have = this.permissions(authid, path);
    for (const p of privs) {
      if (!have.has(p)) {
        if (noerr) return false;
        throw permissionError(`${path}, ${p}`);
      }
    }
    return true;
  }

  /** `$rpcenv->check_any`: one of the privileges, or 403 naming them all joined by `|`. */
  checkAny(authid: string, path: string, privs: string[], noerr = false): boolean {
    const have = this.permissions(authid, path);
    if (privs.some((p) => have.has(p))) return true;
    if (noerr) return false;
    throw permissionError(`${path}, ${privs.join('|')}`);
  }

  /**
   * `$rpcenv->check_vm_perm($user, $vmid, undef, ...)` as qemu-server calls it (no pool
   * argument): /vms/{vmid}, where a pool member already carries its pool's roles.
   */
  checkVm(authid: string, vmid: number, privs: string[], any = false): boolean {
    const path = `/vms/${vmid}`;
    return any ? this.checkAny(authid, path, privs) : this.check(authid, path, privs);
  }

  /** get_effective_permissions(): every default, ACL and pool-member path with a non-empty set. */
  effective(authid: string): Record<string, Record<string, number>> {
    const paths = new Set(DEFAULT_PATHS);
    for (const p of this.acl.keys()) if ((this.acl.get(p) ?? []).length > 0) paths.add(p);
    for (const [, vmids] of this.poolMembers()) for (const id of vmids) paths.add(`/vms/${id}`);
    const out: Record<string, Record<string, number>> = {};
    for (const p of [...paths].sort()) {
      const privs = this.permissions(authid, p);
      if (privs.size > 0) out[p] = mapToObject(privs);
    }
    return out;
  }
}

/** `{priv: 0|1}` in sorted order, as PVE's JSON. */
export function mapToObject(privs: PrivMap): Record<string, number> {
  return Object.fromEntries([...privs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, prop]) => [p, prop ? 1 : 0]));
}
