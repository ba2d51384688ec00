import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requiredGrants } from '@betang/proxmox';
import { loadBetangRole } from './role-file';

const SCRIPT = resolve(__dirname, '../../../../infra/proxmox/create-betang-role.sh');

/** Runs the setup script with stand-ins for pveum/pvesh/pveversion that record every call. */
function runScript(major: 8 | 9, args: string[], env: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'betang-role-sh-'));
  try {
    const log = join(dir, 'calls.log');
    const stub = (name: string, body: string): void => {
      writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    stub('pveversion', `echo "pve-manager/${major}.1.3/14a22df0 (running kernel: 6.14.11-4-pve)"`);
    stub('pveum', `case "$1 $2 $3" in "user token list") echo '[]' ;; "user token add"*) echo '{"value":"secret"}' ;; esac; exit 0`);
    stub('pvesh', 'exit 0');
    execFileSync('sh', [SCRIPT, ...args], { env: { ...env, PATH: `${dir}:${process.env.PATH ?? ''}` }, stdio: 'pipe' });
    return readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('pveversion'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('create-betang-role.sh', () => {
  const role = loadBetangRole();
  it.each([8, 9] as const)('should create exactly the roles and ACLs of betang-role.json on PVE %s', (major) => {
    const calls = runScript(major, ['templates', 'betang', 'ceph,local-lvm', 'vmbr0', 'vmbr1'], { BACKUP_STORAGES: 'pbs,local' });
    const grants = requiredGrants(role, major, {
      pool: 'betang',
      templatesPool: 'templates',
      storages: ['ceph', 'local-lvm'],
      backupStorages: ['pbs', 'local'],
      bridges: ['vmbr0', 'vmbr1'],
    });
    const roles = calls.filter((c) => c.startsWith('pveum role add'));
    expect(roles.sort()).toEqual(
      [...new Set(grants.map((g) => `pveum role add ${g.role} -privs ${g.privileges.map((p) => p.name).join(' ')}`))].sort(),
    );
    const acls = calls.filter((c) => c.startsWith('pveum acl modify'));
    const tokenId = `${role.user}!${role.token}`;
    expect(acls.sort()).toEqual(
      grants
        .flatMap((g) => [
          `pveum acl modify ${g.path} -users ${role.user} -roles ${g.role}`,
          `pveum acl modify ${g.path} -tokens ${tokenId} -roles ${g.role}`,
        ])
        .sort(),
    );
    expect(calls).toContain(
      `pveum user token add ${role.user} ${role.token} --privsep 1 --expire 0 --comment Betang worker --output-format json`,
    );
    expect(roles.join(' ').includes(major === 9 ? 'VM.Monitor' : 'VM.GuestAgent')).toBe(false);
  });

  it('should grant only AllocateSpace on the backup storage, pbs unless BACKUP_STORAGES names others', () => {
    const acls = runScript(9, ['templates', 'betang', 'ceph']).filter((c) => c.startsWith('pveum acl modify /storage/'));
    expect(acls.sort()).toEqual(
      [
        `pveum acl modify /storage/ceph -tokens ${role.user}!${role.token} -roles BetangStorage`,
        `pveum acl modify /storage/ceph -users ${role.user} -roles BetangStorage`,
        `pveum acl modify /storage/pbs -tokens ${role.user}!${role.token} -roles BetangBackup`,
        `pveum acl modify /storage/pbs -users ${role.user} -roles BetangBackup`,
      ].sort(),
    );
    expect(runScript(9, ['templates', 'betang', 'ceph'])).toContain('pveum role add BetangBackup -privs Datastore.AllocateSpace');
  });
});
