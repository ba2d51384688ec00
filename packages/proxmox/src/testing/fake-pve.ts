import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from './https-fixture';
import { pveReply } from './https-fixture';

/**
 * A deliberately small scripted PVE for helper tests (the full simulator lives in
 * packages/pve-simulator). It reproduces the clone race the real way: the POST's sync
 * check sees only configs already written; the task writes the placeholder (`lock: clone`)
 * after `taskStartMs`, and a second clone to the same id then fails in-task with the
 * config lock timeout text.
 */
export type FakeVm = { vmid: number; node: string; config: Record<string, string | number> };
type FakeTask = { upid: string; node: string; status: 'running' | 'stopped'; exitstatus?: string; log: string[] };

export type FakePve = {
  vms: Map<number, FakeVm>;
  tasks: Map<string, FakeTask>;
  nodes: { node: string; status: string; maxmem?: number; mem?: number; maxcpu?: number; cpu?: number }[];
  storages: { node: string; storage: string; maxdisk: number; disk: number; shared: number; content: string; plugintype: string }[];
  handle: (req: RecordedRequest, res: ServerResponse) => void;
  /** Drops the answer of the next clone POST (the clone still happens). */
  loseNextCloneAnswer: boolean;
};

let seq = 0;
const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

export function createFakePve(opts: { taskStartMs: number; cloneMs: number }): FakePve {
  const fake: FakePve = {
    vms: new Map(),
    tasks: new Map(),
    nodes: [],
    storages: [],
    loseNextCloneAnswer: false,
    handle: (req, res) => route(fake, opts, req, res),
  };
  return fake;
}

function route(f: FakePve, opts: { taskStartMs: number; cloneMs: number }, req: RecordedRequest, res: ServerResponse): void {
  const url = new URL(req.url, 'https://fake');
  const p = decodeURIComponent(url.pathname.replace(/^\/api2\/json/, ''));
  const q = url.searchParams;
  const body = new URLSearchParams(req.body);
  if (req.method === 'GET' && p === '/cluster/resources') {
    // Without `type` real PVE returns every kind of entry together (reference §4.2).
    const type = q.get('type');
    const vms = () =>
      [...f.vms.values()].map((v) => ({
        id: `qemu/${v.vmid}`,
        type: 'qemu',
        vmid: v.vmid,
        node: v.node,
        status: 'unknown',
        ...(v.config.tags ? { tags: v.config.tags } : {}),
        ...(v.config.lock ? { lock: v.config.lock } : {}),
      }));
    const nodes = () => f.nodes.map((n) => ({ id: `node/${n.node}`, type: 'node', ...n }));
    const storages = () => f.storages.map((s) => ({ id: `storage/${s.node}/${s.storage}`, type: 'storage', status: 'available', ...s }));
    if (type === 'vm') pveReply(res, 200, { data: vms() });
    else if (type === 'node') pveReply(res, 200, { data: nodes() });
    else if (type === 'storage') pveReply(res, 200, { data: storages() });
    else pveReply(res, 200, { data: [...nodes(), ...vms(), ...storages()] });
    return;
  }
  if (req.method === 'GET' && p === '/cluster/nextid') {
    const id = Number(q.get('vmid'));
    if (f.vms.has(id))
      pveReply(
        res,
        400,
        { data: null, errors: { vmid: `VM ${id} already exists\n` }, message: 'Parameter verification failed.\n' },
        'Parameter verification failed.',
      );
    else pveReply(res, 200, { data: String(id) });
    return;
  }
  let m = /^\/nodes\/([^/]+)\/qemu\/(\d+)\/config$/.exec(p);
  if (req.method === 'GET' && m) {
    const vm = f.vms.get(Number(m[2]));
    if (!vm || vm.node !== m[1])
      pveReply(
        res,
        500,
        { data: null, message: `Configuration file 'nodes/${m[1]}/qemu-server/${m[2]}.conf' does not exist\n` },
        `Configuration file 'nodes/${m[1]}/qemu-server/${m[2]}.conf' does not exist`,
      );
    else pveReply(res, 200, { data: { ...vm.config, digest: 'd'.repeat(40) } });
    return;
  }
  m = /^\/nodes\/([^/]+)\/qemu\/(\d+)\/clone$/.exec(p);
  if (req.method === 'POST' && m) {
    const node = m[1] as string;
    const newid = Number(body.get('newid'));
    if (f.vms.has(newid)) {
      const msg = `unable to create VM ${newid}: config file already exists`;
      pveReply(res, 500, { data: null, message: `${msg}\n` }, msg);
      return;
    }
    const upid = `UPID:${node}:${hex8(4000 + ++seq)}:0000ABCD:${hex8(1_700_000_000 + seq)}:qmclone:${m[2]}:provisioner@pve!worker:`;
    const task: FakeTask = { upid, node, status: 'running', log: [`create full clone of drive scsi0 (local-lvm:base-${m[2]}-disk-0)`] };
    f.tasks.set(upid, task);
    setTimeout(() => {
      const finish = (exit: string): void => {
        task.status = 'stopped';
        task.exitstatus = exit;
        task.log.push(exit === 'OK' ? 'TASK OK' : `TASK ERROR: ${exit}`);
      };
      const existing = f.vms.get(newid);
      if (existing?.config.lock === 'clone') return finish(`can't lock file '/var/lock/qemu-server/lock-${newid}.conf' - got timeout`);
      if (existing) return finish(`unable to create VM ${newid}: config file already exists`);
      const vm: FakeVm = { vmid: newid, node, config: { lock: 'clone' } };
      f.vms.set(newid, vm);
      setTimeout(() => {
        vm.config = {
          name: body.get('name') ?? `Copy-of-VM-${m?.[2]}`,
          description: body.get('description') ?? '',
          cores: 1,
          memory: '2048',
        };
        task.log.push('transferred 10.0 GiB of 10.0 GiB (100.00%)');
        finish('OK');
      }, opts.cloneMs).unref();
    }, opts.taskStartMs).unref();
    if (f.loseNextCloneAnswer) {
      f.loseNextCloneAnswer = false;
      res.socket?.destroy();
      return;
    }
    pveReply(res, 200, { data: upid });
    return;
  }
  m = /^\/nodes\/([^/]+)\/tasks\/(.+)\/(status|log)$/.exec(p);
  if (req.method === 'GET' && m) {
    const t = f.tasks.get(m[2] as string);
    if (!t || t.node !== m[1]) {
      pveReply(res, 400, { data: null, errors: { upid: 'no such task\n' } }, 'Parameter verification failed.');
    } else if (m[3] === 'status') {
      pveReply(res, 200, {
        data: {
          upid: t.upid,
          node: t.node,
          status: t.status,
          type: 'qmclone',
          id: '9000',
          user: 'provisioner@pve',
          ...(t.exitstatus ? { exitstatus: t.exitstatus } : {}),
        },
      });
    } else {
      const start = Number(q.get('start') ?? 0);
      const limit = Number(q.get('limit') ?? 50);
      pveReply(res, 200, { data: t.log.map((l, i) => ({ n: i + 1, t: l })).slice(start, start + limit), total: t.log.length });
    }
    return;
  }
  pveReply(res, 501, { data: null }, `Method '${req.method} ${p}' not implemented`);
}
