import { randomUUID } from 'node:crypto';
import type { Rng } from '../util/rng';
import { formatSize } from './formats';
import { randomMac } from './net';
import type { ClusterState } from './cluster-state';
import type { EstateOptions } from './types';

/**
 * A pre-existing, hand-made estate: the VMs a data center already runs before Betang arrives,
 * made by hand over the years. Nothing marks them as Betang's; their names, tags and notes are
 * whatever a person typed, within what Proxmox accepts (names in DNS-name format, tags from
 * `[a-z0-9_][a-z0-9_+.-]*`).
 */
/** One VM of the estate as it is seeded. */
export interface EstateVmSpec {
  vmid: number;
  node: string;
  name: string;
  description?: string;
  tags?: string[];
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  running: boolean;
  /** QEMU guest agent configured (and answering while running). */
  agent: boolean;
  /** Static address via cloud-init (`ip=…/prefix,gw=…`); absent = the guest asks DHCP. */
  ipconfig0?: string;
}

const INSTITUTIONS = ['dinkes', 'bappeda', 'bkpsdm', 'disdik', 'dishub', 'adpim', 'diskominfo', 'bpkad', 'dpmptsp', 'satpolpp'];
const ROLES = ['web', 'db', 'app', 'sipd', 'gis', 'backup', 'mail', 'simpeg', 'portal', 'api'];
const SIZES = [
  { cores: 1, memoryMiB: 1024, diskGiB: 20 },
  { cores: 2, memoryMiB: 2048, diskGiB: 32 },
  { cores: 2, memoryMiB: 4096, diskGiB: 50 },
  { cores: 4, memoryMiB: 8192, diskGiB: 100 },
];

/** The first VMs: the ones people remember, each showing one thing an estate has. */
const NAMED: Omit<EstateVmSpec, 'vmid' | 'node'>[] = [
  {
    name: 'web-dinkes-lama',
    description: 'Web lama Dinas Kesehatan (SIMPUS versi 1).\nKontak: Pak Budi, seksi data.',
    tags: ['dinkes', 'produksi'],
    ...SIZES[1]!,
    running: true,
    agent: true,
    ipconfig0: 'ip=10.120.0.31/24,gw=10.120.0.1',
  },
  {
    // a copy made "for testing" that kept the same static address: the overlap is real once both run
    name: 'web-dinkes-lama-copy',
    description: 'Salinan web-dinkes-lama untuk uji coba.',
    ...SIZES[1]!,
    running: false,
    agent: true,
    ipconfig0: 'ip=10.120.0.31/24,gw=10.120.0.1',
  },
  {
    name: 'SIMPEG-server',
    description: 'SIMPEG BKPSDM - jangan dimatikan!',
    ...SIZES[3]!,
    running: true,
    agent: false,
    ipconfig0: 'ip=10.120.0.40/24,gw=10.120.0.1',
  },
  { name: 'db01-bappeda', tags: ['bappeda', 'db'], ...SIZES[2]!, running: true, agent: true, ipconfig0: 'ip=10.120.0.41/24,gw=10.120.0.1' },
  {
    name: 'agenda-adpim',
    description: 'SIPD Agenda Pimpinan (server lama)',
    ...SIZES[1]!,
    running: true,
    agent: true,
    ipconfig0: 'ip=10.120.0.42/24,gw=10.120.0.1',
  },
  // an address no pool of the office's plan covers (an old flat network)
  {
    name: 'proxy-lama',
    description: 'Reverse proxy lama, jaringan 192.168.50.0/24',
    ...SIZES[0]!,
    running: true,
    agent: true,
    ipconfig0: 'ip=192.168.50.10/24,gw=192.168.50.1',
  },
  // DHCP: only the agent knows its address
  { name: 'test', ...SIZES[0]!, running: true, agent: true },
  {
    name: 'win2019-keuangan',
    description: 'Aplikasi keuangan BPKAD (Windows)',
    tags: ['bpkad'],
    ...SIZES[3]!,
    running: false,
    agent: false,
  },
];

/**
 * The estate's VMs, deterministic for an Rng state. Of every kind a share: notes in some, tags in
 * some, an address shared by two VMs now and then, addresses outside the office's usual network,
 * VMs without an agent, VMs stopped. Names are unique, as people keep them (Proxmox does not
 * require it).
 */
export function handMadeEstate(options: EstateOptions, nodes: readonly string[], rng: Rng, taken: ReadonlySet<number>): EstateVmSpec[] {
  const out: EstateVmSpec[] = [];
  const stray = [...(options.strayVmids ?? [])];
  let next = options.firstVmid ?? 101;
  const names = new Set<string>();
  const usedHosts: number[] = [];
  const nextVmid = (): number => {
    while (taken.has(next) || out.some((v) => v.vmid === next)) next++;
    return next++;
  };
  for (let i = 0; i < options.count; i++) {
    const node = nodes[i % nodes.length] ?? 'pve1';
    // a stray id every 25 VMs (starting with the 10th), while any are left
    const vmid = stray.length > 0 && i % 25 === 9 ? stray.shift()! : nextVmid();
    const named = NAMED[i];
    if (named) {
      names.add(named.name);
      out.push({ vmid, node, ...named });
      continue;
    }
    const inst = INSTITUTIONS[rng.int(0, INSTITUTIONS.length - 1)]!;
    const role = ROLES[rng.int(0, ROLES.length - 1)]!;
    let name = rng.chance(0.2) ? `${role.toUpperCase()}-${inst}` : `${role}-${inst}`;
    for (let n = 2; names.has(name); n++) name = `${role}${String(n).padStart(2, '0')}-${inst}`;
    names.add(name);
    const size = SIZES[rng.int(0, SIZES.length - 1)]!;
    let ipconfig0: string | undefined;
    if (i % 7 !== 3) {
      if (i % 17 === 5 && usedHosts.length > 0) {
        // someone copied a VM and its static address along with it
        const host = usedHosts[rng.int(0, usedHosts.length - 1)]!;
        ipconfig0 = `ip=10.120.${Math.floor(host / 250)}.${(host % 250) + 1}/24,gw=10.120.${Math.floor(host / 250)}.1`;
      } else if (i % 13 === 6) {
        ipconfig0 = `ip=172.16.${rng.int(1, 9)}.${rng.int(2, 250)}/24,gw=172.16.0.1`;
      } else {
        const host = 60 + usedHosts.length;
        usedHosts.push(host);
        ipconfig0 = `ip=10.120.${Math.floor(host / 250)}.${(host % 250) + 1}/24,gw=10.120.${Math.floor(host / 250)}.1`;
      }
    }
    const notes = rng.chance(0.4) ? `Server ${role} ${inst.toUpperCase()}${rng.chance(0.5) ? ' - dibuat manual' : ''}` : undefined;
    out.push({
      vmid,
      node,
      name,
      ...(notes ? { description: notes } : {}),
      ...(rng.chance(0.3) ? { tags: [inst] } : {}),
      ...size,
      running: i % 4 !== 2,
      agent: i % 5 !== 4,
      ...(ipconfig0 ? { ipconfig0 } : {}),
    });
  }
  return out;
}

/**
 * Creates the estate's VMs in the cluster, the running ones as if they had been up for a while
 * (guest agent answering). Their disks sit on the first storage holding images on their node.
 */
export function seedEstate(state: ClusterState, specs: readonly EstateVmSpec[], rng: Rng): void {
  const now = Date.now();
  for (const s of specs) {
    const storage =
      state.storages.find((st) => st.content.includes('images') && (!st.nodes || st.nodes.includes(s.node)))?.id ?? 'local-lvm';
    const config: Record<string, string> = {
      boot: 'order=scsi0',
      cores: String(s.cores),
      memory: String(s.memoryMiB),
      meta: `creation-qemu=7.2.0,ctime=${Math.floor(now / 1000) - 86400 * rng.int(200, 2000)}`,
      name: s.name,
      net0: `virtio=${randomMac(rng)},bridge=vmbr0`,
      ostype: 'l26',
      scsi0: `${storage}:vm-${s.vmid}-disk-0,size=${formatSize(s.diskGiB * 1024 ** 3)}`,
      scsihw: 'virtio-scsi-single',
      smbios1: `uuid=${randomUUID()}`,
      vmgenid: randomUUID(),
    };
    if (s.agent) config.agent = '1';
    if (s.description) config.description = s.description;
    if (s.tags && s.tags.length > 0) config.tags = s.tags.join(';');
    if (s.ipconfig0) {
      config.ipconfig0 = s.ipconfig0;
      config.ide2 = `${storage}:vm-${s.vmid}-cloudinit,media=cdrom`;
    }
    const vm = state.newVm(s.vmid, s.node, config, 'debian');
    vm.createdAt = now - 86400_000 * rng.int(200, 2000);
    if (s.running) {
      const node = state.node(s.node);
      vm.power = 'running';
      vm.startedAt = now - 3600_000 * rng.int(1, 2000);
      vm.pid = node.nextPid;
      node.nextPid += rng.int(3, 30);
      vm.bootConfig = { ...config };
      vm.agentOnAtStart = s.agent;
      vm.agentPlan = { notRunningUntil: now, timeoutUntil: now, linkLocalUntil: now, hostKeysAt: now, cloudInitDoneAt: now };
    }
  }
}
