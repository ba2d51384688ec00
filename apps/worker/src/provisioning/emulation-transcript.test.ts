import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configureGuest, connectGuest, type GuestConnection } from '@betang/guest';
import { emulateDebianGuests, guestSpecFromVmConfig } from '@betang/guest/emulation';
import { createPveClient, decodeSshKeys, encodeSshKeys, waitForTask, type PveClient } from '@betang/proxmox';
import { startSimulator, type AgentPlan, type RunningSimulator } from '@betang/pve-simulator';
import { makeKeyPair } from '../testing/provisioning-env';

/*
 * The emulated guest (the PVE simulator's boot plan + packages/guest's Debian emulation, as the
 * demo and the fast tests use them) must answer like the real Debian 12 cloud guest. The
 * expected answers are recorded in packages/guest/fixtures/debian-12-transcript.json, by boot
 * phase; this test boots one emulated VM, walks through the phases and sends every entry.
 */

type Answer = { code?: number; stdout?: string; stderr?: string; error?: string };
type Entry = Answer & { phase: string; via: 'agent' | 'agent-api' | 'ssh' | 'ssh-connect'; command: string | string[]; compare?: string; source: string };
type Transcript = { vm: { name: string; searchdomain: string; ciuser: string; ipconfig0: string }; spec: { hostname: string; adminUser: string; allowedTcpPorts: number[] }; phases: Record<string, string>; entries: Entry[] };

const FIXTURE = join(__dirname, '..', '..', '..', '..', 'packages', 'guest', 'fixtures', 'debian-12-transcript.json');
const transcript = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Transcript;
const FIRST_VMID = 4242;
const ATTEMPTS = 3;
const NODE = 'pve1';

/** Applies an entry's comparison rule to one side (recorded or emulated). */
function comparable(entry: Entry, a: Answer): Answer {
  let stdout = a.stdout ?? '';
  if (entry.compare === 'json-no-time') stdout = stdout.replace(/"last_update": "[^"]*"/g, '"last_update": "<time>"');
  if (entry.compare === 'host-key') stdout = stdout.replace(/^ssh-ed25519 [A-Za-z0-9+/=]+ /, 'ssh-ed25519 <host-key> ');
  if (entry.compare === 'shadow-days') stdout = stdout.replace(/^([^:]+:[^:]*:)\d+:/, '$1<days>:');
  if (entry.compare?.startsWith('lines:')) {
    const re = new RegExp(entry.compare.slice('lines:'.length));
    stdout = stdout.split('\n').filter((l) => re.test(l)).sort().join('\n');
  }
  return a.error !== undefined ? { error: a.error } : { code: a.code ?? 0, stdout, stderr: a.stderr ?? '' };
}

async function agentRun(pve: PveClient, vmid: number, argv: readonly string[]): Promise<Answer> {
  return pve.vm(NODE, vmid).agent.exec(argv, { deadlineMs: 600_000, pollMs: 20 });
}

async function waitUntil(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left + 5));
}

describe('the emulated Debian guest against its transcript', () => {
  let sim: RunningSimulator;
  let pve: PveClient;
  let plan: AgentPlan;
  let conn: GuestConnection | undefined;
  let VMID = FIRST_VMID;
  let missedWindows: string[] = [];
  const platform = makeKeyPair('betang-platform');
  const requester = makeKeyPair('admin@dinas');
  const results = new Map<Entry, Answer>();

  async function send(entry: Entry): Promise<Answer> {
    try {
      if (entry.via === 'agent-api') return { result: await pve.request(entry.command === 'ping' ? 'POST' : 'GET', `/nodes/${NODE}/qemu/${VMID}/agent/${String(entry.command)}`) } as Answer;
      if (entry.via === 'agent') return await agentRun(pve, VMID, entry.command as string[]);
      const endpoint = sim.state.guestSshEndpoint(VMID)!;
      if (entry.via === 'ssh-connect') {
        const c = await connectGuest({ ...endpoint, username: String(entry.command), privateKey: platform.privateKey, pinnedHostKey: sim.state.hostKey(VMID)!, readyTimeoutMs: 2_000 });
        c.dispose();
        return { error: 'accepted' };
      }
      conn ??= await connectGuest({ ...endpoint, username: transcript.vm.ciuser, privateKey: platform.privateKey, pinnedHostKey: sim.state.hostKey(VMID)! });
      const r = await conn.exec(String(entry.command));
      return { ...r, code: r.code ?? -1 };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (entry.via === 'ssh-connect') return { error: /GUEST_CONNECT_FAILED/.test(message) ? 'refused' : message };
      return { error: (/QEMU guest agent is not running|got timeout/.exec(message) ?? [message])[0] };
    }
  }

  /** Sends a phase's entries; notes the phase when its last answer came after the phase had ended. */
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
      return guestSpecFromVmConfig({ name: c.name, tags: c.tags, searchdomain: c.searchdomain, sshKeys: decodeSshKeys(c.sshkeys) }, platform.publicKey);
    });
    sim.faults.setGuestCommandHandler(guests);
    const { vm } = transcript;
    // A loaded machine can answer a phase's entries after the phase has ended (the shortest window
    // is 0.6 s); then the boot is repeated on a fresh clone, as the answers would not be the phase's.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      conn?.dispose();
      conn = undefined;
      missedWindows = [];
      VMID = FIRST_VMID + attempt - 1;
      await waitForTask(pve, await pve.vm(NODE, 9000).clone({ newid: VMID, full: true, name: vm.name }), { deadlineMs: 30_000 });
      await pve.vm(NODE, VMID).updateConfig({
        ciuser: vm.ciuser, searchdomain: vm.searchdomain, ipconfig0: vm.ipconfig0, agent: '1', ciupgrade: false,
        sshkeys: encodeSshKeys([requester.publicKey, platform.publicKey]), tags: `betang;betang-inst-${transcript.spec.adminUser}`,
      }, { deadlineMs: 30_000 });
      await pve.vm(NODE, VMID).start({ deadlineMs: 30_000 });
      plan = sim.state.bootPlan(VMID)!;
      await phase('agent-starting', plan.notRunningUntil);
      await waitUntil(plan.linkLocalUntil);
      await phase('address-up', plan.hostKeysAt);
      await waitUntil(plan.hostKeysAt);
      await phase('ssh-up', plan.cloudInitDoneAt);
      await waitUntil(plan.cloudInitDoneAt);
      await phase('done');
      if (missedWindows.length === 0) break;
    }
    await configureGuest(conn!, { ...transcript.spec, sshPublicKeys: [requester.publicKey] });
    await phase('configured');
  }, 240_000);

  afterAll(async () => {
    conn?.dispose();
    await pve?.close();
    await sim?.close();
  });

  it('should have walked through every phase in its window', () => {
    expect({ missedWindows }).toEqual({ missedWindows: [] });
    expect(new Set(transcript.entries.map((e) => e.phase))).toEqual(new Set(Object.keys(transcript.phases)));
    expect(plan.timeoutUntil).toBeLessThan(plan.linkLocalUntil);
    expect(plan.linkLocalUntil).toBeLessThan(plan.hostKeysAt);
    expect(plan.hostKeysAt).toBeLessThan(plan.cloudInitDoneAt);
  });

  it.each(transcript.entries.map((e, i) => [`${i} ${e.phase} ${e.via} ${Array.isArray(e.command) ? e.command.join(' ') : e.command}`, e] as const))('should answer %s as recorded', (_name, entry) => {
    expect(comparable(entry, results.get(entry)!)).toEqual(comparable(entry, entry));
  });

  it('should show over SSH the very host key the agent read once cloud-init was done', () => {
    const [viaAgent, viaSsh] = transcript.entries.filter((e) => e.phase === 'done' && JSON.stringify(e.command).includes('ssh_host_ed25519_key.pub')).map((e) => results.get(e)?.stdout);
    expect(viaAgent).toBe(viaSsh);
    expect(viaAgent?.trim()).toBe(sim.state.hostKey(VMID)?.trim());
  });
});
