import { bilingualDetail } from '@betang/core';
import { permanent } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { nextAgentPollDelay, observeAgentAddress, pollAgentAddress } from '../agent-address-wait';
import { cloneStep } from './clone.step';
import { configureStep } from './configure.step';
import { reserveStep } from './reserve.step';

/** The address the guest agent reported on net0. */
type AwaitAgentResult = { address: string };

/** What the wait keeps between two looks while the run is parked (epoch ms). */
type AgentWaitMemo = { startedAt: number; deadlineAt: number; polls: number; lastSeen: string };

function isAgentWaitMemo(memo: unknown): memo is AgentWaitMemo {
  const m = memo as Partial<AgentWaitMemo> | null | undefined;
  return typeof m?.startedAt === 'number' && typeof m.deadlineAt === 'number' && typeof m.polls === 'number';
}

/**
 * `await-agent`: looks at the guest agent until the interface with net0's MAC reports the
 * expected IPv4 address. Between two looks the run parks (scope.park): the worker slot is free
 * while the guest boots, and the wait's start, deadline and last answer travel in the memo, so
 * a resumed (or restarted) wait keeps its budget and its cadence. Read-only, safe to repeat.
 * The wait has its own budget (GUEST_AGENT_WAIT_SECONDS); running out is a permanent, explained
 * failure, because a guest whose agent never answers will not answer on a queue retry either.
 */
export const awaitAgentStep = provisionStep<AwaitAgentResult>({
  key: 'await-agent',
  weight: 15,
  label: { id: 'menunggu guest agent', en: 'wait for the guest agent' },
  async run({ ctx, output, memo, park }) {
    const { vmid, node } = output(cloneStep);
    const { mac } = output(configureStep);
    const expected = output(reserveStep).lease.address;
    const startedAt = Date.now();
    const wait: AgentWaitMemo = isAgentWaitMemo(memo)
      ? memo
      : { startedAt, deadlineAt: startedAt + ctx.settings.GUEST_AGENT_WAIT_SECONDS * 1000, polls: 0, lastSeen: '' };
    const polls = wait.polls + 1;
    const poll = await pollAgentAddress(ctx.pve.vm(node, vmid), { mac, expected });
    if (poll.found) {
      observeAgentAddress(Date.now() - wait.startedAt, polls);
      return { result: { address: expected }, detail: bilingualDetail({ id: `${expected} pada ${mac}`, en: `${expected} on ${mac}` }) };
    }
    const lastSeen = poll.answered || !wait.lastSeen ? poll.lastSeen : wait.lastSeen;
    // The last look is at the deadline itself: the whole budget is used, whatever the cadence.
    const left = wait.deadlineAt - Date.now();
    if (left > 0)
      return park(
        Date.now() + Math.min(nextAgentPollDelay(Date.now() - wait.startedAt, poll.answered), left),
        { ...wait, polls, lastSeen } satisfies AgentWaitMemo,
        { id: `menunggu guest agent melaporkan ${expected}`, en: `waiting for the guest agent to report ${expected}` },
      );
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
