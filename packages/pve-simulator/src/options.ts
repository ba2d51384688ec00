import type { AccessSpec } from './access/access-spec';
import type { QemuGuestOptions } from './guest/qemu/qemu-guests';
import type { EstateOptions } from './state/types';
import type { NodeSpec, StorageSpec, TemplateSpec } from './state/types';

export type Flavour = 'pve8' | 'pve9';

/** Shared storage (Ceph/NFS) or per-node local storage (local-lvm/ZFS); see SimulatorOptions.storageLayout. */
export type StorageLayout = 'shared' | 'local';

/** An API token the simulator accepts. */
export interface TokenSpec {
  /** `user@realm!tokenid` */
  tokenId: string;
  /** lower-case UUID */
  secret: string;
  expire?: number;
  /** Privilege separation (PVE's default 1): the token's own ACLs intersected with its user's. */
  privsep?: boolean;
}

/** Options of startSimulator; every field has a default. */
export interface SimulatorOptions {
  /** TCP port; 0 = random (default 0 in-process, 8006 in the CLI). */
  port?: number;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /**
   * Serve the API on one port per node, as every PVE node runs its own pveproxy (the first node
   * on `port`, the others on random ports; see RunningSimulator.endpoints). Default false: one port.
   */
  apiPerNode?: boolean;
  flavour?: Flavour;
  /** Scales every realistic duration (0 = instant-ish, 1 = realistic). Default 0. */
  timeFactor?: number;
  /** Seed for MACs, jitter and random faults. Default 1. */
  seed?: number;
  /**
   * Storage layout when `storages`/`templates` are not given. `shared` (default): a Ceph pool every
   * node sees, the templates once on pve1 (any node clones them to any target). `local`: only
   * per-node storage (local-lvm), a template pair on every node (`perNodeTemplates`); PVE refuses
   * to clone a VM on local storage to another node.
   */
  storageLayout?: StorageLayout;
  nodes?: NodeSpec[];
  storages?: StorageSpec[];
  templates?: TemplateSpec[];
  /**
   * API tokens; the first is the one `RunningSimulator.tokenId` names. Default: `root@pam!betang`
   * without privilege separation (root's full rights, as a `pveum user token add root@pam betang
   * --privsep 0` token has).
   */
  tokens?: TokenSpec[];
  /** Custom roles and ACLs (user.cfg). Default none: only root@pam and its unseparated token can do anything. */
  access?: AccessSpec;
  /** Users for ticket login: `user@realm` → password. Default root@pam / "betang-sim". */
  users?: Record<string, string>;
  /** Pools that exist at start. Default ["templates", "customers"]. */
  pools?: string[];
  /** First IPv4 handed out by the fake DHCP for NICs without static ipconfig. Default 10.20.0.100/24. */
  dhcpPool?: { base: string; prefix: number };
  /** Delay before a 401 answer in real ms; default 3000 × timeFactor. */
  authFailureDelayMs?: number;
  /** Realistic seconds between the guest's start and its agent answering. Default 20. */
  agentBootSeconds?: number;
  /** Realistic seconds between two /cluster/resources broadcasts. Default 10. */
  resourcesLagSeconds?: number;
  /** Start an emulated SSH server per running VM (default true; emulated guests only). */
  guestSsh?: boolean;
  /**
   * `emulated` (default): guests are answered from memory (agent stages, emulated sshd).
   * `qemu`: every started VM boots a real Debian cloud guest under qemu (docs/pve-simulator.md,
   * "Real guests"); the agent endpoints are answered by its qemu-guest-agent.
   */
  guests?: 'emulated' | 'qemu';
  /** Settings of the `qemu` guest mode. */
  qemu?: QemuGuestOptions;
  /**
   * Keep the cluster's VMs in this JSON file: loaded at start when it exists, written when they
   * change and on close (the embedded demo's cluster survives a restart). Default: memory only.
   */
  stateFile?: string;
  /**
   * A pre-existing, hand-made estate seeded at start (state/estate.ts): VMs with human names and
   * no Betang marker. Ignored when `stateFile` already holds a cluster (that cluster is restored).
   */
  estate?: EstateOptions;
}

export const DEFAULT_TOKEN_ID = 'root@pam!betang';
export const DEFAULT_TOKEN_SECRET = '5d1a7c2e-3b4f-4a8d-9e6b-0c2f1a9d8e73';

export const DEFAULT_NODES: NodeSpec[] = [
  { name: 'pve1', cpus: 32, memoryMiB: 131072, bridges: ['vmbr0', 'vmbr1'] },
  { name: 'pve2', cpus: 32, memoryMiB: 131072, bridges: ['vmbr0', 'vmbr1'] },
  { name: 'pve3', cpus: 16, memoryMiB: 65536, bridges: ['vmbr0', 'vmbr1'] },
];

export const DEFAULT_STORAGES: StorageSpec[] = [
  { id: 'local', type: 'dir', shared: false, content: 'iso,vztmpl,backup,snippets', totalGiB: 100 },
  { id: 'local-lvm', type: 'lvmthin', shared: false, content: 'images,rootdir', totalGiB: 900 },
  { id: 'ceph', type: 'rbd', shared: true, content: 'images,rootdir', totalGiB: 4096 },
  // a Proxmox Backup Server datastore: shared by every node, backups only
  { id: 'pbs', type: 'pbs', shared: true, content: 'backup', totalGiB: 8192 },
];

export const DEFAULT_TEMPLATES: TemplateSpec[] = [
  { vmid: 9000, name: 'debian-12-cloud', node: 'pve1', storage: 'ceph', diskGiB: 3, defaultUser: 'debian', pool: 'templates' },
  { vmid: 9001, name: 'ubuntu-2404-cloud', node: 'pve1', storage: 'ceph', diskGiB: 4, defaultUser: 'ubuntu', pool: 'templates' },
];

/** The storages of a cluster with only per-node storage: no Ceph/NFS. */
export const LOCAL_STORAGES: StorageSpec[] = DEFAULT_STORAGES.filter((s) => !s.shared);

/**
 * Alternative layout: a Debian 12 and an Ubuntu 24.04 template on every node's local-lvm
 * (vmids 9000/9001 on the first node, 9100/9101 on the second, ...), for clients that clone
 * on the target node onto local storage.
 */
export function perNodeTemplates(nodes: NodeSpec[] = DEFAULT_NODES): TemplateSpec[] {
  return nodes.flatMap((n, i) => [
    {
      vmid: 9000 + i * 100,
      name: 'debian-12-cloud',
      node: n.name,
      storage: 'local-lvm',
      diskGiB: 3,
      defaultUser: 'debian',
      pool: 'templates',
    },
    {
      vmid: 9001 + i * 100,
      name: 'ubuntu-2404-cloud',
      node: n.name,
      storage: 'local-lvm',
      diskGiB: 4,
      defaultUser: 'ubuntu',
      pool: 'templates',
    },
  ]);
}

/** Options with defaults applied. */
export type ResolvedOptions = Required<Omit<SimulatorOptions, 'authFailureDelayMs' | 'stateFile' | 'qemu' | 'estate'>> & {
  estate: EstateOptions | undefined;
  authFailureDelayMs: number;
  stateFile: string | undefined;
  qemu: QemuGuestOptions;
};

/** Fills in defaults; guarantees a usable, self-consistent option set. */
export function resolveOptions(o: SimulatorOptions = {}): ResolvedOptions {
  const timeFactor = o.timeFactor ?? 0;
  const layout = o.storageLayout ?? 'shared';
  const nodes = o.nodes ?? DEFAULT_NODES;
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    apiPerNode: o.apiPerNode ?? false,
    flavour: o.flavour ?? 'pve9',
    timeFactor,
    seed: o.seed ?? 1,
    storageLayout: layout,
    nodes,
    storages: o.storages ?? (layout === 'local' ? LOCAL_STORAGES : DEFAULT_STORAGES),
    templates: o.templates ?? (layout === 'local' ? perNodeTemplates(nodes) : DEFAULT_TEMPLATES),
    tokens: o.tokens ?? [{ tokenId: DEFAULT_TOKEN_ID, secret: DEFAULT_TOKEN_SECRET, privsep: false }],
    access: o.access ?? {},
    users: o.users ?? { 'root@pam': 'betang-sim' },
    pools: o.pools ?? ['templates', 'customers'],
    dhcpPool: o.dhcpPool ?? { base: '10.20.0.100', prefix: 24 },
    authFailureDelayMs: o.authFailureDelayMs ?? 3000 * timeFactor,
    agentBootSeconds: o.agentBootSeconds ?? 20,
    resourcesLagSeconds: o.resourcesLagSeconds ?? 10,
    guestSsh: o.guestSsh ?? true,
    guests: o.guests ?? 'emulated',
    qemu: o.qemu ?? {},
    stateFile: o.stateFile,
    estate: o.estate,
  };
}
