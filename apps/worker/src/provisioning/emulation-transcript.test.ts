import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configureGuest, connectGuest, waitForCloudInit, type GuestConnection, type GuestShell } from '@betang/guest';
import { emulateDebianGuests, guestSpecFromVmConfig } from '@betang/guest/emulation';
import { createPveClient, decodeSshKeys, encodeSshKeys, waitForTask, type PveClient } from '@betang/proxmox';
import { startSimulator, type AgentPlan, type RunningSimulator } from '@betang/pve-simulator';
import { makeKeyPair } from '../testing/provisioning-env';

/*
 * The emulated guest (the PVE simulator's boot plan + packages/guest's Debian emulation, as the
 * demo and the fast tests use them) must answer like the real Debian 12 cloud guest. The answers
 * are those a REAL guest gave, recorded by test/real-guest/record-transcript.ts into
 * packages/guest/fixtures/debian-12-transcript.json: the worker's agent calls in each boot phase,
 * then configure-guest over SSH on the fresh guest and again on the configured one. This test
 * boots one emulated VM, sends every entry in the recorded order inside its phase and requires
 * the same answer, after these normalisations (applied to both sides alike) — each is something
 * that differs between any two boots of the same real guest:
 *
 *  - host-key blobs (`ssh-ed25519 AAAA…`): cloud-init's ssh module makes new keys on every first boot;
 *  - cloud-init's `last_update`: the wall-clock time of the boot;
 *  - network-get-interfaces: the MAC (PVE gives every clone its own), the IPv6 link-local address
 *    derived from it, and the traffic counters (`statistics`: whatever the NIC has seen so far);
 *  - `getent shadow`'s last-change field: the day `useradd` ran;
 *  - while cloud-init runs, the `detail` of its status (the stage running at the instant of the
 *    poll, or the datasource between stages): when a poll lands, not how the guest behaves — the
 *    order of the stages is pinned in packages/pve-simulator/src/guest/cloud-init-model.test.ts;
 *  - the public keys in the recorded spec are the recording's; the emulated VM is given the same
 *    requester key, so the authorized_keys the guest prints are compared as they are.
 *
 * Nothing else is masked: the batch marker of a batched command line is part of the recorded
 * command and comes back in the answer, so batched outputs are compared byte for byte.
 */

type Answer = { code?: number; stdout?: string; stderr?: string; error?: string; result?: unknown };
type Entry = Answer & { phase: string; via: 'agent' | 'agent-api' | 'ssh'; command: string | string[]; stdin?: string };
type Transcript = {
  vm: { name: string; searchdomain: string; ciuser: string; ipconfig0: string };
  spec: { hostname: string; adminUser: string; sshPublicKeys: string[]; allowedTcpPorts: number[]; packageUpgrade: boolean };
  phases: Record<string, { description: string }>;
  entries: Entry[];
};

const FIXTURE = join(__dirname, '..', '..', '..', '..', 'packages', 'guest', 'fixtures', 'debian-12-transcript.json');
const transcript = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Transcript;
const FIRST_VMID = 4242;
const ATTEMPTS = 3;
const NODE = 'pve1';
const BOOT_PHASES = ['agent-starting', 'agent-timeout', 'link-local', 'address-up', 'keys-written', 'done'] as const;
const SSH_PHASES = ['configure-fresh', 'configure-again'] as const;
const MARKER = /betang-[0-9a-f]{24}/g;

/** An answer with the normalisations listed above. */
function comparable(a: Answer): Answer {
  if (a.error !== undefined) return { error: a.error };
  if (a.result !== undefined) return { result: normaliseInterfaces(a.result) };
  const running = /^\{\n {2}"_schema_version"/.test(a.stdout ?? '') && /\n {2}"status": "running"\n\}\n$/.test(a.stdout ?? '');
  const stdout = (running ? (a.stdout ?? '').replace(/"detail": "[^"]*"/g, '"detail": "<stage>"') : (a.stdout ?? ''))
    .replace(/"last_update": "[^"]*"/g, '"last_update": "<time>"')
    .replace(/ssh-ed25519 AAAA[A-Za-z0-9+/=]+/g, 'ssh-ed25519 <host-key>')
    .replace(/^([^:\n]+:[^:\n]*:)\d+((?::[^:\n]*){6})$/gm, '$1<days>$2'); // a shadow line has 9 fields, passwd 7
  return { code: a.code ?? 0, stdout, stderr: a.stderr ?? '' };
}

/** PVE's `{ result: [...] }` of network-get-interfaces, with MACs, link-local addresses and counters masked. */
function normaliseInterfaces(answer: unknown): unknown {
  const list = (answer as { result?: unknown } | undefined)?.result;
  if (!Array.isArray(list)) return answer;
  return list.map((nic: Record<string, unknown>) => {
    const { statistics: _counters, ...rest } = nic;
    const addresses = (rest['ip-addresses'] as Array<Record<string, unknown>> | undefined)?.map((a) =>
      String(a['ip-address']).startsWith('fe80:') ? { ...a, 'ip-address': '<link-local>' } : a,
    );
    return {
      ...rest,
      'hardware-address': rest.name === 'lo' ? rest['hardware-address'] : '<mac>',
      ...(addresses ? { 'ip-addresses': addresses } : {}),
    };
  });
}

async function agentRun(pve: PveClient, vmid: number, argv: readonly string[]): Promise<Answer> {
  return pve.vm(NODE, vmid).agent.exec(argv, { deadlineMs: 600_000, pollMs: 20 });
}

async function waitUntil(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left + 5));
}

/** The window of the emulated boot plan a recorded boot phase corresponds to: [from, until). */
function windowOf(phase: (typeof BOOT_PHASES)[number], plan: AgentPlan): [number, number] {
  switch (phase) {
    case 'agent-starting':
      return [0, plan.notRunningUntil];
    case 'agent-timeout':
      return [plan.notRunningUntil, plan.timeoutUntil];
    case 'link-local':
      return [plan.timeoutUntil, plan.linkLocalUntil];
    case 'address-up':
      return [plan.linkLocalUntil, plan.hostKeysAt];
    case 'keys-written':
      return [plan.hostKeysAt, plan.cloudInitDoneAt];
    case 'done':
      return [plan.cloudInitDoneAt, Number.POSITIVE_INFINITY];
  }
}

describe('the emulated Debian guest against the transcript of a real guest', () => {
  let sim: RunningSimulator;
  let pve: PveClient;
  let plan: AgentPlan;
  let conn: GuestConnection | undefined;
  let VMID = FIRST_VMID;
  let missedWindows: string[] = [];
  const platform = makeKeyPair('betang-platform');
  const results = new Map<Entry, Answer>();

  async function send(entry: Entry): Promise<Answer> {
    try {
      if (entry.via === 'agent-api')
        return {
          result: await pve.request(
            entry.command === 'ping' ? 'POST' : 'GET',
            `/nodes/${NODE}/qemu/${VMID}/agent/${String(entry.command)}`,
          ),
        } as Answer;
      if (entry.via === 'agent') return await agentRun(pve, VMID, entry.command as string[]);
      conn ??= await connectGuest({
        ...sim.state.guestSshEndpoint(VMID)!,
        username: transcript.vm.ciuser,
        privateKey: platform.privateKey,
        pinnedHostKey: sim.state.hostKey(VMID)!,
      });
      const r = await conn.exec(String(entry.command), entry.stdin === undefined ? undefined : { stdin: entry.stdin });
      return { ...r, code: r.code ?? -1 };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { error: (/QEMU guest agent is not running|qmp command '[^']+' failed - got timeout/.exec(message) ?? [message])[0] };
    }
  }

  /** Sends a phase's entries in order; notes the phase when its last answer came after its window. */
  async function phase(name: string, endsAt?: number): Promise<void> {
    for (const entry of transcript.entries.filter((e) => e.phase === name)) results.set(entry, await send(entry));
    if (endsAt !== undefined && Date.now() >= endsAt) missedWindows.push(name);
  }

  beforeAll(async () => {
    // Realistic boot stages at 0.3× speed: the shortest window (address up, keys not yet written) is 0.6 s.
    sim = await startSimulator({ timeFactor: 0.3, seed: 7, agentBootSeconds: 20, authFailureDelayMs: 5 });
    pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5_000 });
    const guests = emulateDebianGuests((vmid) => {
      const c = (sim.state.vm(vmid)?.config ?? {}) as Record<string, string | undefined>;
      return guestSpecFromVmConfig(
        { name: c.name, tags: c.tags, searchdomain: c.searchdomain, sshKeys: decodeSshKeys(c.sshkeys) },
        platform.publicKey,
        transcript.spec.allowedTcpPorts,
      );
    });
    sim.faults.setGuestCommandHandler(guests);
    const { vm, spec } = transcript;
    const recordedPhases = BOOT_PHASES.filter((p) => transcript.entries.some((e) => e.phase === p));
    // A loaded machine can answer a phase's entries after the phase has ended (the shortest window
    // is 0.6 s); then the boot is repeated on a fresh clone, as the answers would not be the phase's.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      conn?.dispose();
      conn = undefined;
      missedWindows = [];
      VMID = FIRST_VMID + attempt - 1;
      await waitForTask(pve, await pve.vm(NODE, 9000).clone({ newid: VMID, full: true, name: vm.name }), { deadlineMs: 30_000 });
      await pve.vm(NODE, VMID).updateConfig(
        {
          ciuser: vm.ciuser,
          searchdomain: vm.searchdomain,
          ipconfig0: vm.ipconfig0,
          agent: '1',
          ciupgrade: false,
          sshkeys: encodeSshKeys([...spec.sshPublicKeys, platform.publicKey]),
          tags: `betang;betang-inst-${spec.adminUser}`,
        },
        { deadlineMs: 30_000 },
      );
      await pve.vm(NODE, VMID).start({ deadlineMs: 30_000 });
      plan = sim.state.bootPlan(VMID)!;
      for (const name of recordedPhases) {
        const [from, until] = windowOf(name, plan);
        await waitUntil(from);
        await phase(name, until);
      }
      if (missedWindows.length === 0) break;
    }
    for (const name of SSH_PHASES) await phase(name);
  }, 240_000);

  afterAll(async () => {
    conn?.dispose();
    await pve?.close();
    await sim?.close();
  });

  it('should have walked through every recorded phase in its window', () => {
    expect({ missedWindows }).toEqual({ missedWindows: [] });
    expect(transcript.entries.every((e) => e.phase in transcript.phases)).toBe(true);
    expect(plan.timeoutUntil).toBeLessThanOrEqual(plan.linkLocalUntil);
    expect(plan.linkLocalUntil).toBeLessThanOrEqual(plan.hostKeysAt);
    expect(plan.hostKeysAt).toBeLessThan(plan.cloudInitDoneAt);
  });

  it.each(
    transcript.entries.map(
      (e, i) => [`${i} ${e.phase} ${e.via} ${Array.isArray(e.command) ? e.command.join(' ') : e.command.slice(0, 120)}`, e] as const,
    ),
  )('should answer %s as the real guest did', (_name, entry) => {
    expect(comparable(results.get(entry)!)).toEqual(comparable(entry));
  });

  it('should show over SSH the very host key the agent read once cloud-init was done', () => {
    const viaAgent = transcript.entries.find((e) => e.phase === 'done' && JSON.stringify(e.command).includes('ssh_host_ed25519_key.pub'));
    expect(results.get(viaAgent!)?.stdout?.trim().split(' ').slice(0, 2).join(' ')).toBe(
      sim.state.hostKey(VMID)?.trim().split(' ').slice(0, 2).join(' '),
    );
  });
});

describe('the transcript against the code that sends the commands', () => {
  it("should hold exactly the commands today's configure-guest sends, in its order", async () => {
    // The worker's configure-guest step (waitForCloudInit, then configureGuest) and a second
    // configureGuest, on an emulated guest: the command lines must be the recorded ones, else
    // the transcript is out of date — re-record it (docs/guest-configuration.md).
    const { spec } = transcript;
    const guests = emulateDebianGuests((vmid) => (vmid === 1 ? spec : undefined));
    const sent: Array<{ phase: string; command: string; stdin?: string }> = [];
    let current = 'configure-fresh';
    const shell: GuestShell = {
      username: transcript.vm.ciuser,
      async exec(command, options) {
        sent.push({
          phase: current,
          command: command.replace(MARKER, '<marker>'),
          ...(options?.stdin === undefined ? {} : { stdin: options.stdin }),
        });
        const r = guests(1, command) ?? { code: 0, stdout: '\nstatus: done\n' };
        return { code: r.code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
      },
    };
    await waitForCloudInit(shell);
    await configureGuest(shell, spec);
    current = 'configure-again';
    await configureGuest(shell, spec);
    const recorded = transcript.entries
      .filter((e) => e.via === 'ssh')
      .map((e) => ({
        phase: e.phase,
        command: String(e.command).replace(MARKER, '<marker>'),
        ...(e.stdin === undefined ? {} : { stdin: e.stdin }),
      }));
    expect(sent).toEqual(recorded);
  });
});
