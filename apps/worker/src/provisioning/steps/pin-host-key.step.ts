import { updateVm } from '@betang/db';
import { parseSshPublicKey } from '@betang/guest';
import { AgentExecTimeoutError, type PveClient } from '@betang/proxmox';
import { permanent, transient } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

/** The guest's pinned ed25519 host key (`type blob`). */
type PinHostKeyResult = { hostKey: string };

const HOST_KEY_FILE = '/etc/ssh/ssh_host_ed25519_key.pub';
/** What the agent runs to read the host key (QGA executes argv directly, no shell). */
export const HOST_KEY_ARGV = ['cat', HOST_KEY_FILE];

/** Runs one argv through the guest agent and returns stdout (agent exec + exec-status polling). */
export async function agentExec(
  pve: PveClient,
  node: string,
  vmid: number,
  argv: string[],
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<{ code: number; stdout: string }> {
  try {
    return await pve.vm(node, vmid).agent.exec(argv, { deadlineMs, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!(error instanceof AgentExecTimeoutError)) throw error;
    throw transient('AGENT_EXEC_TIMEOUT', {
      id: `Perintah guest agent di VM ${vmid} tidak selesai.`,
      en: `A guest-agent command on VM ${vmid} did not finish.`,
    });
  }
}

/**
 * `pin-host-key`: reads the guest's ed25519 SSH host key through the guest agent (before any SSH
 * connection, after `await-cloud-init`: cloud-init's ssh module writes the final key) and stores
 * it on the VM row; SSH then trusts only that key. Read-only towards the guest, safe to repeat.
 */
export const pinHostKeyStep = provisionStep<PinHostKeyResult>({
  key: 'pin-host-key',
  weight: 5,
  label: { id: 'sematkan kunci host SSH', en: 'pin the SSH host key' },
  async run({ ctx, output, signal }) {
    const { vmid, node } = output(cloneStep);
    const { vmId } = output(reserveStep);
    const out = await agentExec(ctx.pve, node, vmid, HOST_KEY_ARGV, 30_000, signal);
    const line = out.stdout.trim().split('\n')[0] ?? '';
    const [type, blob] = line.split(/\s+/);
    const parsed = parseSshPublicKey(`${type ?? ''} ${blob ?? ''}`);
    if (out.code !== 0 || !parsed.ok || type !== 'ssh-ed25519') {
      throw permanent('HOST_KEY_UNREADABLE', {
        id: `Kunci host ${HOST_KEY_FILE} VM ${vmid} tidak dapat dibaca lewat guest agent (kode ${out.code}). Pastikan template membuat kunci host ed25519.`,
        en: `The host key ${HOST_KEY_FILE} of VM ${vmid} could not be read through the guest agent (code ${out.code}). Make sure the template generates an ed25519 host key.`,
      });
    }
    const hostKey = `${type} ${blob}`;
    await updateVm(ctx.deps.db, vmId, { hostKey });
    return { result: { hostKey }, detail: hostKey.slice(0, 40) + '…' };
  },
});
