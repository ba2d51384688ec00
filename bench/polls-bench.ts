/*
 * `npm run bench -- polls`: how late Betang notices what it waits for. Provisions
 * BENCH_POLLS_WAVES (2) waves of BENCH_POLLS_VMS (8) VPSs in parallel on an in-process simulator at BENCH_POLLS_TIME_FACTOR
 * (1: the simulator's realistic durations, so poll intervals meet real task lengths), through
 * the worker's own waits: waitForTask for clone, config, resize and start, and the await-agent
 * step's waitForAgentAddress. For each wait it prints the overshoot: the moment Betang noticed
 * minus the moment the awaited thing became ready, which the simulator knows (a task's
 * `endedAtMs`, the boot plan's `linkLocalUntil`, when the address is up). Also the PVE calls
 * per VPS, counted by the client.
 */
import { createCallCounter, createPveClient, waitForTask } from '@betang/proxmox';
import type { RunningSimulator } from '@betang/pve-simulator';
import { startSimulator } from '@betang/pve-simulator';
import { waitForAgentAddress } from '../apps/worker/src/provisioning/agent-address-wait';

const VMS = Number(process.env.BENCH_POLLS_VMS ?? '8');
/** Waves run one after the other in the same process: the second shows the learned durations. */
const WAVES = Number(process.env.BENCH_POLLS_WAVES ?? '2');
const TIME_FACTOR = Number(process.env.BENCH_POLLS_TIME_FACTOR ?? '1');
/** PVE_TASK_SECONDS and GUEST_AGENT_WAIT_SECONDS at their production defaults. */
const TASK_DEADLINE_MS = 300_000;
const AGENT_DEADLINE_MS = 300_000;

const WAITS = ['clone', 'config', 'resize', 'start', 'agent'] as const;
type Wait = (typeof WAITS)[number];

export type PollsFigures = {
  wave: number;
  vms: number;
  timeFactor: number;
  /** Per VPS: overshoot in ms per wait, and PVE calls. */
  perVm: Array<{ vmid: number; overshootMs: Record<Wait, number>; pveCalls: number; polls: { task: number; agent: number } }>;
};

type SimTaskView = ReturnType<RunningSimulator['state']['tasks']>[number];

/** When the newest task matching `pick` stopped (wall ms), from the simulator's own record. */
function taskEndOf(sim: RunningSimulator, pick: (t: SimTaskView) => boolean, what: string): number {
  const t = sim.state.tasks().find(pick);
  if (t?.endedAtMs === undefined) throw new Error(`no stopped task: ${what}`);
  return t.endedAtMs;
}

/** When the newest task of `type` on `vmid` stopped. */
const taskEnd = (sim: RunningSimulator, type: string, vmid: number): number =>
  taskEndOf(sim, (t) => t.type === type && t.id === String(vmid), `${type} ${vmid}`);

async function provisionOne(sim: RunningSimulator, wave: number, i: number): Promise<PollsFigures['perVm'][number]> {
  const counter = createCallCounter();
  const pve = createPveClient({
    baseUrl: sim.url,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    ca: sim.caPem,
    timeoutMs: 30_000,
    onCall: counter.onCall,
  });
  const vmid = 500 + wave * 100 + i;
  const mac = `bc:24:11:00:${(wave + 1).toString(16).padStart(2, '0')}:${(16 + i).toString(16).padStart(2, '0')}`;
  const address = `10.20.${wave}.${10 + i}`;
  const task = { deadlineMs: TASK_DEADLINE_MS };
  const overshootMs = {} as Record<Wait, number>;

  const upid = await pve.vm('pve1', 9000).clone({ newid: vmid, full: true, name: `polls-${vmid}` });
  await waitForTask(pve, upid, task);
  overshootMs.clone = Date.now() - taskEndOf(sim, (t) => t.upid === upid, upid);
  const vm = pve.vm('pve1', vmid);
  await vm.updateConfig(
    { net0: `virtio=${mac},bridge=vmbr0`, ipconfig0: `ip=${address}/24,gw=10.20.${wave}.1`, agent: '1', ciuser: 'betang' },
    task,
  );
  overshootMs.config = Date.now() - taskEnd(sim, 'qmconfig', vmid);
  await vm.resizeDisk('scsi0', '+1G', task);
  overshootMs.resize = Date.now() - taskEnd(sim, 'resize', vmid);
  await vm.start(task);
  overshootMs.start = Date.now() - taskEnd(sim, 'qmstart', vmid);
  const plan = sim.state.bootPlan(vmid);
  if (!plan) throw new Error(`VM ${vmid} has no boot plan after start`);
  const before = counter.snapshot().byRoute['GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces']?.calls ?? 0;
  const wait = await waitForAgentAddress(vm, {
    mac,
    expected: address,
    deadlineAt: Date.now() + AGENT_DEADLINE_MS,
    signal: new AbortController().signal,
  });
  if (!wait.found) throw new Error(`VM ${vmid}: ${wait.lastSeen}`);
  overshootMs.agent = Date.now() - plan.linkLocalUntil;
  const snap = counter.snapshot();
  const agentPolls = (snap.byRoute['GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces']?.calls ?? 0) - before;
  return {
    vmid,
    overshootMs,
    pveCalls: snap.total,
    polls: { task: snap.byRoute['GET /nodes/{node}/tasks/{upid}/status']?.calls ?? 0, agent: agentPolls },
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Runs the waves and prints, per wave, one line per VPS and the means. */
export async function runPollsBench(log: (l: string) => void): Promise<PollsFigures[]> {
  const sim = await startSimulator({ timeFactor: TIME_FACTOR, guestSsh: false });
  try {
    const waves: PollsFigures[] = [];
    for (let wave = 0; wave < WAVES; wave++) waves.push(await runWave(sim, wave, log));
    return waves;
  } finally {
    await sim.close();
  }
}

async function runWave(sim: RunningSimulator, wave: number, log: (l: string) => void): Promise<PollsFigures> {
  // Staggered by 0.3 s (as approvals arrive) so the VPSs do not poll in lockstep.
  const perVm = await Promise.all(
    Array.from({ length: VMS }, (_, i) => new Promise((r) => setTimeout(r, i * 300)).then(() => provisionOne(sim, wave, i))),
  );
  log(`wave ${wave + 1} of ${WAVES}, ${VMS} VPSs, timeFactor ${TIME_FACTOR}; overshoot in ms`);
  log(`vmid  ${WAITS.map((w) => w.padStart(7)).join(' ')}   wasted  PVE calls (task polls, agent polls)`);
  for (const v of perVm) {
    const wasted = WAITS.reduce((a, w) => a + v.overshootMs[w], 0);
    log(
      `${v.vmid}  ${WAITS.map((w) => String(v.overshootMs[w]).padStart(7)).join(' ')}  ${String(wasted).padStart(7)}  ${v.pveCalls} (${v.polls.task}, ${v.polls.agent})`,
    );
  }
  const wastedMean = mean(perVm.map((v) => WAITS.reduce((a, w) => a + v.overshootMs[w], 0)));
  log(
    `mean  ${WAITS.map((w) =>
      mean(perVm.map((v) => v.overshootMs[w]))
        .toFixed(0)
        .padStart(7),
    ).join(
      ' ',
    )}  ${wastedMean.toFixed(0).padStart(7)}  ${mean(perVm.map((v) => v.pveCalls)).toFixed(1)} (${mean(perVm.map((v) => v.polls.task)).toFixed(1)}, ${mean(perVm.map((v) => v.polls.agent)).toFixed(1)})`,
  );
  return { wave: wave + 1, vms: VMS, timeFactor: TIME_FACTOR, perVm };
}
