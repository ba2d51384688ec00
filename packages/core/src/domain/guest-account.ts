import type { LocalizedText } from '../i18n';
import { adminUserForInstitution } from './resources';

/**
 * The guest specification's rules for the admin account, in one place: the API checks a request
 * and an institution code with them at submit/creation time, and the guest package builds its
 * ZGuestSpec from them, so what the API accepts the worker can provision.
 */

/** The VPS host name: one DNS label — lowercase letters, digits and hyphens, 1–63, starts with a letter, no trailing hyphen. */
export const GUEST_HOSTNAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** POSIX-portable login name, lowercase, 1–32, starts with a letter. */
export const GUEST_USERNAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Names that belong to the system on Debian/Ubuntu images (base-passwd, common daemons, groups
 * that carry privileges) or that would confuse operators. Creating an admin user under one of
 * them would hand its keys to a system account. Names starting with `systemd-` are reserved too.
 */
export const RESERVED_GUEST_USERNAMES: ReadonlySet<string> = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'gnats',
  'nobody',
  'nogroup',
  'sshd',
  'messagebus',
  'polkitd',
  'syslog',
  'uuidd',
  'tcpdump',
  'tss',
  'landscape',
  'pollinate',
  'fwupd-refresh',
  'dnsmasq',
  'avahi',
  'ntp',
  'chrony',
  'postfix',
  'mysql',
  'postgres',
  'redis',
  'nginx',
  'apache',
  'statd',
  'usbmux',
  'sudo',
  'adm',
  'wheel',
  'admin',
  'staff',
  'users',
  'operator',
  'disk',
  'kmem',
  'shadow',
  'utmp',
  'video',
  'audio',
  'plugdev',
  'netdev',
  'dialout',
  'cdrom',
  'floppy',
  'tape',
  'voice',
  'input',
  'kvm',
  'render',
  'crontab',
  'ssh',
  'docker',
  'lxd',
  'systemd',
  'halt',
  'shutdown',
  'reboot',
  'ftp',
  'betang',
]);

/** True when `name` is reserved for the system on the guest. */
export function isReservedGuestUsername(name: string): boolean {
  return RESERVED_GUEST_USERNAMES.has(name) || name.startsWith('systemd-');
}

/** Why `name` cannot be the guest's admin account (bilingual), or null when it can. Pure. */
export function guestUsernameProblem(name: string): LocalizedText | null {
  if (!GUEST_USERNAME_PATTERN.test(name)) {
    return {
      id: `Nama pengguna ${name} tidak sah: a–z, 0–9, "_", "-", 1–32 karakter, diawali huruf.`,
      en: `User name ${name} is not valid: a–z, 0–9, "_", "-", 1–32 characters, starting with a letter.`,
    };
  }
  if (isReservedGuestUsername(name)) {
    return {
      id: `Nama pengguna ${name} dicadangkan untuk sistem pada VPS.`,
      en: `User name ${name} is reserved for the system on the VPS.`,
    };
  }
  return null;
}

/**
 * Why an institution with this code could never get a VPS (its admin account, the code in lower
 * case, would be a reserved or invalid Linux user), or null. Pure.
 */
export function institutionCodeProblem(code: string): LocalizedText | null {
  const user = adminUserForInstitution(code);
  const problem = guestUsernameProblem(user);
  if (!problem) return null;
  return {
    id: `Kode perangkat daerah ${code} menjadi akun admin VPS "${user}", yang dicadangkan atau tidak sah di Linux. Pilih kode lain.`,
    en: `Institution code ${code} becomes the VPS admin account "${user}", which Linux reserves or refuses. Choose another code.`,
  };
}
