/*
 * Records packages/guest/fixtures/debian-12-transcript.json from a REAL Debian 12 cloud guest:
 * the PVE simulator in `qemu` guest mode clones and starts one VM the way the worker configures
 * it (ciuser, sshkeys, static ipconfig0, agent on, ciupgrade off); then every command the worker
 * sends to a guest is sent in the worker's order, and each answer is written down:
 *
 *   1. while it boots, every second: the agent calls of `await-agent` (network-get-interfaces),
 *      and once the agent answers, those of `await-cloud-init` (CLOUD_INIT_RESULT_ARGV, and
 *      CLOUD_INIT_STATUS_ARGV as often as the worker reads it) and `pin-host-key` (HOST_KEY_ARGV)
 *      — the first poll of each boot phase is kept;
 *   2. over SSH as the ciuser, trusting only the key read through the agent: `configure-guest`
 *      exactly as the worker runs it (waitForCloudInit, then configureGuest on the fresh guest),
 *      through a shell that records each command line it sends; then configureGuest again
 *      (the converged guest, nothing to change).
 *
 * The commands come from the code that sends them (the worker's argv constants, packages/guest's
 * steps), never from a copy. Provenance (image hash, versions read from the guest, date, accel)
 * and the boot timings go into the file too.
 *
 *   npm run record:guest-transcript            (root; needs qemu-system-x86, qemu-utils, genisoimage;
 *                                               builds the guest image first when it is not cached)
 *   TRANSCRIPT_OUT=path      write elsewhere (default: the fixture)
 *   RECORD_CONSOLE_LOG=path  keep the guest's serial console log there
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { configureGuest, connectGuest, waitForCloudInit, type ExecResult, type GuestShell } from '@betang/guest';
import { createPveClient, encodeSshKeys, waitForTask, type PveClient } from '@betang/proxmox';
import { startSimulator } from '@betang/pve-simulator';
import { CLOUD_INIT_RESULT_ARGV, CLOUD_INIT_STATUS_ARGV } from '../../apps/worker/src/provisioning/steps/await-cloud-init.step';
import { HOST_KEY_ARGV } from '../../apps/worker/src/provisioning/steps/pin-host-key.step';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';

const REPO = join(__dirname, '..', '..');
const OUT = process.env.TRANSCRIPT_OUT ?? join(REPO, 'packages', 'guest', 'fixtures', 'debian-12-transcript.json');
const NODE = 'pve1';
const TEMPLATE = 9000;
const VMID = 4242;
const BOOT_BUDGET_MS = 15 * 60_000;
const EXEC_WAIT_MS = 300_000;
const VM = {
  name: 'web-01',
  searchdomain: 'kalteng.go.id',
  ciuser: 'betang',
  ipconfig0: 'ip=10.20.0.50/24,gw=10.20.0.1',
  address: '10.20.0.50',
};

type Answer = { code?: number; stdout?: string; stderr?: string; error?: string; result?: unknown };
type Entry = Answer & { phase: string; via: 'agent-api' | 'agent' | 'ssh'; command: string | string[]; stdin?: string };

const PHASES: Record<string, string> = {
  'agent-starting': 'VM started, the guest agent does not answer yet',
  'link-local': 'the agent answers, net0 has no IPv4 address yet',
  'address-up': "net0 has its address; cloud-init's ssh module has not written the host keys",
  'keys-written': 'host keys written, cloud-init still running',
  done: 'cloud-init done, fresh guest',
  'configure-fresh': "the worker's configure-guest step on the fresh guest: cloud-init wait, then every guest step",
  'configure-again': 'the guest steps a second time, on the configured guest (nothing to change)',
};

const say = (line: string) => process.stderr.write(`[record-transcript ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** PVE's error text as the worker sees it (first line, without the HTTP status prefix). */
function pveError(e: unknown): string {
  const m = message(e);
  return (/QEMU guest agent is not running|qmp command '[^']+' failed - got timeout|VM \d+ is not running/.exec(m) ?? [m])[0];
}

async function agentApi(pve: PveClient, command: string): Promise<Answer> {
  try {
    // The raw `{ result }` answer as PVE sends it (the transcript keeps it unparsed).
    return { result: await pve.request(command === 'ping' ? 'POST' : 'GET', `/nodes/${NODE}/qemu/${VMID}/agent/${command}`) };
  } catch (e) {
    return { error: pveError(e) };
  }
}

/** agent/exec + exec-status polling, as the worker's agentExec does; keeps err-data too. */
async function agentExec(pve: PveClient, argv: readonly string[]): Promise<Answer> {
  try {
    const agent = pve.vm(NODE, VMID).agent;
    const pid = await agent.execStart(argv);
    // Longer than the worker's 30 s: on a loaded machine cloud-init's Python alone can take a
    // minute under TCG, and the transcript needs the guest's answer, not the worker's patience.
    for (const until = Date.now() + EXEC_WAIT_MS; Date.now() < until;) {
      const s = await agent.execStatus(pid);
      if (s.exited) return { code: s.exitcode ?? 0, stdout: s['out-data'] ?? '', stderr: s['err-data'] ?? '' };
      await sleep(200);
    }
    return { error: `exec did not finish within ${EXEC_WAIT_MS / 1000} s` };
  } catch (e) {
    return { error: pveError(e) };
  }
}

/** KVM when the device opens and the CPU has hardware virtualisation (the simulator's own default). */
function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** True when something on port sends an SSH banner (sshd is up behind qemu's forward). */
function sshBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(data.startsWith('SSH-2.0-'));
    };
    socket.setTimeout(2000, done);
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.includes('\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** The boot phase one poll shows, from the answers to the worker's three agent calls. */
function phaseOf(ifaces: Answer, resultFile: Answer | undefined, hostKey: Answer | undefined): string {
  if (ifaces.error) return 'agent-starting';
  // PVE wraps the agent's answer: { result: [...] }.
  const list = (ifaces.result as { result?: Array<{ name?: string; 'ip-addresses'?: Array<{ 'ip-address': string }> }> }).result ?? [];
  const nic = list.find((i) => i.name !== 'lo');
  if (!(nic?.['ip-addresses'] ?? []).some((a) => a['ip-address'] === VM.address)) return 'link-local';
  if (hostKey?.code !== 0) return 'address-up';
  return resultFile?.code === 0 ? 'done' : 'keys-written';
}

/** A GuestShell that passes every command to the real guest and writes it and its answer down. */
function recordingShell(inner: GuestShell, entries: Entry[], phase: { name: string }): GuestShell {
  return {
    username: inner.username,
    async exec(command, options) {
      let r: ExecResult;
      try {
        r = await inner.exec(command, options);
      } catch (e) {
        entries.push({
          phase: phase.name,
          via: 'ssh',
          command,
          ...(options?.stdin === undefined ? {} : { stdin: options.stdin }),
          error: message(e),
        });
        throw e;
      }
      entries.push({
        phase: phase.name,
        via: 'ssh',
        command,
        ...(options?.stdin === undefined ? {} : { stdin: options.stdin }),
        code: r.code ?? -1,
        stdout: r.stdout,
        stderr: r.stderr,
      });
      return r;
    },
  };
}

async function main(): Promise<void> {
  say('building or finding the cached guest image');
  const imageDir =
    execFileSync('sh', [join(REPO, 'packages', 'pve-simulator', 'scripts', 'build-guest-image.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop() ?? '';
  const accel = kvmUsable() ? 'kvm' : 'tcg';
  say(`image ${imageDir}, ${accel}; starting the simulator in qemu guest mode`);
  const sim = await startSimulator({
    guests: 'qemu',
    timeFactor: 0.05,
    seed: 13,
    authFailureDelayMs: 5,
    qemu: { imageDir, accel, internet: false },
  });
  const pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 30_000 });
  const platform = makeKeyPair('betang-platform');
  const requester = makeKeyPair('admin@dinas');
  const spec = {
    hostname: VM.name,
    adminUser: 'dinkes',
    sshPublicKeys: [requester.publicKey],
    allowedTcpPorts: [80],
    packageUpgrade: false,
  };
  const entries: Entry[] = [];
  const phases: Record<
    string,
    { description: string; firstSeenSeconds?: number; lastSeenSeconds?: number; polls?: number; cloudInitDetails?: string[] }
  > = {};
  const timings: Record<string, number> = {};
  try {
    const cloneAt = Date.now();
    await waitForTask(pve, await pve.vm(NODE, TEMPLATE).clone({ newid: VMID, full: true, name: VM.name }), { deadlineMs: 120_000 });
    await pve.vm(NODE, VMID).updateConfig(
      {
        ciuser: VM.ciuser,
        searchdomain: VM.searchdomain,
        ipconfig0: VM.ipconfig0,
        agent: '1',
        ciupgrade: false,
        sshkeys: encodeSshKeys([requester.publicKey, platform.publicKey]),
        tags: `betang;betang-inst-${spec.adminUser}`,
      },
      { deadlineMs: 60_000 },
    );
    const startAt = Date.now();
    await pve.vm(NODE, VMID).start({ deadlineMs: 120_000 });
    timings.cloneToStartSeconds = (startAt - cloneAt) / 1000;
    const since = () => Math.round((Date.now() - startAt) / 100) / 10;
    say(`VM ${VMID} started; polling the agent as the worker does`);

    // sshd's first banner through qemu's forward, watched on its own (an agent poll can take
    // seconds on a loaded machine): the time-to-SSH figure.
    let booting = true;
    const sshWatch = (async () => {
      while (booting && timings.startToSshSeconds === undefined) {
        const port = sim.state.guestSshEndpoint(VMID)?.port;
        if (port && (await sshBanner(port))) {
          timings.startToSshSeconds = since();
          timings.cloneToSshSeconds = Math.round((Date.now() - cloneAt) / 100) / 10;
          say(`${timings.startToSshSeconds} s: sshd answers`);
        }
        await sleep(500);
      }
    })();

    // 1. Boot: the worker's agent calls, once a second, until cloud-init is done.
    let hostKey = '';
    let statusReadAt = Number.NEGATIVE_INFINITY;
    for (const until = startAt + BOOT_BUDGET_MS; ;) {
      if (Date.now() > until) throw new Error(`cloud-init not done within ${BOOT_BUDGET_MS / 1000} s`);
      const polledAt = since();
      const ifaces = await agentApi(pve, 'network-get-interfaces');
      // While the agent does not answer, the worker (await-agent) sends nothing else either.
      const done = ifaces.error ? undefined : await agentExec(pve, CLOUD_INIT_RESULT_ARGV);
      const key = ifaces.error ? undefined : await agentExec(pve, HOST_KEY_ARGV);
      const phase = phaseOf(ifaces, done, key);
      const info = (phases[phase] ??= { description: PHASES[phase] ?? phase, firstSeenSeconds: polledAt, polls: 0 });
      info.lastSeenSeconds = polledAt;
      info.polls = (info.polls ?? 0) + 1;
      // The status as the worker reads it (a read costs the guest a Python start): at the first
      // poll of each phase, so also once result.json exists, and every 30 s.
      const readStatus = !ifaces.error && (info.polls === 1 || polledAt - statusReadAt >= 30);
      if (readStatus) statusReadAt = polledAt;
      const status = readStatus ? await agentExec(pve, CLOUD_INIT_STATUS_ARGV) : undefined;
      const detail = /"detail": "([^"]*)"/.exec(status?.stdout ?? '')?.[1];
      // The details in the order seen (a change is noted each time, so a return to one is too).
      if (detail && (info.cloudInitDetails ??= []).at(-1) !== detail) info.cloudInitDetails.push(detail);
      if (info.polls === 1) {
        say(`${polledAt} s: ${phase}`);
        entries.push({ phase, via: 'agent-api', command: 'network-get-interfaces', ...ifaces });
        if (done) entries.push({ phase, via: 'agent', command: CLOUD_INIT_RESULT_ARGV, ...done });
        if (status) entries.push({ phase, via: 'agent', command: CLOUD_INIT_STATUS_ARGV, ...status });
        if (key) entries.push({ phase, via: 'agent', command: HOST_KEY_ARGV, ...key });
      }
      // When the worker would have seen it: the answer's arrival.
      if (!ifaces.error) timings.startToAgentSeconds ??= since();
      if (phase !== 'agent-starting' && phase !== 'link-local') timings.startToAddressSeconds ??= since();
      if (key?.code === 0) timings.startToHostKeySeconds ??= since();
      if (phase === 'done') {
        timings.startToCloudInitDoneSeconds = since();
        hostKey = (key?.stdout ?? '').trim().split(/\s+/).slice(0, 2).join(' ');
        break;
      }
      await sleep(1000);
    }
    booting = false;
    await sshWatch;

    // 2. configure-guest over SSH, as the worker runs it, twice.
    const endpoint = sim.state.guestSshEndpoint(VMID)!;
    const conn = await connectGuest({
      ...endpoint,
      username: VM.ciuser,
      privateKey: platform.privateKey,
      pinnedHostKey: hostKey,
      readyTimeoutMs: 60_000,
    });
    try {
      const phase = { name: 'configure-fresh' };
      const shell = recordingShell(conn, entries, phase);
      const configureAt = Date.now();
      await waitForCloudInit(shell);
      const fresh = await configureGuest(shell, spec);
      timings.configureFreshSeconds = (Date.now() - configureAt) / 1000;
      say(
        `configured: changed ${fresh
          .filter((r) => r.changed)
          .map((r) => r.key)
          .join(', ')}`,
      );
      phase.name = 'configure-again';
      const again = await configureGuest(shell, spec);
      const changed = again.filter((r) => r.changed).map((r) => r.key);
      if (changed.length) throw new Error(`the second run changed ${changed.join(', ')} on the real guest`);
      for (const name of ['configure-fresh', 'configure-again']) phases[name] = { description: PHASES[name]! };

      // Provenance, read from the guest (not part of the transcript's entries).
      const read = async (command: string) => (await conn.exec(command)).stdout.trim();
      const provenance = {
        recordedAt: new Date().toISOString(),
        recorder: 'test/real-guest/record-transcript.ts (npm run record:guest-transcript)',
        image: { hash: basename(imageDir), builtBy: 'packages/pve-simulator/scripts/build-guest-image.sh' },
        guest: {
          debian: await read('cat /etc/debian_version'),
          kernel: await read('uname -r'),
          cloudInit: await read("dpkg-query -W -f '${Version}' cloud-init"),
          openssh: await read("dpkg-query -W -f '${Version}' openssh-server"),
          ufw: await read("dpkg-query -W -f '${Version}' ufw"),
          sudo: await read("dpkg-query -W -f '${Version}' sudo"),
          systemd: await read("dpkg-query -W -f '${Version}' systemd"),
          qemuGuestAgent: await read("dpkg-query -W -f '${Version}' qemu-guest-agent"),
        },
        host: { cpus: cpus().length, loadAverage: loadavg().map((n) => Math.round(n * 10) / 10), accel },
      };
      const transcript = {
        about:
          'What a real Debian 12 cloud guest (booted by the PVE simulator in qemu mode) answered every command the worker sends to a guest, in the order the worker sends them: the agent calls while it boots (first poll of each phase), then configure-guest over SSH on the fresh guest and again on the configured one. Recorded by test/real-guest/record-transcript.ts; the emulation must answer each entry the same: apps/worker/src/provisioning/emulation-transcript.test.ts (which lists what it normalises and why).',
        provenance,
        timings,
        vm: { name: VM.name, searchdomain: VM.searchdomain, ciuser: VM.ciuser, ipconfig0: VM.ipconfig0 },
        spec,
        phases,
        entries,
      };
      writeFileSync(OUT, `${JSON.stringify(transcript, null, 2)}\n`);
      say(`wrote ${entries.length} entries to ${OUT}; timings ${JSON.stringify(timings)}`);
      // Where the boot time goes, for docs/pve-simulator.md (printed only).
      for (const command of [
        'systemd-analyze',
        'systemd-analyze critical-chain ssh.service qemu-guest-agent.service',
        'systemd-analyze blame | head -n 25',
        'sudo -n cloud-init analyze show',
        // what one await-cloud-init poll costs the guest's CPU
        "bash -c 'time cloud-init status --format json >/dev/null'",
      ]) {
        const r = await conn.exec(command);
        say(`$ ${command}\n${r.stdout}${r.stderr}`);
      }
    } finally {
      conn.dispose();
    }
  } finally {
    const consoleLog = sim.state.qemuGuest(VMID)?.console;
    if (process.env.RECORD_CONSOLE_LOG && consoleLog) copyFileSync(consoleLog, process.env.RECORD_CONSOLE_LOG);
    await pve.close();
    await sim.close();
  }
}

main().catch((error: unknown) => {
  say(`failed: ${message(error)}`);
  process.exit(1);
});
