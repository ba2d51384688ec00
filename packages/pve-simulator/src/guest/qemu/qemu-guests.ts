import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { configDisks, DISK_KEY, parseDisk } from '../../state/disks';
import { parseNet } from '../../state/net';
import type { SimVm } from '../../state/types';
import { noCloudSeed, parseIpconfig, parseResolvConf, type HostDns } from './cloud-init-seed';
import { qgaCall, QgaError, qmpCall } from './qga-client';

/** Where the guest image lives: what scripts/build-guest-image.sh prints. */
interface GuestImage {
  dir: string;
  disk: string;
  kernel: string;
  initrd: string;
  cmdline: string;
}

/** Settings of the qemu guest mode (all optional). */
export interface QemuGuestOptions {
  /** Directory with disk.qcow2, vmlinuz, initrd.img, cmdline; default: built/cached by scripts/build-guest-image.sh. */
  imageDir?: string;
  /** Where each VM's overlay, seed ISO, sockets and console log go (default a fresh directory under /var/tmp). */
  runDir?: string;
  /** `kvm` or `tcg`; default kvm when /dev/kvm is usable and the CPU has vmx/svm, else tcg. */
  accel?: 'kvm' | 'tcg';
  /** Memory a guest really gets, at most (MiB); the configured `memory` above it is capped. Default 1024. */
  maxMemoryMiB?: number;
  /** vCPUs a guest really gets, at most. Default: the host's CPU count. */
  maxCores?: number;
  /** Let guests open connections to the outside (the Debian mirror). Default false: isolated, like a VLAN without a mirror. */
  internet?: boolean;
  /** Host resolver settings PVE copies into network-config when a VM sets no nameserver (default: /etc/resolv.conf). */
  hostDns?: HostDns;
}

const BUILD_SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'build-guest-image.sh');

/** Builds (or finds in its cache) the guest image with scripts/build-guest-image.sh; minutes when cold. */
export async function ensureGuestImage(log: (line: string) => void = () => undefined): Promise<GuestImage> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('sh', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
      for (const line of c.toString().split('\n')) if (line.startsWith('[build-guest-image]')) log(line);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout.trim().split('\n').pop() ?? '') : reject(new Error(`build-guest-image.sh failed (${code}): ${stderr}`)),
    );
  });
  return guestImageAt(out);
}

/** The image files in `dir`; throws when one is missing. */
export function guestImageAt(dir: string): GuestImage {
  const image = { dir, disk: join(dir, 'disk.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img'), cmdline: '' };
  for (const f of [image.disk, image.kernel, image.initrd]) if (!existsSync(f)) throw new Error(`guest image incomplete: ${f} missing`);
  image.cmdline = readFileSync(join(dir, 'cmdline'), 'utf8').trim();
  return image;
}

/** Whether KVM can run guests here (the device opens and the CPU has hardware virtualisation). */
export function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err.trim()}`))));
  });
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) + Number(part)) >>> 0, 0);
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The slirp network a guest's net0 lives in: its own subnet and gateway, so a static ipconfig0 works unchanged. */
export function userNetFor(ipconfig0: string | undefined): { net: string; host?: string; guest?: string } {
  const ipc = parseIpconfig(ipconfig0 ?? 'ip=dhcp');
  if (!ipc.ip || ipc.ip === 'dhcp' || !ipc.ip.includes('/')) return { net: '10.0.2.0/24' };
  const [addr = '', prefixText = '24'] = ipc.ip.split('/');
  const prefix = Math.min(Math.max(Number(prefixText), 8), 30);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = intToIpv4((ipv4ToInt(addr) & mask) >>> 0);
  const gwInNet = ipc.gw !== undefined && (ipv4ToInt(ipc.gw) & mask) >>> 0 === (ipv4ToInt(addr) & mask) >>> 0;
  return { net: `${network}/${prefix}`, ...(gwInNet ? { host: ipc.gw } : {}), guest: addr };
}

/** One running (or stopped, disk kept) guest. */
interface Guest {
  vmid: number;
  dir: string;
  process?: ChildProcess;
  exited?: Promise<void>;
  sshPort?: number;
  /** Agent calls of this VM run one after another (the chardev takes one client). */
  agentQueue: Promise<unknown>;
}

/**
 * Real guests for the simulator's `qemu` mode: each started VM is a qemu process (TCG, or KVM
 * where usable) booting the cached Debian cloud image on its own qcow2 overlay (the linked clone),
 * with a NoCloud seed made from the VM's config as PVE makes it, the guest agent on a
 * virtio-serial socket, and user-mode networking whose subnet and gateway are the VM's ipconfig0
 * (isolated unless `internet`), with the guest's port 22 forwarded to 127.0.0.1:<port>.
 */
export class QemuGuests {
  private readonly guests = new Map<number, Guest>();
  readonly accel: 'kvm' | 'tcg';
  readonly runDir: string;
  private readonly maxMemoryMiB: number;
  private readonly maxCores: number;
  private readonly hostDns: HostDns;

  constructor(
    readonly image: GuestImage,
    private readonly opts: QemuGuestOptions = {},
  ) {
    this.accel = opts.accel ?? (kvmUsable() ? 'kvm' : 'tcg');
    this.runDir = opts.runDir ?? join('/var/tmp', `betang-sim-qemu-${process.pid}`);
    mkdirSync(this.runDir, { recursive: true });
    this.maxMemoryMiB = opts.maxMemoryMiB ?? 1024;
    this.maxCores = opts.maxCores ?? cpus().length;
    this.hostDns =
      opts.hostDns ??
      (existsSync('/etc/resolv.conf') ? parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8')) : { nameservers: [], search: [] });
    this.reapLeftovers();
  }

  /** qemu processes left by a simulator that died without closing: only those naming a directory of runDir. */
  private reapLeftovers(): void {
    for (const entry of readdirSync(this.runDir)) {
      const pidFile = join(this.runDir, entry, 'qemu.pid');
      if (!existsSync(pidFile)) continue;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join(this.runDir, entry))) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(pidFile, { force: true });
    }
  }

  private guest(vmid: number): Guest {
    let g = this.guests.get(vmid);
    if (!g) {
      g = { vmid, dir: join(this.runDir, String(vmid)), agentQueue: Promise.resolve() };
      this.guests.set(vmid, g);
    }
    return g;
  }

  /** Whether the VM's qemu process is alive. */
  running(vmid: number): boolean {
    const p = this.guests.get(vmid)?.process;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** The VM's qemu pid, overlay path and SSH forward (undefined when it never started). */
  info(vmid: number): { pid?: number; overlay: string; sshPort?: number; console: string; rssMiB?: number } | undefined {
    const g = this.guests.get(vmid);
    if (!g) return undefined;
    const pid = this.running(vmid) ? g.process?.pid : undefined;
    let rssMiB: number | undefined;
    if (pid) {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      rssMiB = m ? Math.round(Number(m[1]) / 1024) : undefined;
    }
    return {
      pid,
      overlay: join(g.dir, 'overlay.qcow2'),
      sshPort: pid ? g.sshPort : undefined,
      console: join(g.dir, 'console.log'),
      rssMiB,
    };
  }

  /** The UNIX socket of the guest's first serial port while it runs (`qm terminal` connects there). */
  serialSocket(vmid: number): string | undefined {
    const g = this.guests.get(vmid);
    return g && this.running(vmid) ? join(g.dir, 'serial0.sock') : undefined;
  }

  /** 127.0.0.1:<port> forwarded to the guest's port 22 while it runs. */
  sshEndpoint(vmid: number): { host: string; port: number } | undefined {
    const g = this.guests.get(vmid);
    return g?.sshPort && this.running(vmid) ? { host: '127.0.0.1', port: g.sshPort } : undefined;
  }

  /**
   * Boots the VM from `config` (the config PVE starts QEMU with): overlay created on first start
   * (grown to the configured disk size when it was resized), a fresh seed ISO, then qemu. Resolves
   * with its pid once qemu is up; rejects with qemu's own error output when it exits at once.
   * `onExit` runs when the process ends, however it ends.
   */
  async start(
    vm: SimVm,
    config: Record<string, string>,
    log: (line: string) => void,
    onExit: () => void,
    network: { isolated?: boolean } = {},
  ): Promise<number> {
    const g = this.guest(vm.vmid);
    if (this.running(vm.vmid)) throw new Error(`VM ${vm.vmid} already running`);
    mkdirSync(g.dir, { recursive: true });
    const bootDisk = configDisks(config).find(([, d]) => !d.isCloudinit && !d.isCdrom);
    if (!bootDisk) throw new Error('no boot disk');
    const overlay = join(g.dir, 'overlay.qcow2');
    const size = String(bootDisk[1].sizeBytes);
    if (!existsSync(overlay)) await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', this.image.disk, overlay, size]);
    else await run('qemu-img', ['resize', '-q', overlay, size]).catch(() => undefined);

    const args = [
      '-name',
      `vm${vm.vmid}`,
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-machine',
      config.machine?.includes('q35') ? 'q35' : 'pc',
    ];
    if (this.accel === 'kvm') args.push('-accel', 'kvm', '-cpu', 'host');
    else args.push('-accel', 'tcg,tb-size=128');
    const cores = Math.max(1, Math.min(Number(config.cores ?? 1) * Number(config.sockets ?? 1), this.maxCores));
    const memory = Math.max(256, Math.min(Number(config.memory ?? 512), this.maxMemoryMiB));
    args.push('-smp', String(cores), '-m', String(memory));
    args.push('-kernel', this.image.kernel, '-initrd', this.image.initrd, '-append', this.image.cmdline);
    args.push('-device', 'virtio-scsi-pci,id=scsihw0');
    args.push('-drive', `file=${overlay},if=none,id=drive-${bootDisk[0]},format=qcow2,cache=unsafe,discard=unmap`);
    args.push('-device', `scsi-hd,bus=scsihw0.0,scsi-id=0,drive=drive-${bootDisk[0]},id=${bootDisk[0]}`);

    const ciKey = Object.keys(config).find((k) => DISK_KEY.test(k) && parseDisk(config[k] ?? '')?.isCloudinit);
    if (ciKey) {
      log('generating cloud-init ISO');
      const seedDir = join(g.dir, 'seed');
      rmSync(seedDir, { recursive: true, force: true });
      mkdirSync(seedDir);
      for (const [name, text] of Object.entries(noCloudSeed(config, vm.vmid, this.hostDns))) writeFileSync(join(seedDir, name), text);
      const iso = join(g.dir, 'cloudinit.iso');
      await run('genisoimage', ['-quiet', '-iso-level', '3', '-J', '-R', '-V', 'cidata', '-o', iso, seedDir]);
      args.push('-drive', `file=${iso},if=none,id=drive-${ciKey},media=cdrom,format=raw,readonly=on`);
      if (ciKey.startsWith('ide')) {
        const n = Number(ciKey.slice(3));
        args.push('-device', `ide-cd,bus=ide.${Math.floor(n / 2)},unit=${n % 2},drive=drive-${ciKey},id=${ciKey}`);
      } else if (ciKey.startsWith('sata')) {
        args.push('-device', 'ahci,id=ahci0', '-device', `ide-cd,bus=ahci0.${Number(ciKey.slice(4))},drive=drive-${ciKey},id=${ciKey}`);
      } else args.push('-device', `scsi-cd,bus=scsihw0.0,scsi-id=${Number(ciKey.replace(/\D+/, '')) + 1},drive=drive-${ciKey},id=${ciKey}`);
    }

    const net0 = config.net0 ? parseNet(config.net0) : undefined;
    g.sshPort = undefined;
    if (net0 && typeof net0 !== 'string' && network.isolated) {
      // a port-less bridge: the NIC is there, nothing answers on it and nothing is forwarded to it
      args.push(
        '-netdev',
        'user,id=net0,ipv6=off,restrict=on',
        '-device',
        `virtio-net-pci,netdev=net0,mac=${net0.macaddr ?? ''},addr=0x12,id=net0`,
      );
    } else if (net0 && typeof net0 !== 'string') {
      const user = userNetFor(config.ipconfig0);
      g.sshPort = await freePort();
      // ipv6=off: the segment has no IPv6 router, like a data-center VLAN without router
      // advertisements (slirp would advertise fec0::/64, which no PVE bridge hands out); the
      // guest keeps its link-local address and any static ip6 of ipconfig0.
      const netdev = [
        `user,id=net0,net=${user.net}`,
        ...(user.host ? [`host=${user.host}`] : []),
        'ipv6=off',
        `restrict=${this.opts.internet ? 'off' : 'on'}`,
        `hostfwd=tcp:127.0.0.1:${g.sshPort}-${user.guest ?? ''}:22`,
      ];
      args.push('-netdev', netdev.join(','), '-device', `virtio-net-pci,netdev=net0,mac=${net0.macaddr ?? ''},addr=0x12,id=net0`);
    }
    if (vm.agentOnAtStart) {
      args.push('-chardev', `socket,id=qga0,path=${join(g.dir, 'qga.sock')},server=on,wait=off`);
      args.push('-device', 'virtio-serial,id=qga-serial', '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0');
    }
    const qmp = join(g.dir, 'qmp.sock');
    rmSync(qmp, { force: true });
    rmSync(join(g.dir, 'qga.sock'), { force: true });
    rmSync(join(g.dir, 'serial0.sock'), { force: true });
    args.push(
      '-qmp',
      `unix:${qmp},server=on,wait=off`,
      // As qemu-server's `serial0: socket`: a listening UNIX socket that `qm terminal` (and so
      // termproxy) connects to; the log keeps what the console printed while nobody watched.
      '-chardev',
      `socket,id=serial0,path=${join(g.dir, 'serial0.sock')},server=on,wait=off,logfile=${join(g.dir, 'console.log')}`,
      '-serial',
      'chardev:serial0',
      '-pidfile',
      join(g.dir, 'qemu.pid'),
    );

    // Its own process group: a Ctrl+C meant for the simulator (or the launcher) must not kill the
    // guests before the simulator has saved that they were running; close() stops them itself.
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    g.process = child;
    g.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (e) => (stderr += e.message));
    for (let i = 0; i < 100 && !existsSync(qmp); i++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!this.running(vm.vmid) || !existsSync(qmp)) {
      child.kill('SIGKILL');
      await g.exited;
      throw new Error(`start failed: QEMU exited with code ${child.exitCode ?? 'unknown'}: ${stderr.trim()}`);
    }
    void g.exited.then(onExit);
    return child.pid ?? 0;
  }

  /** Hard stop (PVE `stop`): qemu is killed; resolves once it is gone. Idempotent. */
  async stop(vmid: number): Promise<void> {
    const g = this.guests.get(vmid);
    if (!g?.process || !this.running(vmid)) return;
    g.process.kill('SIGKILL');
    await g.exited;
  }

  /** ACPI power button (PVE `shutdown`); true when the guest powered off within `timeoutMs`. */
  async shutdown(vmid: number, timeoutMs: number): Promise<boolean> {
    const g = this.guests.get(vmid);
    if (!g?.process || !this.running(vmid)) return true;
    await qmpCall(join(g.dir, 'qmp.sock'), 'system_powerdown').catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      g.exited?.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    return !timedOut;
  }

  /** Where the disk of backup archive `volid` is kept (under runDir, gone with the simulator). */
  private archivePath(volid: string): string {
    return join(this.runDir, 'backups', `${createHash('sha256').update(volid).digest('hex').slice(0, 32)}.qcow2`);
  }

  /**
   * Keeps the VM's disk as backup archive `volid`: what the guest wrote over the cached image,
   * read while it may run (`-U`), so the copy is crash-consistent like a snapshot-mode vzdump of a
   * guest without fs-freeze. A VM never started has written nothing: no file, the image is its disk.
   */
  async backupDisk(vmid: number, volid: string): Promise<void> {
    const overlay = join(this.guest(vmid).dir, 'overlay.qcow2');
    if (!existsSync(overlay)) return;
    mkdirSync(join(this.runDir, 'backups'), { recursive: true });
    await run('qemu-img', [
      'convert',
      '-U',
      '-f',
      'qcow2',
      '-O',
      'qcow2',
      '-B',
      this.image.disk,
      '-F',
      'qcow2',
      overlay,
      this.archivePath(volid),
    ]);
  }

  /** Gives VM `vmid` the disk of backup archive `volid` (qmrestore's new volume); its old disk is gone. */
  restoreDisk(vmid: number, volid: string): void {
    const g = this.guest(vmid);
    mkdirSync(g.dir, { recursive: true });
    const overlay = join(g.dir, 'overlay.qcow2');
    rmSync(overlay, { force: true });
    const archive = this.archivePath(volid);
    if (existsSync(archive)) copyFileSync(archive, overlay);
  }

  /** Destroy: qemu stopped, overlay, seed and sockets removed. */
  async destroy(vmid: number): Promise<void> {
    await this.stop(vmid);
    const g = this.guests.get(vmid);
    rmSync(g?.dir ?? join(this.runDir, String(vmid)), { recursive: true, force: true });
    this.guests.delete(vmid);
  }

  /**
   * One guest-agent command, answered by the guest's own qemu-guest-agent. Throws QgaError:
   * `not-running` while nothing answers the sync (3 s), `timeout` when the command does not
   * answer within `commandMs`, `error` with the agent's description.
   */
  agent(vmid: number, command: string, args?: Record<string, unknown>, commandMs = 10_000): Promise<unknown> {
    const g = this.guests.get(vmid);
    if (!g || !this.running(vmid)) return Promise.reject(new QgaError({ kind: 'not-running' }));
    const call = g.agentQueue.then(() => qgaCall(join(g.dir, 'qga.sock'), command, args, { syncMs: 3000, commandMs }));
    g.agentQueue = call.catch(() => undefined);
    return call;
  }

  /** Stops every guest (disks kept unless `removeDisks`). */
  async closeAll(removeDisks: boolean): Promise<void> {
    await Promise.all([...this.guests.keys()].map((vmid) => this.stop(vmid)));
    if (removeDisks) rmSync(this.runDir, { recursive: true, force: true });
  }
}
