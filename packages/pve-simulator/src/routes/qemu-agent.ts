import { agentEnabled, agentStage, networkInterfaces } from '../guest/agent-model';
import { QgaError } from '../guest/qemu/qga-client';
import { die } from '../server/pve-error';
import type { ParamSchema } from '../server/params';
import { P } from '../server/params';
import type { Route, RouteContext } from '../server/router';
import type { Sim } from '../sim-context';
import { configDisks } from '../state/disks';
import type { SimVm } from '../state/types';

/** Preconditions of one agent command (its privilege is the route's: access/route-permissions.ts). */
function prepare(ctx: RouteContext<Sim>, command: string): { vm: SimVm; stage: ReturnType<typeof agentStage> } {
  const { sim, params } = ctx;
  const vm = sim.state.vmOn(String(params.node), Number(params.vmid));
  const never = sim.faults.agentNeverStarts.has(vm.vmid) || sim.faults.agentNeverStarts.has('*');
  if (sim.qemu) {
    if (!agentEnabled(vm.config.agent)) throw die('No QEMU guest agent configured');
    if (vm.power !== 'running') throw die(`VM ${vm.vmid} is not running`);
    if (never) throw die('QEMU guest agent is not running');
    return { vm, stage: 'up' };
  }
  return { vm, stage: agentStage(vm, command, sim.clock.now(), never) };
}

/**
 * Asks a qemu-mode guest's own agent, with PVE's texts for the failures: nothing answering the
 * sync is `QEMU guest agent is not running`, an unanswered command is `VM N qmp command
 * 'guest-…' failed - got timeout`, an error the agent returns is `Agent error: <its text>`.
 */
async function realAgent(sim: Sim, vm: SimVm, command: string, args?: Record<string, unknown>): Promise<unknown> {
  const qemu = sim.qemu;
  if (!qemu) throw new Error('not in qemu guest mode');
  try {
    return await qemu.agent(vm.vmid, `guest-${command}`, args);
  } catch (e) {
    if (!(e instanceof QgaError)) throw e;
    if (e.failure.kind === 'not-running') throw die('QEMU guest agent is not running');
    if (e.failure.kind === 'timeout') throw die(`VM ${vm.vmid} qmp command 'guest-${command}' failed - got timeout`);
    throw die(`Agent error: ${e.failure.desc}`);
  }
}

const GiB = 1024 ** 3;
const EFI_BYTES = 124 * 1024 ** 2;

/**
 * guest-get-fsinfo of a Debian/Ubuntu cloud image: the root ext4 filling the boot disk's first
 * partition (after the 124 MiB EFI system partition, mounted at /boot/efi), about 1 GiB used.
 */
function filesystems(vm: SimVm): unknown[] {
  const cfg = vm.bootConfig ?? vm.config;
  const disks = configDisks(cfg).filter(([key, d]) => !d.isCdrom && /^(scsi|virtio|sata|ide)\d+$/.test(key));
  // the guest's / lives on the first disk of the boot order
  const order = /order=([^,]+)/.exec(cfg.boot ?? '')?.[1]?.split(';') ?? [];
  const boot = order.map((k) => disks.find(([key]) => key === k)).find((d) => d !== undefined) ?? disks[0];
  if (!boot) return [];
  const [key, disk] = boot;
  const bus = /^[a-z]+/.exec(key)?.[0] ?? 'scsi';
  const unit = Number(key.slice(bus.length));
  const dev = bus === 'virtio' ? '/dev/vda' : '/dev/sda';
  const address = (partition: number): unknown => ({
    'pci-controller': { domain: 0, bus: 0, slot: bus === 'virtio' ? 10 + unit : 5, function: 0 },
    'bus-type': bus === 'virtio' ? 'virtio' : bus,
    bus: 0,
    target: 0,
    unit: bus === 'virtio' ? 0 : unit,
    dev: `${dev}${partition}`,
  });
  const rootTotal = Math.max(0, disk.sizeBytes - EFI_BYTES - 4 * 1024 ** 2);
  return [
    {
      name: `${dev.slice(5)}15`,
      mountpoint: '/boot/efi',
      type: 'vfat',
      'used-bytes': 6_230_016,
      'total-bytes': EFI_BYTES,
      disk: [address(15)],
    },
    {
      name: `${dev.slice(5)}1`,
      mountpoint: '/',
      type: 'ext4',
      'used-bytes': Math.min(rootTotal, Math.round(1.05 * GiB) + (vm.vmid % 97) * 1_048_576),
      'total-bytes': rootTotal,
      disk: [address(1)],
    },
  ];
}

const base: ParamSchema = { node: P.node, vmid: P.vmid };

function simple(method: 'GET' | 'POST', name: string, result: (sim: Sim, vm: SimVm) => unknown): Route<Sim> {
  return {
    method,
    path: `/nodes/{node}/qemu/{vmid}/agent/${name}`,
    schema: base,
    handler: async (ctx) => {
      const { vm } = prepare(ctx, name);
      if (ctx.sim.qemu) return { result: await realAgent(ctx.sim, vm, name) };
      return { result: result(ctx.sim, vm) };
    },
  };
}

/** The guest-agent endpoints on the provisioning path. */
export const agentRoutes: Array<Route<Sim>> = [
  simple('POST', 'ping', () => ({})),
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
    schema: base,
    handler: async (ctx) => {
      const { vm, stage } = prepare(ctx, 'network-get-interfaces');
      if (ctx.sim.qemu) return { result: await realAgent(ctx.sim, vm, 'network-get-interfaces') };
      return { result: networkInterfaces(vm, stage, (mac) => ctx.sim.guest.dhcp(mac)) };
    },
  },
  simple('GET', 'get-host-name', (_s, vm) => ({ 'host-name': (vm.bootConfig ?? vm.config).name ?? `vm${vm.vmid}` })),
  simple('GET', 'get-osinfo', (_s, vm) =>
    vm.defaultUser === 'ubuntu'
      ? {
          id: 'ubuntu',
          name: 'Ubuntu',
          'pretty-name': 'Ubuntu 24.04.1 LTS',
          'version-id': '24.04',
          'kernel-release': '6.8.0-45-generic',
          machine: 'x86_64',
        }
      : {
          id: 'debian',
          name: 'Debian GNU/Linux',
          'pretty-name': 'Debian GNU/Linux 12 (bookworm)',
          'version-id': '12',
          'kernel-release': '6.1.0-26-cloud-amd64',
          machine: 'x86_64',
        },
  ),
  simple('GET', 'get-fsinfo', (_s, vm) => filesystems(vm)),
  simple('GET', 'info', () => ({
    version: '7.2.11',
    supported_commands: [
      'guest-ping',
      'guest-exec',
      'guest-exec-status',
      'guest-get-fsinfo',
      'guest-get-osinfo',
      'guest-network-get-interfaces',
      'guest-set-user-password',
    ].map((name) => ({
      name,
      enabled: true,
      'success-response': true,
    })),
  })),
  {
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/agent/exec',
    schema: { ...base, command: { type: 'string', array: true }, 'input-data': { type: 'string', optional: true, maxLength: 65536 } },
    handler: async (ctx) => {
      const { sim, params } = ctx;
      const { vm } = prepare(ctx, 'exec');
      const argv = (params.command as string[]).filter((a) => a !== '');
      if (argv.length === 0) throw die("Agent error: Guest agent command failed, error was 'Failed to execute child process'");
      if (sim.qemu) {
        // PVE's Agent.pm: argv[0] is the path, the rest the arguments, output captured, input base64.
        const input =
          params['input-data'] === undefined ? {} : { 'input-data': Buffer.from(String(params['input-data'])).toString('base64') };
        const started = (await realAgent(sim, vm, 'exec', { path: argv[0], arg: argv.slice(1), 'capture-output': true, ...input })) as {
          pid: number;
        };
        sim.guest.commands.push({ vmid: vm.vmid, via: 'agent', command: argv.join(' '), at: Date.now(), code: 0 });
        return { pid: started.pid };
      }
      const pid = vm.nextExecPid++;
      const now = sim.clock.now();
      // QGA executes argv[0] literally; a whole command line in one element is "No such file or directory"
      if (argv.length === 1 && /\s/.test(argv[0] ?? '')) {
        throw die(
          `Agent error: Guest agent command failed, error was 'Failed to execute child process “${argv[0]}” (No such file or directory)'`,
        );
      }
      const r = sim.guest.run(vm, 'agent', argv.join(' '));
      vm.execs.set(pid, {
        pid,
        command: argv,
        inputData: params['input-data'] === undefined ? undefined : String(params['input-data']),
        at: now,
        readyAt: Math.max(now + sim.clock.scale(300), r.readyAt ?? 0),
        exitcode: r.code,
        out: r.stdout ?? '',
        err: r.stderr ?? '',
      });
      return { pid };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent/exec-status',
    schema: { ...base, pid: { type: 'integer' } },
    handler: async (ctx) => {
      const { vm } = prepare(ctx, 'exec-status');
      if (ctx.sim.qemu) {
        const s = (await realAgent(ctx.sim, vm, 'exec-status', { pid: Number(ctx.params.pid) })) as Record<string, unknown>;
        // PVE decodes the agent's base64 output before answering.
        for (const key of ['out-data', 'err-data']) if (typeof s[key] === 'string') s[key] = Buffer.from(s[key], 'base64').toString('utf8');
        return s;
      }
      const e = vm.execs.get(Number(ctx.params.pid));
      if (!e) throw die(`Agent error: Invalid parameter 'pid'`);
      if (ctx.sim.clock.now() < e.readyAt) return { exited: false };
      const out: Record<string, unknown> = { exited: true, exitcode: e.exitcode };
      if (e.out) out['out-data'] = e.out;
      if (e.err) out['err-data'] = e.err;
      return out;
    },
  },
  {
    // PVE's Agent.pm: guest-file-open (mode wb) → guest-file-write (buf-b64) → guest-file-close;
    // `encode` (default 1) makes PVE base64 the content, else the caller sent base64 already.
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/agent/file-write',
    schema: {
      ...base,
      file: { type: 'string' },
      content: { type: 'string', maxLength: 61440 },
      encode: { type: 'boolean', optional: true },
    },
    handler: async (ctx) => {
      const { sim, params } = ctx;
      const { vm } = prepare(ctx, 'file-write');
      const encode = params.encode === undefined ? true : Boolean(params.encode);
      const content = String(params.content);
      const buf64 = encode ? Buffer.from(content, 'utf8').toString('base64') : content;
      if (sim.qemu) {
        const handle = await realAgent(sim, vm, 'file-open', { path: String(params.file), mode: 'wb' });
        try {
          await realAgent(sim, vm, 'file-write', { handle, 'buf-b64': buf64 });
        } finally {
          await realAgent(sim, vm, 'file-close', { handle });
        }
        return null;
      }
      // qemu-ga decodes strictly (util/base64.c): anything outside the alphabet is refused.
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(buf64)) throw die('Agent error: Base64 data contains invalid characters');
      sim.guest.writeFile(vm, String(params.file), Buffer.from(buf64, 'base64'));
      return null;
    },
  },
  {
    // PVE's Agent.pm passes the password base64-encoded to guest-set-user-password; qemu-ga
    // refuses a newline in it or a newline/colon in the name, then pipes "user:password" to chpasswd.
    method: 'POST',
    path: '/nodes/{node}/qemu/{vmid}/agent/set-user-password',
    schema: {
      ...base,
      username: { type: 'string' },
      password: { type: 'string', minLength: 5, maxLength: 1024 },
      crypted: { type: 'boolean', optional: true },
    },
    handler: async (ctx) => {
      const { sim, params } = ctx;
      const { vm } = prepare(ctx, 'set-user-password');
      const username = String(params.username);
      const password = String(params.password);
      const crypted = params.crypted === undefined ? false : Boolean(params.crypted);
      if (sim.qemu) {
        const args = { username, password: Buffer.from(password, 'utf8').toString('base64'), crypted };
        return { result: await realAgent(sim, vm, 'set-user-password', args) };
      }
      if (password.includes('\n')) throw die('Agent error: forbidden characters in raw password');
      if (username.includes('\n') || username.includes(':')) throw die('Agent error: forbidden characters in username');
      // chpasswd exits non-zero for an unknown user; qemu-ga reports only that the child failed.
      if (!sim.guest.hasUser(vm, username)) throw die('Agent error: child process has failed to set user password');
      sim.guest.setPassword(vm, username, { value: password, crypted });
      sim.guest.commands.push({ vmid: vm.vmid, via: 'agent', command: `chpasswd ${username}`, at: Date.now(), code: 0 });
      return { result: {} };
    },
  },
];
