import type { Flavour } from '../options';

type Group = { root: string[]; admin: string[]; user: string[]; audit: string[] };

/**
 * PVE's privilege groups (`$privgroups` in pve-access-control's AccessControl.pm): PVE 8 as of
 * 8.4 (libpve-access-control 8.x), PVE 9 after "privileges: drop VM.Monitor" and "add
 * VM.GuestAgent privileges" (July 2025) and "add VM.Replicate privilege".
 */
function privGroups(flavour: Flavour): Record<string, Group> {
  const pve9 = flavour === 'pve9';
  return {
    VM: {
      root: [],
      admin: [
        'VM.Config.Disk',
        'VM.Config.CPU',
        'VM.Config.Memory',
        'VM.Config.Network',
        'VM.Config.HWType',
        'VM.Config.Options',
        'VM.Allocate',
        'VM.Clone',
        ...(pve9 ? ['VM.GuestAgent.Unrestricted'] : []),
        'VM.Migrate',
        ...(pve9 ? ['VM.Replicate'] : ['VM.Monitor']),
        'VM.Snapshot',
        'VM.Snapshot.Rollback',
      ],
      user: [
        'VM.Config.CDROM',
        'VM.Config.Cloudinit',
        'VM.Console',
        'VM.Backup',
        ...(pve9 ? ['VM.GuestAgent.FileRead', 'VM.GuestAgent.FileSystemMgmt', 'VM.GuestAgent.FileWrite'] : []),
        'VM.PowerMgmt',
      ],
      audit: ['VM.Audit', ...(pve9 ? ['VM.GuestAgent.Audit'] : [])],
    },
    Sys: {
      root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork'],
      admin: ['Sys.Console', 'Sys.Syslog'],
      user: [],
      audit: ['Sys.Audit'],
    },
    Datastore: {
      root: [],
      admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'],
      user: ['Datastore.AllocateSpace'],
      audit: ['Datastore.Audit'],
    },
    SDN: { root: [], admin: ['SDN.Allocate', 'SDN.Audit'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
    User: { root: ['Realm.Allocate'], admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'], user: [], audit: [] },
    Pool: { root: [], admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
    Mapping: { root: [], admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
  };
}

/** Every privilege name the flavour knows (unknown names in a role are dropped when user.cfg loads). */
export function validPrivileges(flavour: Flavour): Set<string> {
  const out = new Set(['Permissions.Modify']);
  for (const g of Object.values(privGroups(flavour))) for (const p of [...g.root, ...g.admin, ...g.user, ...g.audit]) out.add(p);
  return out;
}

/** The built-in roles exactly as create_roles() derives them from the groups. */
export function builtinRoles(flavour: Flavour): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>();
  const add = (role: string, priv: string): void => {
    let set = roles.get(role);
    if (!set) roles.set(role, (set = new Set()));
    set.add(priv);
  };
  roles.set('NoAccess', new Set());
  roles.set('Administrator', validPrivileges(flavour));
  for (const [cat, g] of Object.entries(privGroups(flavour))) {
    for (const p of [...g.admin, ...g.user, ...g.audit]) {
      add(`PVE${cat}Admin`, p);
      add('PVEAdmin', p);
    }
    if (g.user.length > 0) for (const p of [...g.user, ...g.audit]) add(`PVE${cat}User`, p);
    for (const p of g.audit) add('PVEAuditor', p);
  }
  roles.get('PVEAdmin')?.delete('Mapping.Modify');
  roles.set('PVETemplateUser', new Set(['VM.Clone', 'VM.Audit']));
  return roles;
}
