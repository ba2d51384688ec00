import type { AgentInterface, VmClient } from '@betang/proxmox';
import { PveApiError } from '@betang/proxmox';
import { agentAddressDurations, waitForAgentAddress } from './agent-address-wait';

const MAC = 'bc:24:11:00:01:10';
const ADDRESS = '10.20.0.10';
const PATH = '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces';

const pveError = (message: string, status = 500): PveApiError =>
  new PveApiError({ status, reason: message, message, method: 'GET', pathTemplate: PATH }, status >= 500);

/**
 * A guest booting like the simulator's: agent not running until 15 s, QMP timeouts until 20 s,
 * only the link-local address until `upAt`, then the address. Records the time of every poll.
 */
function bootingGuest(t0: number, upAt = 23_000): { vm: VmClient; polls: number[] } {
  const polls: number[] = [];
  const nic = (v4: boolean): AgentInterface[] => [
    {
      name: 'eth0',
      'hardware-address': MAC,
      'ip-addresses': [
        ...(v4 ? [{ 'ip-address-type': 'ipv4' as const, 'ip-address': ADDRESS, prefix: 24 }] : []),
        { 'ip-address-type': 'ipv6' as const, 'ip-address': 'fe80::be24:11ff:fe00:110', prefix: 64 },
      ],
    },
  ];
  const agent = {
    networkInterfaces: async (): Promise<AgentInterface[]> => {
      const t = Date.now() - t0;
      polls.push(t);
      if (t < 15_000) throw pveError('QEMU guest agent is not running');
      if (t < 20_000) throw pveError("VM 500 qmp command 'guest-network-get-interfaces' failed - got timeout");
      return nic(t >= upAt);
    },
  };
  // Only `agent.networkInterfaces` is used by the wait; the rest of VmClient is irrelevant here.
  return { vm: { node: 'pve1', vmid: 500, agent } as unknown as VmClient, polls };
}

describe('waitForAgentAddress', () => {
  let firstWaitPolls = 0;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('notices the address within the near cadence, with sparse polls before the expected boot', async () => {
    const t0 = Date.now();
    const { vm, polls } = bootingGuest(t0);
    const wait = waitForAgentAddress(vm, { mac: MAC, expected: ADDRESS, deadlineAt: t0 + 300_000, signal: new AbortController().signal });
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(wait).resolves.toMatchObject({ found: true });
    const seen = polls[polls.length - 1] ?? Infinity;
    expect(seen - 23_000).toBeLessThanOrEqual(400);
    // Before the agent stirs at 15 s: no more than one poll every few seconds.
    expect(polls.filter((t) => t < 15_000).length).toBeLessThanOrEqual(5);
    expect(polls.length).toBeLessThanOrEqual(22);
    firstWaitPolls = polls.length;
  });

  it('learns the boot time: the next wait opens its near window later, with fewer polls', async () => {
    expect(agentAddressDurations.get('address', 0)).toBeGreaterThan(20_000);
    const t0 = Date.now();
    const { vm, polls } = bootingGuest(t0);
    const wait = waitForAgentAddress(vm, { mac: MAC, expected: ADDRESS, deadlineAt: t0 + 300_000, signal: new AbortController().signal });
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(wait).resolves.toMatchObject({ found: true });
    expect((polls[polls.length - 1] ?? Infinity) - 23_000).toBeLessThanOrEqual(400);
    expect(polls.length).toBeLessThan(firstWaitPolls);
  });

  it('gives up at the deadline with what it last saw, and aborts at once', async () => {
    const t0 = Date.now();
    const { vm, polls } = bootingGuest(t0, Infinity);
    const wait = waitForAgentAddress(vm, { mac: MAC, expected: ADDRESS, deadlineAt: t0 + 40_000, signal: new AbortController().signal });
    await jest.advanceTimersByTimeAsync(41_000);
    await expect(wait).resolves.toEqual({ found: false, polls: polls.length, lastSeen: 'net0 melaporkan/reports []' });
    // The whole budget is used: the last look is at the deadline, not a cadence step before it.
    expect(polls[polls.length - 1]).toBe(40_000);

    // A budget shorter than the first sparse sleep still gets a second look at its end.
    const t1 = Date.now();
    const short = bootingGuest(t1, 0);
    const quick = waitForAgentAddress(short.vm, {
      mac: MAC,
      expected: ADDRESS,
      deadlineAt: t1 + 1_000,
      signal: new AbortController().signal,
    });
    await jest.advanceTimersByTimeAsync(1_100);
    await expect(quick).resolves.toMatchObject({ found: false });
    expect(short.polls).toEqual([0, 200, 1_000]);

    const abort = new AbortController();
    const stopped = waitForAgentAddress(bootingGuest(Date.now()).vm, {
      mac: MAC,
      expected: ADDRESS,
      deadlineAt: Date.now() + 300_000,
      signal: abort.signal,
    });
    await jest.advanceTimersByTimeAsync(100);
    abort.abort();
    await jest.advanceTimersByTimeAsync(1);
    await expect(stopped).resolves.toMatchObject({ found: false, polls: 1 });
  });

  it('throws an error that is not "not up yet" (permission) instead of waiting through it', async () => {
    const agent = { networkInterfaces: () => Promise.reject(pveError('Permission check failed (/vms/500, VM.Monitor)', 403)) };
    const vm = { node: 'pve1', vmid: 500, agent } as unknown as VmClient;
    await expect(
      waitForAgentAddress(vm, { mac: MAC, expected: ADDRESS, deadlineAt: Date.now() + 10_000, signal: new AbortController().signal }),
    ).rejects.toThrow(/Permission check failed/);
  });
});
