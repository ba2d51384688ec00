/*
 * `npm run bench -- ansible`: Betang against an Ansible playbook (bench/ansible/provision.yml,
 * community.general.proxmox_kvm over proxmoxer) doing clone → config → start → wait for the
 * address for the same number of VMs on the same simulated cluster (8 nodes, the same durations:
 * timeFactor 0.1, the realistic run's). Each side gets a fresh simulator. The figure is the wall
 * time ratio Ansible ÷ Betang; PVE calls per VM are counted by the same simulator wrapper.
 *
 * BENCH_ANSIBLE_VMS (10; a comma list runs each, e.g. `10,50`), BENCH_ANSIBLE_FORKS (the VM
 * count: Ansible's best case, one fork per VM; its own default is 5), BENCH_TIME_FACTOR (0.1).
 * Needs ansible-playbook and python3-proxmoxer (Debian packages; /usr/bin/python3).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killChild, simCall } from '@betang/testkit';
import { makeKeyPair } from '../apps/worker/src/testing/provisioning-env';
import { startClusterSim, type SimStats } from '../test/support/cluster-sim-process';
import { runProvisioningBench } from './provisioning-bench';
import { parseTaskProfile, renderInventory } from './support/ansible-inventory';

/** One side-by-side at `vms` VMs. */
export type AnsibleFigures = {
  vms: number;
  nodes: number;
  timeFactor: number;
  forks: number;
  ansible: {
    wallSeconds: number;
    pveCallsPerVm: number;
    pveCallsByRoute: Record<string, number>;
    /** Seconds per play task (ansible.posix.profile_tasks): the whole task across every host. */
    taskSeconds: Record<string, number>;
  };
  betang: {
    wallSeconds: number;
    active: number;
    pveCallsPerVm: number;
    criticalPathSeconds?: number;
    /** Mean seconds per VM: approval → run started, each step, approval → run finished. */
    meanSeconds: Record<string, number>;
  };
  /** Ansible's wall time ÷ Betang's: how many times faster Betang is (target ≥ 6 at 10 VMs). */
  ratio: number;
};

const NODES = 8;
const TEMPLATE = { node: 'pve1', vmid: 9000, name: 'debian-12-cloud', storage: 'ceph' };

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export async function runAnsible(vms: number, forks: number, timeFactor: number, log: (l: string) => void) {
  const key = makeKeyPair();
  const sim = await startClusterSim({
    SIM_TIME_FACTOR: String(timeFactor),
    SIM_NODES: String(NODES),
    SIM_SEED: '3',
    SIM_STORAGE: 'shared',
    PLATFORM_PUBLIC_KEY: key.publicKey,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'betang-ansible-'));
  try {
    writeFileSync(path.join(dir, 'inventory.ini'), renderInventory(vms, NODES));
    const [user, tokenName] = sim.tokenId.split('!') as [string, string];
    const extra = {
      pve_host: new URL(sim.url).host,
      pve_user: user,
      pve_token_name: tokenName,
      pve_token_secret: sim.tokenSecret,
      template_node: TEMPLATE.node,
      template_vmid: TEMPLATE.vmid,
      template_name: TEMPLATE.name,
      clone_storage: TEMPLATE.storage,
      ssh_public_key: key.publicKey,
    };
    writeFileSync(path.join(dir, 'vars.json'), JSON.stringify(extra));
    await simCall(sim, 'POST', '/_chaos/stats');
    log(`ansible-playbook: ${vms} VMs, forks ${forks}`);
    const t0 = performance.now();
    const result = await run(
      'ansible-playbook',
      ['-i', 'inventory.ini', '-e', '@vars.json', '--forks', String(forks), path.join(__dirname, 'ansible/provision.yml')],
      {
        ...process.env,
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
        // Time per task, printed at the end (the profile that explains Ansible's wall time).
        ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks',
        PROFILE_TASKS_SORT_ORDER: 'none',
      },
      dir,
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    if (result.code !== 0) throw new Error(`ansible-playbook failed (${result.code}):\n${result.output.slice(-4000)}`);
    const stats = await simCall<SimStats>(sim, 'GET', '/_chaos/stats');
    return {
      wallSeconds,
      taskSeconds: parseTaskProfile(result.output),
      pveCallsPerVm: stats.requests / vms,
      pveCallsByRoute: Object.fromEntries(
        Object.entries(stats.byRoute)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, Math.round((v / vms) * 100) / 100]),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await killChild(sim.child, 'SIGTERM');
  }
}

/** Runs both sides at each count of `counts` and returns their figures. */
export async function runAnsibleBench(o: {
  counts: number[];
  timeFactor: number;
  forks?: number;
  log: (l: string) => void;
}): Promise<AnsibleFigures[]> {
  const figures: AnsibleFigures[] = [];
  for (const vms of o.counts) {
    const forks = o.forks ?? vms;
    const ansible = await runAnsible(vms, forks, o.timeFactor, o.log);
    o.log(`ansible: ${vms} VMs in ${ansible.wallSeconds.toFixed(1)} s`);
    const betang = await runProvisioningBench({
      requests: vms,
      nodes: NODES,
      timeFactor: o.timeFactor,
      workerConcurrency: 32,
      deadlineSeconds: 900,
      log: o.log,
    });
    o.log(`betang: ${vms} VMs in ${betang.wallSeconds.toFixed(1)} s`);
    figures.push({
      vms,
      nodes: NODES,
      timeFactor: o.timeFactor,
      forks,
      ansible,
      betang: {
        wallSeconds: betang.wallSeconds,
        active: betang.active,
        pveCallsPerVm: betang.pveCallsPerVm,
        ...(betang.criticalPathSeconds === undefined ? {} : { criticalPathSeconds: betang.criticalPathSeconds }),
        meanSeconds: betang.meanSeconds,
      },
      ratio: ansible.wallSeconds / betang.wallSeconds,
    });
  }
  return figures;
}
