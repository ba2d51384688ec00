import { bilingualDetail } from '@betang/core';
import { permanent } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { waitForAgentAddress } from '../agent-address-wait';
import { cloneStep } from './clone.step';
import { configureStep } from './configure.step';
import { reserveStep } from './reserve.step';

/** The address the guest agent reported on net0. */
type AwaitAgentResult = { address: string };

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
    const wait = await waitForAgentAddress(ctx.pve.vm(node, vmid), {
      mac,
      expected,
      deadlineAt: Date.now() + ctx.settings.GUEST_AGENT_WAIT_SECONDS * 1000,
      signal,
    });
    if (wait.found)
      return { result: { address: expected }, detail: bilingualDetail({ id: `${expected} pada ${mac}`, en: `${expected} on ${mac}` }) };
    if (signal.aborted) throw new Error('aborted');
    throw permanent(
      'AGENT_TIMEOUT',
      {
        id: `Guest agent VM ${vmid} tidak melaporkan alamat ${expected} dalam ${ctx.settings.GUEST_AGENT_WAIT_SECONDS} detik (${wait.lastSeen}).`,
        en: `The guest agent of VM ${vmid} did not report address ${expected} within ${ctx.settings.GUEST_AGENT_WAIT_SECONDS} seconds (${wait.lastSeen}).`,
      },
      { node, vmid },
    );
  },
});
