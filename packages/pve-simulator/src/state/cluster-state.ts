import { randomUUID } from 'node:crypto';
import type { ResolvedOptions } from '../options';
import type { Rng } from '../util/rng';
import { die } from '../server/pve-error';
import { BackupStore } from './backup-store';
import { configDisks } from './disks';
import { formatSize } from './formats';
import { randomMac } from './net';
import type { HaResource } from './ha-types';
import type { HostDns, SimVm, StorageSpec, TemplateSpec } from './types';

/** A node with its simulated runtime facts. */
export interface SimNode {
  name: string;
  cpus: number;
  memoryBytes: number;
  /** Every bridge of the node, the isolated ones included. */
  bridges: string[];
  /** The bridges with no port (see NodeSpec.isolatedBridges). */
  isolatedBridges: string[];
  bootTime: number;
  online: boolean;
  nextPid: number;
  ip: string;
  dns: HostDns;
}

/** What /cluster/resources last "broadcast" for a VM (the RRD lag). */
interface RrdEntry {
  status: string;
  name?: string;
  maxmem?: number;
  maxcpu?: number;
  maxdisk?: number;
  uptime?: number;
}

/** The whole in-memory cluster: nodes, storages, VMs, pools. */
export class ClusterState {
  readonly nodes = new Map<string, SimNode>();
  readonly storages: StorageSpec[];
  readonly vms = new Map<number, SimVm>();
  readonly pools = new Map<string, { comment?: string; members: Set<number> }>();
  readonly rrd = new Map<number, RrdEntry>();
  /** Storages forced full by a fault: key `storage` or `storage/node`. */
  readonly fullStorages = new Set<string>();
  /** HA resources (`vm:<vmid>` in resources.cfg) by vmid; see state/ha-manager.ts. */
  readonly ha = new Map<number, HaResource>();
  /** Backup archives on the storages with `backup` content (vzdump writes them). */
  readonly backups = new BackupStore();
  quorate = true;

  constructor(
    readonly opts: ResolvedOptions,
    readonly rng: Rng,
  ) {
    const now = Date.now();
    opts.nodes.forEach((n, i) => {
      this.nodes.set(n.name, {
        name: n.name,
        cpus: n.cpus,
        memoryBytes: n.memoryMiB * 1024 * 1024,
        bridges: [...(n.bridges ?? ['vmbr0']), ...(n.isolatedBridges ?? ['vmbr9'])],
        isolatedBridges: n.isolatedBridges ?? ['vmbr9'],
        bootTime: now - rng.int(3, 40) * 86400_000,
        online: true,
        nextPid: rng.int(0x100000, 0x3fffff),
        ip: `192.168.100.${11 + i}`,
        dns: n.dns ?? { search: 'pve.lan', dns1: '192.168.100.1' },
      });
    });
    this.storages = opts.storages;
    for (const p of opts.pools) this.pools.set(p, { members: new Set() });
    for (const t of opts.templates) this.addTemplate(t);
  }

  /** Throws PVE's `no such cluster node` for unknown names. */
  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw die(`no such cluster node '${name}'`);
    return n;
  }

  /** The VM on `node`, or PVE's "Configuration file ... does not exist". */
  vmOn(node: string, vmid: number): SimVm {
    this.node(node);
    const vm = this.vms.get(vmid);
    if (!vm || vm.node !== node) throw die(`Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  }

  /** Lowest free vmid ≥ 100 (cluster-wide). */
  nextFreeId(): number {
    let id = 100;
    while (this.vms.has(id)) id++;
    return id;
  }

  storage(id: string): StorageSpec | undefined {
    return this.storages.find((s) => s.id === id);
  }

  storageOnNode(id: string, node: string): StorageSpec | undefined {
    const s = this.storage(id);
    return s && (!s.nodes || s.nodes.includes(node)) ? s : undefined;
  }

  /** Bytes used on a storage (per node for local storages), from every VM's disks. */
  storageUsed(id: string, node: string): number {
    const s = this.storage(id);
    if (!s) return 0;
    if (this.fullStorages.has(id) || this.fullStorages.has(`${id}/${node}`)) return s.totalGiB * 1024 ** 3;
    let used = this.backups.usedBytes(s, node);
    for (const vm of this.vms.values()) {
      if (!s.shared && vm.node !== node) continue;
      for (const [, d] of configDisks(vm.config)) {
        // linked clones share their base volume; only count own volumes
        if (d.storage === id && !d.volume.includes('/')) used += d.sizeBytes;
      }
    }
    return used;
  }

  /** Adds a VM to a pool; removes it from any other pool. */
  setPool(vmid: number, pool: string | undefined): void {
    for (const p of this.pools.values()) p.members.delete(vmid);
    if (pool) this.pools.get(pool)?.members.add(vmid);
  }

  poolOf(vmid: number): string | undefined {
    for (const [id, p] of this.pools) if (p.members.has(vmid)) return id;
    return undefined;
  }

  /** Creates a fresh VM record (no disks), used by clone and seeding. */
  newVm(vmid: number, node: string, config: Record<string, string>, defaultUser: string): SimVm {
    const vm: SimVm = {
      vmid,
      node,
      config,
      pending: {},
      pendingDelete: [],
      snapshots: {},
      power: 'stopped',
      agentOnAtStart: false,
      defaultUser,
      createdAt: Date.now(),
      execs: new Map(),
      nextExecPid: 1000 + this.rng.int(0, 2000),
    };
    this.vms.set(vmid, vm);
    return vm;
  }

  private addTemplate(t: TemplateSpec): void {
    const node = t.node ?? this.opts.nodes[0]?.name ?? 'pve1';
    const storage = t.storage ?? 'ceph';
    const config: Record<string, string> = {
      agent: '1',
      boot: 'order=scsi0',
      cores: String(t.cores ?? 1),
      ide2: `${storage}:vm-${t.vmid}-cloudinit,media=cdrom`,
      memory: String(t.memoryMiB ?? 1024),
      meta: `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000) - 86400 * 30}`,
      name: t.name,
      net0: `virtio=${randomMac(this.rng)},bridge=vmbr0`,
      ostype: 'l26',
      scsi0: `${storage}:base-${t.vmid}-disk-0,size=${formatSize((t.diskGiB ?? 3) * 1024 ** 3)}`,
      scsihw: 'virtio-scsi-single',
      serial0: 'socket',
      smbios1: `uuid=${randomUUID()}`,
      template: '1',
      vga: 'serial0',
      vmgenid: randomUUID(),
    };
    this.newVm(t.vmid, node, config, t.defaultUser ?? 'debian');
    if (t.pool) {
      if (!this.pools.has(t.pool)) this.pools.set(t.pool, { members: new Set() });
      this.setPool(t.vmid, t.pool);
    }
  }
}
