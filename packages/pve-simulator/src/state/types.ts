/** Node of the simulated cluster. */
export interface NodeSpec {
  name: string;
  cpus: number;
  memoryMiB: number;
  /** Bridges that exist on the node (start fails for a NIC on another bridge). */
  bridges?: string[];
  /**
   * Bridges without any port (`bridge-ports none`): guests on them reach nothing but each other,
   * the isolated network a test restore boots in. Default `vmbr9`.
   */
  isolatedBridges?: string[];
  /** The node's own /etc/resolv.conf (`GET /nodes/{node}/dns`); default search `pve.lan`, dns1 192.168.100.1. */
  dns?: HostDns;
}

/** A PVE host's resolver settings, as PVE::INotify reads /etc/resolv.conf. */
export interface HostDns {
  search?: string;
  dns1?: string;
  dns2?: string;
  dns3?: string;
}

/** Storage definition; local storages exist once per node, shared ones once for the cluster. */
export interface StorageSpec {
  id: string;
  type: 'lvmthin' | 'dir' | 'rbd' | 'zfspool' | 'nfs' | 'pbs';
  shared: boolean;
  content: string;
  totalGiB: number;
  /** Nodes where it is enabled; default all. */
  nodes?: string[];
}

/** A cloud-init template to seed. */
export interface TemplateSpec {
  vmid: number;
  name: string;
  node?: string;
  storage?: string;
  diskGiB?: number;
  memoryMiB?: number;
  cores?: number;
  /** Image default login user (used when ciuser is unset). */
  defaultUser?: string;
  pool?: string;
}

type PowerState = 'stopped' | 'running' | 'paused';

/** One `agent/exec` call. */
interface ExecRecord {
  pid: number;
  command: string[];
  inputData?: string;
  at: number;
  readyAt: number;
  exitcode: number;
  out: string;
  err: string;
}

/** See SimVm.agentPlan. */
export interface AgentPlan {
  notRunningUntil: number;
  timeoutUntil: number;
  linkLocalUntil: number;
  hostKeysAt: number;
  cloudInitDoneAt: number;
}

/** A VM (or template) as the simulator keeps it. */
export interface SimVm {
  vmid: number;
  node: string;
  /** Values exactly as they would appear in `<vmid>.conf`. */
  config: Record<string, string>;
  pending: Record<string, string>;
  pendingDelete: string[];
  /**
   * The `[snapname]` sections of `<vmid>.conf`: each a copy of the config at snapshot time plus
   * PVE's own keys (`snaptime`, `parent`, `description`, `vmstate`, `snapstate`, `runningmachine`),
   * in the order they were taken. The current config's `parent` lives in `config.parent`.
   */
  snapshots: Record<string, Record<string, string>>;
  power: PowerState;
  startedAt?: number;
  pid?: number;
  /** Whether `agent` was enabled when QEMU was started. */
  agentOnAtStart: boolean;
  /**
   * Absolute times (ms) of the guest's boot stages: the agent answers from `timeoutUntil`, the
   * address is up from `linkLocalUntil`, cloud-init's ssh module has written the host keys (and
   * sshd accepts connections) from `hostKeysAt`, cloud-init is done at `cloudInitDoneAt`.
   */
  agentPlan?: AgentPlan;
  hostKey?: { private: string; public: string };
  /** Config as it was when QEMU last started (what cloud-init saw). */
  bootConfig?: Record<string, string>;
  defaultUser: string;
  createdAt: number;
  execs: Map<number, ExecRecord>;
  nextExecPid: number;
}

/** Read-only view of a VM for tests. */
export interface VmSnapshot {
  vmid: number;
  node: string;
  name?: string;
  status: PowerState;
  template: boolean;
  lock?: string;
  tags: string[];
  pool?: string;
  config: Record<string, string>;
  pending: Record<string, string>;
}

/** A pre-existing, hand-made estate seeded at start (state/estate.ts). */
export interface EstateOptions {
  /** How many VMs (0 = none). */
  count: number;
  /** First vmid (default 101: hand-made VMs sit low, below any range an automation reserves). */
  firstVmid?: number;
  /**
   * Extra vmids to give some of the VMs instead of the next free one — e.g. ids inside the range
   * another tool (Betang) reserves for itself, which a real estate often has by accident.
   */
  strayVmids?: number[];
}
