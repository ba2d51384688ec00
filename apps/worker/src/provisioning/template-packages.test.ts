import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configureGuest, waitForCloudInit, type GuestShell } from '@betang/guest';
import { emulateDebianGuests, guestCommandArgvs } from '@betang/guest/emulation';
import { CLOUD_INIT_RESULT_ARGV, CLOUD_INIT_STATUS_ARGV } from './steps/await-cloud-init.step';
import { HOST_KEY_ARGV } from './steps/pin-host-key.step';

/*
 * Every program the guest steps run, and every package they require, must come from a package
 * the templates get (infra/proxmox/template-packages.txt) or from Debian's required-priority base
 * that every Debian and Ubuntu image has. The commands are not listed here: they are recorded
 * from the real steps running against the Debian emulation, and the programs are read out of the
 * shell scripts the steps send. A new program in a step fails this test until it is mapped to its
 * package below and that package is in the list.
 */

const ROOT = join(__dirname, '..', '..', '..', '..');
const LIST = join(ROOT, 'infra', 'proxmox', 'template-packages.txt');
/** The list's package names, read as build-templates.sh reads them (`#` comments and blank lines skipped). */
const listedPackages = (): string[] =>
  readFileSync(LIST, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);

/** Debian 12 package of each program (dpkg -S); Ubuntu 24.04 ships them in the same packages. */
const PROGRAM_PACKAGE: Record<string, string> = {
  'apt-get': 'apt',
  cat: 'coreutils',
  chmod: 'coreutils',
  head: 'coreutils',
  id: 'coreutils',
  install: 'coreutils',
  ln: 'coreutils',
  mkdir: 'coreutils',
  mktemp: 'coreutils',
  mv: 'coreutils',
  readlink: 'coreutils',
  rm: 'coreutils',
  stat: 'coreutils',
  tail: 'coreutils',
  test: 'coreutils',
  timeout: 'coreutils',
  'cloud-init': 'cloud-init',
  chronyc: 'chrony',
  'dpkg-query': 'dpkg',
  getent: 'libc-bin',
  grep: 'grep',
  hostname: 'hostname',
  hostnamectl: 'systemd',
  systemctl: 'systemd',
  timedatectl: 'systemd',
  sed: 'sed',
  sh: 'dash',
  ssh: 'openssh-client',
  sshd: 'openssh-server',
  sudo: 'sudo',
  visudo: 'sudo',
  ufw: 'ufw',
  useradd: 'passwd',
  usermod: 'passwd',
};

/** Paths the steps test for, and the package that provides them. */
const PATH_PACKAGE: Array<[RegExp, string]> = [
  [/^\/run\/systemd\/system$/, 'systemd'],
  [/^\/etc\/cloud\/cloud\.cfg\.d$/, 'cloud-init'],
  [/^\/run\/cloud-init\/result\.json$/, 'cloud-init'],
  [/^\/(usr\/)?lib\/systemd\/systemd-timesyncd$/, 'systemd-timesyncd'],
  [/^\/etc\/chrony\/chrony\.conf$/, 'chrony'],
  [/^\/usr\/share\/zoneinfo\//, 'tzdata'],
];

/** Priority "required" in Debian 12: present in every Debian (and Ubuntu) system. */
const REQUIRED_BASE = new Set(['apt', 'coreutils', 'dash', 'dpkg', 'grep', 'hostname', 'libc-bin', 'passwd', 'sed']);
/** Packages a step uses only when the image has them (and does without otherwise). */
const OPTIONAL: Record<string, string> = { chrony: 'the ntp step configures chrony when the image has it, systemd-timesyncd otherwise' };

/** Shell builtins and keywords of dash: not programs. */
const SHELL_WORDS = new Set([
  '[',
  'test',
  ':',
  '!',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'in',
  'do',
  'done',
  'while',
  'case',
  'esac',
  'cd',
  'set',
  'trap',
  'shift',
  'exit',
  'export',
  'eval',
  'printf',
  'echo',
  'kill',
  'true',
  'false',
  'command',
  'return',
  'umask',
  'read',
  'exec',
]);

/** The programs a shell script runs (first word of each simple command, also inside `$(…)`, after `exec`/`timeout N`). */
export function programsOfScript(script: string): string[] {
  const found: string[] = [];
  let text = script
    .replace(/\\\n/g, ' ')
    .replace(/'[^']*'/g, 'Q')
    .replace(/\$\(\([^)]*\)\)/g, 'Q');
  for (;;) {
    const m = /\$\(([^()]*)\)/.exec(text);
    if (!m) break;
    found.push(...programsOfScript(m[1]!));
    text = text.slice(0, m.index) + 'Q' + text.slice(m.index + m[0].length);
  }
  text = text.replace(/"(?:[^"\\]|\\.)*"/g, 'Q');
  for (const segment of text.split(/\n|;|\|\||\||&&|[(){}`]/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    while (words.length > 0) {
      const w = words[0]!;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || ['if', 'then', 'else', 'do', 'while', '!', 'exec'].includes(w)) words.shift();
      else if (w === 'timeout') {
        found.push('timeout');
        words.shift();
        while (words.length && (words[0]!.startsWith('-') || /^(Q|\d+[smhd]?)$/.test(words[0]!))) words.shift();
      } else break;
    }
    const first = words[0];
    if (!first || SHELL_WORDS.has(first) || !/^[a-z][a-z0-9.+_-]*$/.test(first)) continue;
    found.push(first);
  }
  return found;
}

function requirementsOf(argv: readonly string[]): { programs: string[]; packages: string[]; paths: string[] } {
  if (argv[0] === 'sh' && argv[1] === '-c') return { programs: ['sh', ...programsOfScript(argv[2] ?? '')], packages: [], paths: [] };
  const programs = argv[0] === 'timeout' ? ['timeout', argv[2] ?? ''] : [argv[0] ?? ''];
  const packages = argv[0] === 'dpkg-query' ? [argv.at(-1) ?? ''] : [];
  const paths = argv[0] === 'test' ? [argv.at(-1) ?? ''] : [];
  return { programs, packages, paths };
}

/** Every argv the guest steps and the worker's agent calls send to a fresh guest, configured twice. */
async function recordedArgvs(): Promise<string[][]> {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b';
  const spec = {
    hostname: 'web1',
    adminUser: 'dinkes',
    sshPublicKeys: [key],
    allowedTcpPorts: [80],
    packageUpgrade: true,
    aptProxy: 'http://apt-proxy.dc:3142',
    aptMirror: 'http://mirror.dc/debian',
  };
  // Guest 2: the other branches (unattended upgrades off, no proxy, no mirror).
  const other = { ...spec, unattendedUpgrades: false, aptProxy: undefined, aptMirror: undefined };
  const guest = emulateDebianGuests((vmid) => (vmid === 1 ? spec : other));
  const sent: string[] = [];
  const shellOf = (vmid: number): GuestShell => ({
    username: 'betang',
    async exec(command) {
      sent.push(command);
      const r = guest(vmid, command) ?? { code: 0 };
      return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code };
    },
  });
  await waitForCloudInit(shellOf(1));
  await configureGuest(shellOf(1), spec);
  await configureGuest(shellOf(1), spec);
  await configureGuest(shellOf(2), other);
  return [CLOUD_INIT_STATUS_ARGV, CLOUD_INIT_RESULT_ARGV, HOST_KEY_ARGV, ...sent.flatMap(guestCommandArgvs)];
}

describe('infra/proxmox/template-packages.txt', () => {
  const listed = new Set(listedPackages());

  it('should read programs out of the step scripts, also behind exec, timeout and $(…)', () => {
    expect(
      programsOfScript(
        'set -eu\ntmp=$(mktemp)\ntrap \'rm -f "$tmp"\' EXIT\nif [ "$5" = visudo ]; then visudo -cqf "$tmp"; fi\nexec timeout "$1" cloud-init status --wait\nx=$((j + 1)); a | tail -n 3',
      ),
    ).toEqual(['mktemp', 'visudo', 'timeout', 'cloud-init', 'a', 'tail']);
  });

  it('should hold the agent, cloud-init and every package a guest step needs', async () => {
    const needed = new Map<string, string>();
    const unknown: string[] = [];
    for (const argv of await recordedArgvs()) {
      const r = requirementsOf(argv);
      for (const p of r.programs) {
        const pkg = PROGRAM_PACKAGE[p];
        if (pkg) needed.set(pkg, `program ${p}`);
        else unknown.push(`program ${p}`);
      }
      for (const p of r.packages) needed.set(p, `dpkg-query ${p}`);
      for (const path of r.paths) {
        const hit = PATH_PACKAGE.find(([re]) => re.test(path));
        if (hit) needed.set(hit[1], `path ${path}`);
        else unknown.push(`path ${path}`);
      }
    }
    needed.set('qemu-guest-agent', 'the worker reads the address, cloud-init status and host key through it');
    expect([...new Set(unknown)]).toEqual([]);
    const missing = [...needed.entries()]
      .filter(([pkg]) => !listed.has(pkg) && !REQUIRED_BASE.has(pkg) && !(pkg in OPTIONAL))
      .map(([pkg, why]) => `${pkg} (${why})`);
    expect(missing).toEqual([]);
    // What the issue found missing from the Debian template, and what the steps check for by name.
    for (const pkg of ['ufw', 'unattended-upgrades', 'openssh-server', 'sudo', 'cloud-init', 'tzdata', 'systemd-timesyncd'])
      expect(needed.has(pkg)).toBe(true);
  });

  it('should list each package once, one per line', () => {
    const lines = listedPackages();
    expect(lines.every((l) => /^[a-z0-9][a-z0-9+.-]+$/.test(l))).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
  });
});
