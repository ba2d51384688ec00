import { readGuestFile, runAsRoot, runAsUser, writeGuestFile } from '../guest-commands';
import { GuestPreconditionError } from '../guest-errors';
import { checkResult, type GuestStep } from './guest-step';

const HOME_PATTERN = /^\/[A-Za-z0-9._/-]+$/;
const FIRST_REGULAR_UID = 1000;

// Runs as the admin user inside its own home: reports .ssh and authorized_keys, then the keys.
const INSPECT_SCRIPT = [
  'cd "$1" || exit 4',
  "stat -c '%F:%a:%U:%G' .ssh 2>/dev/null || echo missing",
  "stat -c '%F:%a:%U:%G' .ssh/authorized_keys 2>/dev/null || echo missing",
  'if [ -f .ssh/authorized_keys ] && [ ! -L .ssh/authorized_keys ]; then cat .ssh/authorized_keys; fi',
].join('\n');

// Also as the user: a planted symlink is replaced, never followed; the rename is atomic.
const INSTALL_KEYS_SCRIPT = [
  'set -eu',
  'cd "$1"',
  'if [ -L .ssh ] || { [ -e .ssh ] && [ ! -d .ssh ]; }; then rm -f .ssh; fi',
  'mkdir -p .ssh',
  'chmod 700 .ssh',
  'tmp=$(mktemp .ssh/.authorized_keys.XXXXXX)',
  'trap \'rm -f "$tmp"\' EXIT',
  'cat > "$tmp"',
  'chmod 600 "$tmp"',
  'mv -f -T "$tmp" .ssh/authorized_keys',
].join('\n');

type Account = { uid: number; home: string; group: string; passwordField: string };
type Observed = { account: Account | null; sshDir: string; keysFile: string; keys: string | null; sudoers: string | null };

/** The exact authorized_keys content for a spec: the normalised keys, one per line. */
export function authorizedKeysContent(keys: readonly string[]): string {
  return `${keys.join('\n')}\n`;
}

/** The sudoers drop-in for the admin user: passwordless sudo (the account has no password). */
export function sudoersContent(user: string): string {
  return `# Managed by Betang.\n${user} ALL=(ALL:ALL) NOPASSWD:ALL\n`;
}

type Shell = Parameters<GuestStep['check']>[0];

/** The passwd entry of `user` (null when absent); refuses system accounts and odd homes. */
function accountFromPasswd(user: string, passwd: { code: number | null; stdout: string }): { uid: number; home: string } | null {
  if (passwd.code === 2) return null;
  const fields = passwd.stdout.trim().split(':');
  const uid = Number(fields[2]);
  const home = fields[5] ?? '';
  if (!Number.isInteger(uid) || uid < FIRST_REGULAR_UID || !HOME_PATTERN.test(home) || home.includes('..')) {
    throw new GuestPreconditionError(
      {
        id: `Akun "${user}" sudah ada di guest sebagai akun sistem (uid ${uid}, home ${home}); pilih nama pengguna lain.`,
        en: `Account "${user}" already exists on the guest as a system account (uid ${uid}, home ${home}); choose another username.`,
      },
      { user, uid, home },
    );
  }
  return { uid, home };
}

function getentPasswd(shell: Shell, user: string) {
  return runAsRoot(shell, ['getent', 'passwd', user], { okCodes: [0, 2] });
}

function isUnusablePassword(field: string): boolean {
  // '*' can never match; '' would allow a password-less `su`, '!' marks a locked account that
  // sshd refuses outright when the image runs with UsePAM no.
  return field === '*';
}

/** Admin user: account with a home, exactly the given authorized keys (700/600), sudo via /etc/sudoers.d/<user>. */
export const adminUserStep: GuestStep<Observed> = {
  key: 'admin-user',
  async check(shell, spec) {
    const user = spec.adminUser;
    if (user === shell.username) {
      throw new GuestPreconditionError(
        {
          id: `Pengguna admin "${user}" sama dengan akun yang dipakai Betang untuk mengonfigurasi guest; pilih nama lain.`,
          en: `Admin user "${user}" is the account Betang uses to configure the guest; choose another name.`,
        },
        { user },
      );
    }
    // Two batches: the passwd entry (and sudoers), then what needs the validated home.
    const [passwd, sudoers] = await Promise.all([getentPasswd(shell, user), readGuestFile(shell, `/etc/sudoers.d/${user}`)]);
    const entry = accountFromPasswd(user, passwd);
    let observed: Observed = { account: null, sshDir: 'missing', keysFile: 'missing', keys: null, sudoers };
    if (entry) {
      const [group, shadow, r] = await Promise.all([
        runAsRoot(shell, ['id', '-gn', '--', user]),
        runAsRoot(shell, ['getent', 'shadow', user], { okCodes: [0, 2] }),
        runAsUser(shell, user, ['sh', '-c', INSPECT_SCRIPT, 'sh', entry.home], { okCodes: [0, 4] }),
      ]);
      const account: Account = { ...entry, group: group.stdout.trim(), passwordField: shadow.stdout.trim().split(':')[1] ?? '' };
      const [sshDir = 'missing', keysFile = 'missing', ...rest] = r.code === 4 ? [] : r.stdout.split('\n');
      observed = { ...observed, account, sshDir, keysFile, keys: keysFile.startsWith('regular file:') ? rest.join('\n') : null };
    }
    const account = observed.account;
    const diff: string[] = [];
    if (!account) diff.push(`create user ${user}`);
    else {
      const owner = `${user}:${account.group}`;
      if (!isUnusablePassword(account.passwordField)) diff.push(`${user}: password field → "*" (key login only)`);
      if (observed.sshDir !== `directory:700:${owner}`) diff.push(`~${user}/.ssh: ${observed.sshDir} → directory 700`);
      if (observed.keysFile !== `regular file:600:${owner}`) diff.push(`~${user}/.ssh/authorized_keys: ${observed.keysFile} → file 600`);
    }
    if (observed.keys !== authorizedKeysContent(spec.sshPublicKeys)) diff.push(`authorized_keys: ${spec.sshPublicKeys.length} key(s)`);
    if (sudoers !== sudoersContent(user)) diff.push(`/etc/sudoers.d/${user}: passwordless sudo`);
    return checkResult(observed, diff);
  },
  async apply(shell, spec, observed) {
    const user = spec.adminUser;
    const changes: string[] = [];
    let home = observed.account?.home;
    let passwordField = observed.account?.passwordField ?? '';
    if (!observed.account) {
      const [, passwd] = await Promise.all([
        runAsRoot(shell, ['useradd', '--create-home', '--user-group', '--shell', '/bin/bash', '--', user]),
        getentPasswd(shell, user),
      ]);
      const created = accountFromPasswd(user, passwd);
      if (!created) throw new GuestPreconditionError({ id: `useradd tidak membuat ${user}.`, en: `useradd did not create ${user}.` });
      home = created.home;
      passwordField = '!';
      changes.push(`created user ${user} (uid ${created.uid}, home ${created.home})`);
    }
    // The remaining changes in one batch, in this order.
    const ops: Promise<unknown>[] = [];
    if (!isUnusablePassword(passwordField)) {
      ops.push(runAsRoot(shell, ['usermod', '--password', '*', '--', user]));
      changes.push(`${user}: password disabled, key login only`);
    }
    const owner = `${user}:${observed.account?.group ?? ''}`;
    const keys = authorizedKeysContent(spec.sshPublicKeys);
    if (
      !observed.account ||
      observed.keys !== keys ||
      observed.sshDir !== `directory:700:${owner}` ||
      observed.keysFile !== `regular file:600:${owner}`
    ) {
      ops.push(runAsUser(shell, user, ['sh', '-c', INSTALL_KEYS_SCRIPT, 'sh', home ?? ''], { stdin: keys }));
      changes.push(`authorized_keys: ${spec.sshPublicKeys.length} key(s), .ssh 700, authorized_keys 600`);
    }
    if (observed.sudoers !== sudoersContent(user)) {
      ops.push(writeGuestFile(shell, { path: `/etc/sudoers.d/${user}`, content: sudoersContent(user), mode: '440', validate: 'visudo' }));
      changes.push(`/etc/sudoers.d/${user}: passwordless sudo (checked with visudo -cf)`);
    }
    await Promise.all(ops);
    return changes;
  },
};
