import { BATCH_SCRIPT_TAG } from '../guest-batch';
import { ZGuestSpec, type GuestSpec, type GuestSpecInput } from '../guest-spec.schema';
import { APT_PROXY_FILE, aptProxyContent } from '../steps/packages.step';
import { DEFAULT_UFW, SSHD_T_FRESH } from './debian-12-files';

/** What an emulated command answers (the shape the PVE simulator's guest endpoint expects). */
export type EmulatedCommandResult = { code: number; stdout?: string; stderr?: string };

/*
 * An emulation of a fresh Debian 12 cloud image, answering the commands this package sends over
 * SSH — used by the PVE simulator's guest endpoints in tests and in the embedded demo
 * (`npm start`), never against a real guest. It lives beside the steps it mirrors so the two
 * change together. The simulator's SSH server does not forward stdin, so
 * a file written through the guest package's install script gets the content the guest package
 * is known to write for that path (the constants below mirror packages/guest's steps); every
 * other command changes the emulated state the way the real tool would. Unknown commands fall
 * through to the simulator, whose boot plan answers what depends on time since boot (cloud-init's
 * status, the host key appearing when cloud-init's ssh module runs) and exits 0 for the rest.
 * Every answer here is pinned to packages/guest/fixtures/debian-12-transcript.json by a test.
 * A guest's state lives until the simulator reports the VM destroyed (`forget`).
 */

type GuestState = {
  spec: GuestSpec;
  hostname: string;
  files: Map<string, string>;
  users: Map<string, { password: string; keys: boolean }>;
  timezone: string;
  timezoneSetByTimedatectl?: boolean;
  enabledUnits: Set<string>;
  sshdReloaded: boolean;
  ufw: { active: boolean; input: string; output: string; rules: string[] };
  /** Mirror the Debian sources point at (undefined: deb.debian.org, as the cloud image ships). */
  mirror?: string;
  /** Packages `apt-get upgrade` would install. */
  upgradable: number;
  /** The root disk: its size as Proxmox has it now, the root partition (sda1) and its ext4 filesystem. */
  disk: { bytes: () => number; partitionBytes: number; fsBytes: number };
};

/** Where the root partition of the Debian cloud image starts (sector 262144, after the BIOS and EFI partitions). */
const ROOT_PARTITION_START = 262_144 * 512;
/** GPT's backup header at the end of the disk (34 sectors). */
const GPT_TAIL = 34 * 512;
const FS_BLOCK = 4096;
const DEFAULT_DISK_BYTES = 20 * 1024 ** 3;
const rootPartitionMax = (diskBytes: number) => diskBytes - ROOT_PARTITION_START - GPT_TAIL;
const fsFor = (partitionBytes: number) => Math.floor(partitionBytes / FS_BLOCK) * FS_BLOCK;

/**
 * Size in bytes of a VM's boot disk from its Proxmox config (`scsi0: local-lvm:vm-1-disk-0,size=20G`),
 * undefined when the config has none.
 */
export function bootDiskBytes(config: Record<string, unknown>): number | undefined {
  for (const key of ['scsi0', 'virtio0', 'sata0']) {
    const m = /(?:^|,)size=(\d+)([KMGT]?)(?:,|$)/.exec(String(config[key] ?? ''));
    if (m) return Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] || ' ');
  }
  return undefined;
}

/** `growpart DISK N` of cloud-guest-utils: grows the root partition to the end of the disk, or says NOCHANGE (exit 1). */
function growpart(s: GuestState): EmulatedCommandResult {
  const max = rootPartitionMax(s.disk.bytes());
  const sectors = (bytes: number) => bytes / 512;
  const start = sectors(ROOT_PARTITION_START);
  if (s.disk.partitionBytes >= max)
    return { code: 1, stdout: `NOCHANGE: partition 1 is size ${sectors(s.disk.partitionBytes)}. it cannot be grown\n` };
  const old = s.disk.partitionBytes;
  s.disk.partitionBytes = max;
  return ok(
    `CHANGED: partition=1 start=${start} old: size=${sectors(old)} end=${start + sectors(old)} new: size=${sectors(max)} end=${start + sectors(max)}\n`,
  );
}

/** `resize2fs /dev/sda1` of a mounted ext4: grows online to the partition, or has nothing to do. */
function resize2fs(s: GuestState): EmulatedCommandResult {
  const target = fsFor(s.disk.partitionBytes);
  const blocks = (bytes: number) => bytes / FS_BLOCK;
  if (s.disk.fsBytes >= target)
    return {
      code: 0,
      stdout: '',
      stderr: `resize2fs 1.47.0 (5-Feb-2023)\nThe filesystem is already ${blocks(s.disk.fsBytes)} (4k) blocks long.  Nothing to do!\n\n`,
    };
  s.disk.fsBytes = target;
  return {
    code: 0,
    stdout: `Filesystem at /dev/sda1 is mounted on /; on-line resizing required\nold_desc_blocks = 3, new_desc_blocks = 5\nThe filesystem on /dev/sda1 is now ${blocks(target)} (4k) blocks long.\n\n`,
    stderr: 'resize2fs 1.47.0 (5-Feb-2023)\n',
  };
}

/** Packages a fresh clone of a template built a few weeks earlier has to upgrade. */
export const EMULATED_UPGRADABLE = 4;
const DEBIAN_SOURCES = '/etc/apt/sources.list.d/debian.sources';

const MANAGED = {
  cloudCfg: '# Managed by Betang: keep the hostname set at provisioning across reboots.\npreserve_hostname: true\n',
  sshdDropIn:
    '# Managed by Betang: key-only logins, no root login.\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n',
  origins: [
    '// Managed by Betang: unattended upgrades install security updates only.',
    '#clear Unattended-Upgrade::Origins-Pattern;',
    'Unattended-Upgrade::Origins-Pattern {',
    '  "origin=Debian,codename=${distro_codename},label=Debian-Security";',
    '  "origin=Debian,codename=${distro_codename}-security,label=Debian-Security";',
    '};',
    '',
  ].join('\n'),
};

/** Splits a POSIX shell command line made of bare words and single-quoted strings (what shellQuote produces). */
export function splitShellWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      cur += command.slice(i + 1, end === -1 ? undefined : end);
      i = end === -1 ? command.length : end;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      cur += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** argv after `sudo [-n] [-u USER] --` (or argv itself without sudo). */
function withoutSudo(argv: string[]): string[] {
  return argv[0] === 'sudo' ? argv.slice(argv.indexOf('--') + 1) : argv;
}

/**
 * The commands one command line sent by this package runs on the guest, each as argv without
 * its sudo prefix: a guest-batch.ts batch gives one argv per command in it, anything else one.
 */
export function guestCommandArgvs(command: string): string[][] {
  const argv = withoutSudo(splitShellWords(command));
  if (argv[0] !== 'sh' || argv[1] !== '-c' || !(argv[2] ?? '').startsWith(BATCH_SCRIPT_TAG)) return [argv];
  const rest = argv.slice(5);
  const out: string[][] = [];
  for (let p = 0; p + 3 <= rest.length;) {
    const argc = Number(rest[p + 2]);
    out.push(withoutSudo(rest.slice(p + 3, p + 3 + argc)));
    p += 3 + argc;
  }
  return out;
}

/** /etc/hosts as cloud-init 22.4 renders templates/hosts.debian.tmpl (manage_etc_hosts: true, set by Proxmox). */
export function cloudInitHosts(fqdn: string, hostname: string): string {
  return [
    "# Your system has configured 'manage_etc_hosts' as True.",
    '# As a result, if you wish for changes to this file to persist',
    '# then you will need to either',
    '# a.) make changes to the master file in /etc/cloud/templates/hosts.debian.tmpl',
    "# b.) change or remove the value of 'manage_etc_hosts' in",
    '#     /etc/cloud/cloud.cfg or cloud-config from user-data',
    '#',
    `127.0.1.1 ${fqdn} ${hostname}`,
    '127.0.0.1 localhost',
    '',
    '# The following lines are desirable for IPv6 capable hosts',
    '::1 localhost ip6-localhost ip6-loopback',
    'ff02::1 ip6-allnodes',
    'ff02::2 ip6-allrouters',
    // the template ends with an empty line
    '',
    '',
  ].join('\n');
}

/** What the simulator's guest is told about a VM: the spec Betang configures, and the FQDN cloud-init wrote. */
export type EmulatedGuestInput = GuestSpecInput & {
  fqdn?: string;
  /** The boot disk's size as Proxmox has it now (default 20 GiB). */ diskBytes?: () => number;
};

function hostsFor(name: string): string {
  return `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

function contentFor(s: GuestState, path: string): string {
  const spec = s.spec;
  if (path === '/etc/hosts') return hostsFor(spec.hostname);
  if (path === '/etc/hostname') return `${spec.hostname}\n`;
  if (path === '/etc/cloud/cloud.cfg.d/99-betang-hostname.cfg') return MANAGED.cloudCfg;
  if (path.startsWith('/etc/sudoers.d/'))
    return `# Managed by Betang.\n${path.slice('/etc/sudoers.d/'.length)} ALL=(ALL:ALL) NOPASSWD:ALL\n`;
  if (path === '/etc/ssh/sshd_config.d/50-betang.conf') return MANAGED.sshdDropIn;
  if (path === '/etc/timezone') return `${s.timezone}\n`;
  if (path === '/etc/systemd/timesyncd.conf.d/50-betang.conf') return `# Managed by Betang.\n[Time]\nNTP=${spec.ntpServers.join(' ')}\n`;
  if (path === '/etc/apt/apt.conf.d/20auto-upgrades') {
    const v = spec.unattendedUpgrades ? '1' : '0';
    return `// Managed by Betang.\nAPT::Periodic::Update-Package-Lists "${v}";\nAPT::Periodic::Unattended-Upgrade "${v}";\n`;
  }
  if (path === '/etc/apt/apt.conf.d/52betang-unattended-upgrades') return MANAGED.origins;
  if (path === APT_PROXY_FILE && spec.aptProxy) return aptProxyContent(spec.aptProxy);
  return '';
}

const EXISTING_PATHS = ['/run/systemd/system', '/etc/cloud/cloud.cfg.d', '/usr/lib/systemd/systemd-timesyncd'];

/** A path as Debian 12's merged /usr sees it: /lib, /bin and /sbin are links into /usr. */
function mergedUsr(path: string): string {
  return path.replace(/^\/(lib|bin|sbin)\//, '/usr/$1/');
}

function pathExists(s: GuestState, path: string): boolean {
  return EXISTING_PATHS.includes(mergedUsr(path)) || path.startsWith('/usr/share/zoneinfo/') || s.files.has(path);
}

/** `sshd -T` of the guest: Debian's defaults, with the values Betang's drop-in sets once it exists (sshd reads the config at every -T). */
function sshdEffective(s: GuestState): string {
  if (!s.files.has('/etc/ssh/sshd_config.d/50-betang.conf')) return SSHD_T_FRESH;
  return SSHD_T_FRESH.replace(/^passwordauthentication .*$/m, 'passwordauthentication no')
    .replace(/^kbdinteractiveauthentication .*$/m, 'kbdinteractiveauthentication no')
    .replace(/^permitrootlogin .*$/m, 'permitrootlogin no');
}
const COMMANDS = new Set(['cloud-init', 'ufw', 'ssh', 'hostnamectl', 'timedatectl', 'systemctl']);

const ok = (stdout = ''): EmulatedCommandResult => ({ code: 0, stdout });

/** Runs a guest-batch.ts batch: each command in order, framed, stopping at the first disallowed exit code. */
function runBatch(s: GuestState, args: string[]): EmulatedCommandResult {
  const [marker = '', ...rest] = args;
  let out = '';
  for (let i = 0, p = 0; p + 3 <= rest.length; i++) {
    const ok = (rest[p] ?? '').split(',').map(Number);
    const argc = Number(rest[p + 2]);
    const argv = rest.slice(p + 3, p + 3 + argc);
    p += 3 + argc;
    const body = argv[0] === 'sudo' ? argv.slice(argv.indexOf('--') + 1) : argv;
    const r = run(s, body) ?? { code: 0 };
    out += `${marker}:${i}:${r.code}\n${r.stdout ?? ''}\n${marker}:o\n${r.stderr ?? ''}\n${marker}:e\n`;
    if (!ok.includes(r.code)) break;
  }
  return ok(out);
}

function runScript(s: GuestState, script: string, args: string[]): EmulatedCommandResult | undefined {
  const [a0 = ''] = args;
  if (script.startsWith(BATCH_SCRIPT_TAG)) return runBatch(s, args);
  if (script.includes('exec cat --')) {
    if (a0 === '/etc/default/ufw') {
      return ok(
        DEFAULT_UFW.replace(/^DEFAULT_INPUT_POLICY=.*$/m, `DEFAULT_INPUT_POLICY="${s.ufw.input}"`).replace(
          /^DEFAULT_OUTPUT_POLICY=.*$/m,
          `DEFAULT_OUTPUT_POLICY="${s.ufw.output}"`,
        ),
      );
    }
    if (a0 === '/sys/class/block/sda1/partition') return ok('1\n');
    const f = s.files.get(a0);
    return f === undefined ? { code: 3 } : ok(f);
  }
  if (script.includes('install -D -T')) {
    s.files.set(a0, contentFor(s, a0));
    return ok();
  }
  if (script.includes('command -v "$1"')) return { code: COMMANDS.has(a0) ? 0 : 1 };
  if (script.includes("stat -c '%F:%a:%U:%G' .ssh")) {
    const user = [...s.users.entries()].find(([name]) => a0 === `/home/${name}`);
    if (!user || !user[1].keys) return ok('missing\nmissing\n');
    const [name] = user;
    return ok(`directory:700:${name}:${name}\nregular file:600:${name}:${name}\n${s.spec.sshPublicKeys.join('\n')}\n`);
  }
  if (script.includes('mv -f -T')) {
    const user = [...s.users.entries()].find(([name]) => a0 === `/home/${name}`);
    if (user) user[1].keys = true;
    return ok();
  }
  if (script.includes('PreferredAuthentications=none')) {
    const hardened = s.sshdReloaded && s.files.has('/etc/ssh/sshd_config.d/50-betang.conf');
    // $1 is the account the probe names (the one Betang connects as); OpenSSH ends its
    // messages on stderr with CRLF
    return ok(`${a0}@127.0.0.1: Permission denied (publickey${hardened ? '' : ',password'}).\r\n`);
  }
  if (script.includes('grep -qE -- "$1"')) return ok(s.mirror === undefined ? `${DEBIAN_SOURCES}\n` : '');
  if (script.includes('sed -i -E')) {
    s.mirror = args[1];
    return ok();
  }
  if (script.includes('apt-get -s -q upgrade')) return ok(`${s.upgradable}\n`);
  if (script.includes('--force-confold upgrade')) {
    const n = s.upgradable;
    s.upgradable = 0;
    return ok(`${n} upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n`);
  }
  if (script.includes('systemctl reload')) {
    s.sshdReloaded = true;
    return ok();
  }
  return undefined;
}

function run(s: GuestState, argv: string[]): EmulatedCommandResult | undefined {
  const [cmd = '', ...rest] = argv;
  switch (cmd) {
    case 'sh':
      return rest[0] === '-c' ? runScript(s, rest[1] ?? '', rest.slice(3)) : undefined;
    case 'hostname':
      if (rest.length === 0) return ok(`${s.hostname}\n`);
      s.hostname = rest[0] ?? s.hostname;
      return ok();
    case 'hostnamectl':
      s.hostname = rest[1] ?? s.hostname;
      s.files.set('/etc/hostname', `${s.hostname}\n`);
      return ok();
    case 'test':
      // cloud-init's result file appears when it is done: the simulator's boot plan knows when
      if (rest[1] === '/run/cloud-init/result.json') return undefined;
      return { code: pathExists(s, rest[1] ?? '') ? 0 : 1 };
    case 'getent': {
      const u = s.users.get(rest[1] ?? '');
      if (!u) return { code: 2 };
      return rest[0] === 'passwd'
        ? ok(`${rest[1]}:x:1001:1001::/home/${rest[1]}:/bin/bash\n`)
        : ok(`${rest[1]}:${u.password}:20000:0:99999:7:::\n`);
    }
    case 'id':
      return ok(`${rest.at(-1)}\n`);
    case 'useradd':
      s.users.set(rest.at(-1) ?? '', { password: '!', keys: false });
      return ok();
    case 'usermod': {
      const u = s.users.get(rest.at(-1) ?? '');
      if (u) u.password = '*';
      return ok();
    }
    case 'sshd':
      if (rest[0] === '-t') return ok();
      return ok(sshdEffective(s));
    case 'readlink':
      // the image's link is absolute; timedatectl writes a relative one
      return ok(`${s.timezoneSetByTimedatectl ? '..' : ''}/usr/share/zoneinfo/${s.timezone}\n`);
    case 'timedatectl':
      s.timezone = rest[1] ?? s.timezone;
      s.timezoneSetByTimedatectl = true;
      return ok();
    case 'systemctl': {
      const units = rest.filter((u) => u.includes('.'));
      if (rest[0] === 'is-enabled') {
        const states = units.map((u) => (s.enabledUnits.has(u) ? 'enabled' : 'disabled'));
        return { code: states.every((x) => x === 'enabled') ? 0 : 1, stdout: `${states.join('\n')}\n` };
      }
      if (rest[0] === 'enable') units.forEach((u) => s.enabledUnits.add(u));
      return ok();
    }
    case 'ufw':
      return ufw(s, rest);
    case 'rm':
      s.files.delete(rest.at(-1) ?? '');
      return ok();
    case 'dpkg-query':
      return ok('install ok installed');
    case 'findmnt':
      return rest.at(-1) === '/' ? ok(`/dev/sda1 ext4 ${s.disk.fsBytes}\n`) : { code: 1 };
    case 'lsblk':
      return rest.at(-1) === '/dev/sda1' ? ok('sda\n') : { code: 32, stderr: `lsblk: ${rest.at(-1)}: not a block device\n` };
    case 'growpart':
      return rest[0] === '/dev/sda' && rest[1] === '1' ? growpart(s) : { code: 2, stderr: `FAILED: ${rest[0]}: does not exist\n` };
    case 'resize2fs':
      return rest[0] === '/dev/sda1'
        ? resize2fs(s)
        : { code: 1, stderr: `resize2fs: No such file or directory while trying to open ${rest[0]}\n` };
    default:
      return undefined;
  }
}

/** `ufw status` of an active firewall with these allow rules (ufw 0.36: IPv4 rows, then the v6 rows, columns padded). */
function ufwStatusTable(rules: readonly string[]): string {
  const row = (to: string, from: string): string => `${to.padEnd(27)}${'ALLOW'.padEnd(12)}${from.padEnd(26)}\n`;
  const v4 = rules.map((r) => row(r, 'Anywhere'));
  const v6 = rules.map((r) => row(`${r} (v6)`, 'Anywhere (v6)'));
  return `Status: active\n\n${'To'.padEnd(27)}${'Action'.padEnd(12)}From\n${'--'.padEnd(27)}${'------'.padEnd(12)}----\n${v4.join('')}${v6.join('')}\n`;
}

function ufw(s: GuestState, args: string[]): EmulatedCommandResult {
  const line = args.join(' ');
  if (line === 'status') return ok(s.ufw.active ? ufwStatusTable(s.ufw.rules) : 'Status: inactive\n');
  if (line === 'show added')
    return ok(
      `Added user rules (see 'ufw status' for running firewall):\n${s.ufw.rules.length ? s.ufw.rules.map((r) => `ufw allow ${r}\n`).join('') : '(None)\n'}`,
    );
  // ufw 0.36's messages: `allow` and `--force enable` as the recorded guest printed them; the
  // others (never needed by the recorded guest) as ufw's frontend words them.
  if (args[0] === 'allow' && args[1]) {
    if (s.ufw.rules.includes(args[1])) return ok('Skipping adding existing rule\nSkipping adding existing rule (v6)\n');
    s.ufw.rules.push(args[1]);
    return ok('Rules updated\nRules updated (v6)\n');
  }
  if (line === 'default deny incoming' || line === 'default allow outgoing') {
    if (args[2] === 'incoming') s.ufw.input = 'DROP';
    else s.ufw.output = 'ACCEPT';
    return ok(`Default ${args[2]} policy changed to '${args[1]}'\n(be sure to update your rules accordingly)\n`);
  }
  if (line === '--force enable') {
    s.ufw.active = true;
    return ok('Firewall is active and enabled on system startup\n');
  }
  if (args[0] === 'delete') {
    s.ufw.rules = s.ufw.rules.filter((r) => r !== args[2]);
    return ok('Rule deleted\nRule deleted (v6)\n');
  }
  return ok();
}

function diskAtFirstBoot(bytes: () => number): GuestState['disk'] {
  const partitionBytes = rootPartitionMax(bytes());
  return { bytes, partitionBytes, fsBytes: fsFor(partitionBytes) };
}

/**
 * A guest-command handler (for the PVE simulator's SSH endpoints) emulating one fresh Debian guest per vmid. `specOf` says what
 * the guest is being configured for (its normalised keys and hostname are needed to answer the
 * way the real files would read); vmids without a spec keep the simulator's default behaviour.
 */
export function emulateDebianGuests(specOf: (vmid: number) => EmulatedGuestInput | undefined): ((
  vmid: number,
  command: string,
) => EmulatedCommandResult | undefined) & {
  state(vmid: number): GuestState | undefined;
  forget(vmid: number): void;
} {
  const guests = new Map<number, GuestState>();
  const handler = (vmid: number, command: string): EmulatedCommandResult | undefined => {
    let s = guests.get(vmid);
    if (!s) {
      const input = specOf(vmid);
      if (!input) return undefined;
      s = {
        spec: ZGuestSpec.parse(input),
        // cloud-init's set_hostname and update_etc_hosts ran at first boot with the VM's name
        hostname: input.hostname,
        files: new Map([
          ['/etc/hosts', cloudInitHosts(input.fqdn ?? input.hostname, input.hostname)],
          ['/etc/hostname', `${input.hostname}\n`],
          // tzdata's configuration, and the switches unattended-upgrades' debconf default writes
          ['/etc/timezone', 'Etc/UTC\n'],
          ['/etc/apt/apt.conf.d/20auto-upgrades', 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n'],
        ]),
        users: new Map(),
        timezone: 'Etc/UTC',
        // apt enables its daily timers at installation
        enabledUnits: new Set(['systemd-timesyncd.service', 'apt-daily.timer', 'apt-daily-upgrade.timer']),
        sshdReloaded: false,
        ufw: { active: false, input: 'DROP', output: 'ACCEPT', rules: [] },
        upgradable: EMULATED_UPGRADABLE,
        // cloud-init's growpart and resizefs modules filled the disk at first boot
        disk: diskAtFirstBoot(input.diskBytes ?? (() => DEFAULT_DISK_BYTES)),
      };
      guests.set(vmid, s);
    }
    const argv = splitShellWords(command);
    const body = argv[0] === 'sudo' ? argv.slice(argv.indexOf('--') + 1) : argv;
    return run(s, body);
  };
  return Object.assign(handler, {
    state: (vmid: number) => guests.get(vmid),
    /** The VM was destroyed: a new VM with this vmid is a fresh guest. */
    forget: (vmid: number) => void guests.delete(vmid),
  });
}

/**
 * The guest spec the worker configures for a VM, read back from the VM's own config the way the
 * worker wrote it (and the FQDN cloud-init derives from name and searchdomain): hostname = VM name, admin user = the `betang-inst-<user>` tag, keys = the
 * cloud-init keys minus the platform's provisioning key, ports as given. Undefined for VMs
 * Betang did not configure.
 */
export function guestSpecFromVmConfig(
  config: { name?: string; tags?: string; searchdomain?: string; sshKeys: readonly string[] },
  platformPublicKey: string,
  allowedTcpPorts: number[] = [],
): EmulatedGuestInput | undefined {
  const inst = (config.tags ?? '').split(/[;,\s]+/).find((t) => t.startsWith('betang-inst-'));
  if (!config.name || !inst) return undefined;
  const platformBlob = platformPublicKey.split(' ')[1];
  return {
    hostname: config.name,
    adminUser: inst.slice('betang-inst-'.length),
    sshPublicKeys: config.sshKeys.filter((k) => k.split(' ')[1] !== platformBlob),
    allowedTcpPorts,
    // Proxmox's get_hostname_fqdn: name.searchdomain when the name has no dot
    ...(config.searchdomain && !config.name.includes('.') ? { fqdn: `${config.name}.${config.searchdomain}` } : {}),
  };
}
