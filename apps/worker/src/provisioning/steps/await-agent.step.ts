import { bilingualDetail } from '@betang/core';
import { classifyPveError } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { abortableSleep } from '../../harness/sleep';
import { cloneStep } from './clone.step';
import { configureStep } from './configure.step';
import { reserveStep } from './reserve.step';

/** The address the guest agent reported on net0. */
type AwaitAgentResult = { address: string };

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
 * `await-agent`: polls the guest agent until the interface with net0's MAC reports the expected
 * IPv4 address. Read-only, safe to repeat. The wait has its own budget
 * (GUEST_AGENT_WAIT_SECONDS); running out is a permanent, explained failure, because a guest
 * whose agent never answers will not answer on a queue retry either.
 */
export const awaitAgentStep = provisionStep<AwaitAgentResult>({
  key: 'await-agent',
  weight: 15,
  label: { id: 'menunggu guest agent', en: 'wait for the guest agent' },
  async run({ ctx, output, signal }) {
    const { vmid, node } = output(cloneStep);
    const { mac } = output(configureStep);
    const expected = output(reserveStep).lease.address;
    const until = Date.now() + ctx.settings.GUEST_AGENT_WAIT_SECONDS * 1000;
    let delay = 200;
    let lastSeen = 'agent belum menjawab / agent not answering yet';
    while (!signal.aborted) {
      try {
        const ifaces = await ctx.pve.vm(node, vmid).agent.networkInterfaces();
        const nic = ifaces.find((i) => i['hardware-address']?.toLowerCase() === mac);
        const v4 = (nic?.['ip-addresses'] ?? []).filter((a) => a['ip-address-type'] === 'ipv4').map((a) => a['ip-address']);
        if (v4.includes(expected))
          return { result: { address: expected }, detail: bilingualDetail({ id: `${expected} pada ${mac}`, en: `${expected} on ${mac}` }) };
        lastSeen = nic
          ? `net0 melaporkan/reports [${v4.join(', ')}]`
          : `tidak ada antarmuka dengan MAC ${mac} / no interface with MAC ${mac}`;
      } catch (error) {
        if (!WAITING_CODES.has(classifyPveError(error).code)) throw error;
      }
      if (Date.now() + delay > until) break;
      await abortableSleep(delay, signal);
      delay = Math.min(2_000, Math.round(delay * 1.5));
    }
    if (signal.aborted) throw new Error('aborted');
    throw permanent(
      'AGENT_TIMEOUT',
      {
        id: `Guest agent VM ${vmid} tidak melaporkan alamat ${expected} dalam ${ctx.settings.GUEST_AGENT_WAIT_SECONDS} detik (${lastSeen}).`,
        en: `The guest agent of VM ${vmid} did not report address ${expected} within ${ctx.settings.GUEST_AGENT_WAIT_SECONDS} seconds (${lastSeen}).`,
      },
      { node, vmid },
    );
  },
});
