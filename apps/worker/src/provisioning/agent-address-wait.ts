import type { PollCadence, VmClient } from '@betang/proxmox';
import { classifyPveError, DurationEstimates, nextPollDelay } from '@betang/proxmox';
import { abortableSleep } from '../harness/sleep';

/** Answers that mean "the guest is not there yet": keep polling. */
const WAITING_CODES = new Set([
  'agent-not-running',
  'agent-timeout',
  'vm-locked',
  'server-error',
  'network',
  'timeout',
  'proxy-unreachable',
  'proxy-timeout',
]);

/**
 * From a start task's end to the address on net0, for a Debian/Ubuntu cloud image on KVM (the
 * simulator's default boot is 20 s to the agent + 3 s to the address). Only the seed: the running
 * estimate below follows the guests this worker actually boots.
 */
const TYPICAL_AGENT_ADDRESS_MS = 20_000;

/** This process's running estimate of the time from the wait's start to the address. */
export const agentAddressDurations = new DurationEstimates();

/** The steady interval around the expected time. */
const NEAR_MS = 400;

/**
 * The agent's cadence: a poll at once (a VM already up answers the first), sparse polls (from
 * an eighth of the expected time, doubling, ≤ 5 s apart: ≈ 0.3 requests/s per VM) until 85 %
 * of the expected time, then every 400 ms (2.5 requests/s per VM, for a few seconds) until
 * twice the expected time, then growing with the overrun up to 2 s. As soon as the agent
 * answers without the address, the address is seconds away: the 400 ms cadence applies
 * whatever the estimate.
 */
function agentCadence(): PollCadence {
  const expectedMs = agentAddressDurations.get('address', TYPICAL_AGENT_ADDRESS_MS);
  return {
    expectedMs,
    firstMs: expectedMs / 8,
    nearMs: NEAR_MS,
    windowOpens: 0.85,
    windowCloses: 2,
    minMs: 200,
    farMaxMs: 5_000,
    lateMaxMs: 2_000,
  };
}

export type AgentAddressWait =
  | { found: true; polls: number }
  | { found: false; polls: number; /** What the last answer showed, for the timeout message. */ lastSeen: string };

/** One look at the guest agent: the address is there, or not yet (and whether the agent answered at all). */
export type AgentAddressPoll = { found: true } | { found: false; answered: boolean; lastSeen: string };

/**
 * Asks the guest agent once whether the interface with `mac` reports the IPv4 address
 * `expected`. Errors that mean "not up yet" (agent not running, QMP timeout, lock, 5xx, network)
 * are an answer of not found; any other error is thrown. Read-only.
 */
export async function pollAgentAddress(vm: VmClient, o: { mac: string; expected: string }): Promise<AgentAddressPoll> {
  try {
    const ifaces = await vm.agent.networkInterfaces();
    const nic = ifaces.find((i) => i['hardware-address']?.toLowerCase() === o.mac);
    const v4 = (nic?.['ip-addresses'] ?? []).filter((a) => a['ip-address-type'] === 'ipv4').map((a) => a['ip-address']);
    if (v4.includes(o.expected)) return { found: true };
    return {
      found: false,
      answered: true,
      lastSeen: nic
        ? `net0 melaporkan/reports [${v4.join(', ')}]`
        : `tidak ada antarmuka dengan MAC ${o.mac} / no interface with MAC ${o.mac}`,
    };
  } catch (error) {
    if (!WAITING_CODES.has(classifyPveError(error).code)) throw error;
    return { found: false, answered: false, lastSeen: NOT_ANSWERING };
  }
}

const NOT_ANSWERING = 'agent belum menjawab / agent not answering yet';

/**
 * The delay before the next look, `elapsedMs` into the wait (agentCadence). A QMP timeout says
 * little about when the address comes (on real PVE the call itself blocks for seconds while
 * the guest starts): only the estimate paces the next poll. As soon as the agent answers
 * without the address, the address is seconds away: the near cadence applies.
 */
export function nextAgentPollDelay(elapsedMs: number, answered: boolean): number {
  const delay = nextPollDelay(elapsedMs, agentCadence());
  return answered ? Math.min(NEAR_MS, delay) : delay;
}

/** Folds the time from the wait's start to the address into this process's estimate (only when it was waited for). */
export function observeAgentAddress(elapsedMs: number, polls: number): void {
  if (polls > 1) agentAddressDurations.observe('address', elapsedMs, TYPICAL_AGENT_ADDRESS_MS);
}

/**
 * Polls the guest agent (agentCadence) until the interface with `mac` reports the IPv4 address `expected`, or
 * `deadlineAt` (epoch ms) passes, or `signal` aborts (then resolves not found). Errors that mean
 * "not up yet" (agent not running, QMP timeout, lock, 5xx, network) are waited through; any
 * other error is thrown. Read-only on PVE and the guest: safe to run again after a restart.
 */
export async function waitForAgentAddress(
  vm: VmClient,
  o: { mac: string; expected: string; deadlineAt: number; signal: AbortSignal },
): Promise<AgentAddressWait> {
  const started = Date.now();
  let polls = 0;
  let lastSeen = NOT_ANSWERING;
  while (!o.signal.aborted) {
    polls++;
    const poll = await pollAgentAddress(vm, o);
    if (poll.found) {
      observeAgentAddress(Date.now() - started, polls);
      return { found: true, polls };
    }
    if (poll.answered) lastSeen = poll.lastSeen;
    const delay = nextAgentPollDelay(Date.now() - started, poll.answered);
    // The last look is at the deadline itself: the whole budget is used, whatever the cadence.
    const left = o.deadlineAt - Date.now();
    if (left <= 0) break;
    await abortableSleep(Math.min(delay, left), o.signal);
  }
  return { found: false, polls, lastSeen };
}
