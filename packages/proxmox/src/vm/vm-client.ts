import { z } from 'zod';
import type { PveTransport } from '../client/pve-transport';
import type { PveParams } from '../client/encode-params';
import type { CallOptions } from '../client/request-engine';
import { classifyPveError } from '../errors/classify-pve-error';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { pathSegment } from '../util/path-segment';
import type { PveSnapshot } from '../wire/snapshot.schema';
import { ZPveSnapshot } from '../wire/snapshot.schema';
import type { VmConfig, VmStatusCurrent } from '../wire/vm.schema';
import { ZVmConfig, ZVmStatusCurrent } from '../wire/vm.schema';
import type { TaskOptions } from './task-call';
import { runTask, startTask } from './task-call';
import type { VmAgent } from './vm-agent';
import type { SerialPort, Termproxy } from './vm-console';
import { ZTermproxy } from './vm-console';
import { vmAgent } from './vm-agent';

/** Parameters of `POST .../clone` Betang uses (PVE's names; `newid` is the new VM's id). */
export type CloneParams = {
  newid: number;
  name?: string;
  description?: string;
  /** Full clone (PVE's default is linked for templates; customer VMs are always full). */
  full: boolean;
  storage?: string;
  pool?: string;
  /** Another node to move the clone to (only with shared storage). */
  target?: string;
};

/**
 * One VM on one node, one method per PVE operation (`/nodes/{node}/qemu/{vmid}/...`). Answers
 * are parsed with zod; task-creating calls are re-sent only after `got no worker upid` (no worker
 * was started), never after a lost answer. Methods taking TaskOptions wait for the task.
 */
export type VmClient = {
  readonly node: string;
  readonly vmid: number;
  /** `GET config`; `current: true` leaves out pending changes. Read-only. */
  config(opts?: { current?: boolean } & CallOptions): Promise<VmConfig>;
  /** Like config(), but undefined when PVE says the VM is not on this node. Read-only. */
  findConfig(opts?: CallOptions): Promise<VmConfig | undefined>;
  /** `POST config` (a `qmconfig` task, awaited). Absolute values make it safe to repeat. */
  updateConfig(params: PveParams, task: TaskOptions): Promise<void>;
  /** `PUT config`: applied synchronously, no task. Absolute values make it safe to repeat. */
  updateConfigNow(params: PveParams, opts?: CallOptions): Promise<void>;
  /**
   * Sets or clears PVE's `protection` flag (`PUT config`, synchronous): a protected VM cannot be
   * destroyed nor lose a disk ("protection mode enabled"). Absolute, so safe to repeat.
   */
  setProtection(on: boolean, opts?: CallOptions): Promise<void>;
  /** `PUT resize` to an absolute size such as `32G` (equal size is a no-op task): safe to repeat. */
  resizeDisk(disk: string, size: string, task: TaskOptions): Promise<void>;
  /** `GET status/current`: power state, lock, agent flag. Read-only. */
  status(opts?: CallOptions): Promise<VmStatusCurrent>;
  /** `POST status/start`; a VM already running counts as started (PVE fails the task with `VM N already running`). */
  start(task: TaskOptions): Promise<void>;
  /** `POST status/stop`: hard power-off; a stopped VM ends OK in PVE. */
  stop(task: TaskOptions): Promise<void>;
  /**
   * `POST status/shutdown`: ACPI or agent shutdown, waiting up to `timeoutSeconds` (PVE's default
   * 60); without `forceStop` a guest that does not power off fails the task. A stopped VM ends OK.
   */
  shutdown(task: TaskOptions & { timeoutSeconds?: number; forceStop?: boolean }): Promise<void>;
  /** `POST status/reboot`: PVE refuses a stopped VM (`VM N not running`), applies pending changes. */
  reboot(task: TaskOptions & { timeoutSeconds?: number }): Promise<void>;
  /**
   * `DELETE` with `purge` and `destroy-unreferenced-disks`: the VM, its disks and its backup/HA/
   * replication entries go. PVE refuses a running VM; stop it first.
   */
  destroy(task: TaskOptions): Promise<void>;
  /**
   * `POST clone` of this VM (a template) and returns the clone's UPID without waiting: the caller
   * watches the new id (cloneToFreeVmid). Never re-sent after a lost answer.
   */
  clone(params: CloneParams, opts?: { signal?: AbortSignal }): Promise<string>;
  /**
   * `POST termproxy` (VM.Console): a serial console session's port and one-use ticket. Each call
   * starts a new termproxy that waits 10 s for its one connection; an unused one just ends, so a
   * repeated call costs nothing but a port for those seconds.
   */
  openTermproxy(opts?: { serial?: SerialPort } & CallOptions): Promise<Termproxy>;
  /**
   * `GET snapshot`: the VM's snapshots in Proxmox's order, without the `current` pseudo-entry
   * (its `parent` is `currentParent`). Read-only.
   */
  snapshots(opts?: CallOptions): Promise<{ snapshots: PveSnapshot[]; currentParent: string | undefined }>;
  /**
   * `POST snapshot` (a `qmsnapshot` task, awaited); `vmstate` saves the RAM of a running VM (PVE
   * ignores it for a stopped one). Safe to repeat: a task refused with "snapshot name '…' already
   * used" counts as done when that snapshot exists complete (no `snapstate`), so the caller must
   * use names only it creates.
   */
  takeSnapshot(name: string, opts: { vmstate?: boolean; description?: string }, task: TaskOptions): Promise<void>;
  /**
   * `POST snapshot/{name}/rollback` (a `qmrollback` task, awaited): PVE stops the VM, puts disks
   * and config back, and resumes it when the snapshot has RAM; `start` starts it otherwise. Not
   * idempotent towards the guest (a second rollback discards what happened since the first):
   * the caller checks before repeating.
   */
  rollbackSnapshot(name: string, opts: { start?: boolean }, task: TaskOptions): Promise<void>;
  /** `DELETE snapshot/{name}` (a `qmdelsnapshot` task, awaited); a snapshot that no longer exists counts as deleted, so it is safe to repeat. */
  deleteSnapshot(name: string, task: TaskOptions): Promise<void>;
  /**
   * `GET /nodes/{node}/tasks?vmid=…&typefilter=…&since=…&source=all`: this VM's tasks of `type`
   * started at or after `sinceEpochSeconds` that this token can see, newest first (`status` is
   * `RUNNING` or the exit status). Read-only: how a retry learns whether an earlier attempt
   * already started a task that must not run twice.
   */
  tasksSince(
    type: string,
    sinceEpochSeconds: number,
    opts?: CallOptions,
  ): Promise<Array<{ upid: string; status: string; starttime: number }>>;
  /** The guest-agent calls. */
  readonly agent: VmAgent;
};

const ZTaskListEntry = z.looseObject({ upid: z.string(), status: z.string().optional(), starttime: z.number() });

/** The path of one snapshot; the name must be PVE's pve-configid (at most 40 characters) or nothing is sent. */
function snapshotPath(base: string, name: string): string {
  if (!/^[a-z][a-z0-9_-]{1,39}$/i.test(name)) throw new RangeError(`invalid snapshot name '${name}'`);
  return `${base}/snapshot/${name}`;
}

/** The client for VM `vmid` on `node` (names come from PVE itself or the catalog). */
export function vmClient(pve: PveTransport, node: string, vmid: number): VmClient {
  if (!Number.isSafeInteger(vmid) || vmid < 100 || vmid > 999_999_999) throw new RangeError(`invalid vmid ${vmid}`);
  const base = `/nodes/${pathSegment(node)}/qemu/${vmid}`;
  const readConfig = async (o: { current?: boolean } & CallOptions = {}): Promise<VmConfig> => {
    const { current, ...callOpts } = o;
    return ZVmConfig.parse(await pve.request('GET', `${base}/config`, current ? { current: 1 } : undefined, callOpts));
  };
  const power = async (action: string, params: PveParams, task: TaskOptions): Promise<void> => {
    await runTask(pve, 'POST', `${base}/status/${action}`, params, task);
  };
  return {
    node,
    vmid,
    config: readConfig,
    findConfig: async (opts) => {
      try {
        return await readConfig(opts);
      } catch (err) {
        if (classifyPveError(err).code === 'not-found') return undefined;
        throw err;
      }
    },
    updateConfig: async (params, task) => {
      await runTask(pve, 'POST', `${base}/config`, params, task);
    },
    updateConfigNow: async (params, opts) => {
      await pve.request('PUT', `${base}/config`, params, opts);
    },
    setProtection: async (on, opts) => {
      // PVE keeps a cleared flag out of the config: `delete` rather than `protection=0`.
      await pve.request('PUT', `${base}/config`, on ? { protection: 1 } : { delete: 'protection' }, opts);
    },
    resizeDisk: async (disk, size, task) => {
      await runTask(pve, 'PUT', `${base}/resize`, { disk, size }, task);
    },
    openTermproxy: async (o = {}) => {
      const { serial, ...callOpts } = o;
      return ZTermproxy.parse(await pve.request('POST', `${base}/termproxy`, serial ? { serial } : {}, callOpts));
    },
    status: async (opts) => ZVmStatusCurrent.parse(await pve.request('GET', `${base}/status/current`, undefined, opts)),
    start: async (task) => {
      try {
        await power('start', {}, task);
      } catch (err) {
        // qemu-server's vm_start dies inside the task when QEMU already runs.
        if (err instanceof PveTaskFailedError && /\bVM \d+ already running\b/.test(err.exitstatus)) return;
        throw err;
      }
    },
    stop: (task) => power('stop', {}, task),
    shutdown: ({ timeoutSeconds, forceStop, ...task }) =>
      power(
        'shutdown',
        { ...(timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds }), ...(forceStop === undefined ? {} : { forceStop }) },
        task,
      ),
    reboot: ({ timeoutSeconds, ...task }) => power('reboot', timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds }, task),
    destroy: async (task) => {
      await runTask(pve, 'DELETE', base, { purge: 1, 'destroy-unreferenced-disks': 1 }, task);
    },
    clone: async (params, opts) => {
      const { target, ...rest } = params;
      const upid = await startTask(
        pve,
        'POST',
        `${base}/clone`,
        { ...rest, ...(target && target !== node ? { target } : {}) },
        opts?.signal,
      );
      if (upid === null) throw new TypeError('clone answered without a UPID');
      return upid;
    },
    snapshots: async (opts) => {
      const items = z.array(ZPveSnapshot).parse(await pve.request('GET', `${base}/snapshot`, undefined, opts));
      const current = items.find((i) => i.name === 'current');
      return { snapshots: items.filter((i) => i.name !== 'current'), currentParent: current?.parent };
    },
    takeSnapshot: async (name, opts, task) => {
      snapshotPath(base, name);
      try {
        await runTask(
          pve,
          'POST',
          `${base}/snapshot`,
          {
            snapname: name,
            ...(opts.vmstate ? { vmstate: 1 } : {}),
            ...(opts.description ? { description: opts.description } : {}),
          },
          task,
        );
      } catch (err) {
        if (!(err instanceof PveTaskFailedError && err.exitstatus === `snapshot name '${name}' already used`)) throw err;
        const list = z.array(ZPveSnapshot).parse(await pve.request('GET', `${base}/snapshot`, undefined, { signal: task.signal }));
        const found = list.find((i) => i.name === name);
        if (!found || found.snapstate) throw err;
      }
    },
    rollbackSnapshot: async (name, opts, task) => {
      await runTask(pve, 'POST', `${snapshotPath(base, name)}/rollback`, opts.start ? { start: 1 } : {}, task);
    },
    deleteSnapshot: async (name, task) => {
      try {
        await runTask(pve, 'DELETE', snapshotPath(base, name), undefined, task);
      } catch (err) {
        if (err instanceof PveTaskFailedError && err.exitstatus === `snapshot '${name}' does not exist`) return;
        throw err;
      }
    },
    tasksSince: async (type, since, opts) => {
      const data = await pve.request(
        'GET',
        `/nodes/${pathSegment(node)}/tasks`,
        { vmid, typefilter: type, since: Math.floor(since), source: 'all', limit: 100 },
        opts,
      );
      return z
        .array(ZTaskListEntry)
        .parse(data)
        .map((t) => ({ upid: t.upid, status: t.status ?? 'RUNNING', starttime: t.starttime }));
    },
    agent: vmAgent(pve, base, vmid),
  };
}
