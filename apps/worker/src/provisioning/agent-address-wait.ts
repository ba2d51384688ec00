import type { VmClient } from '@betang/proxmox';
import { classifyPveError } from '@betang/proxmox';
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

export type AgentAddressWait =
  | { found: true; polls: number }
  | { found: false; polls: number; /** What the last answer showed, for the timeout message. */ lastSeen: string };

/**
 * Polls the guest agent until the interface with `mac` reports the IPv4 address `expected`, or
 * `deadlineAt` (epoch ms) passes, or `signal` aborts (then resolves not found). Errors that mean
 * "not up yet" (agent not running, QMP timeout, lock, 5xx, network) are waited through; any
 * other error is thrown. Read-only on PVE and the guest: safe to run again after a restart.
 */
export async function waitForAgentAddress(
  vm: VmClient,
  o: { mac: string; expected: string; deadlineAt: number; signal: AbortSignal },
): Promise<AgentAddressWait> {
  let delay = 200;
  let polls = 0;
  let lastSeen = 'agent belum menjawab / agent not answering yet';
  while (!o.signal.aborted) {
    polls++;
    try {
      const ifaces = await vm.agent.networkInterfaces();
      const nic = ifaces.find((i) => i['hardware-address']?.toLowerCase() === o.mac);
      const v4 = (nic?.['ip-addresses'] ?? []).filter((a) => a['ip-address-type'] === 'ipv4').map((a) => a['ip-address']);
      if (v4.includes(o.expected)) return { found: true, polls };
      lastSeen = nic
        ? `net0 melaporkan/reports [${v4.join(', ')}]`
        : `tidak ada antarmuka dengan MAC ${o.mac} / no interface with MAC ${o.mac}`;
    } catch (error) {
      if (!WAITING_CODES.has(classifyPveError(error).code)) throw error;
    }
    if (Date.now() + delay > o.deadlineAt) break;
    await abortableSleep(delay, o.signal);
    delay = Math.min(2_000, Math.round(delay * 1.5));
  }
  return { found: false, polls, lastSeen };
}
