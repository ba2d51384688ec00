import { permanent } from '../../harness/run-error';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/** What was written: where, and how many keys. */
type WriteKeysResult = { file: string; keys: number };

/** Where sshd reads the admin user's keys on the templates (cloud-init's default home). */
export function authorizedKeysFile(user: string): string {
  return `/home/${user}/.ssh/authorized_keys`;
}

/**
 * `write-keys`: replaces the admin user's ~/.ssh/authorized_keys with the run's keys through the
 * guest agent (PVE's agent/file-write), so a lost key needs no network path into the VM. Safe
 * to run twice: the whole file is written with the same content. A stopped VM has no agent:
 * the run fails with a reason people can act on (start it first).
 */
export const writeKeysStep = actionStep<WriteKeysResult>({
  key: 'write-keys',
  weight: 70,
  label: { id: 'tulis kunci SSH lewat agen tamu', en: 'write the SSH keys through the guest agent' },
  async run({ ctx, output }) {
    const { node, vmid } = output(locateStep);
    const { sshPublicKeys: keys, adminUser } = ctx.params;
    if (!node) throw new Error('write-keys needs a located VM');
    if (!keys || !adminUser)
      throw permanent('PARAMS_INVALID', { id: 'Run ini tidak membawa kunci SSH.', en: 'This run carries no SSH keys.' });
    const vm = ctx.pve.vm(node, vmid);
    if ((await vm.status()).status !== 'running')
      throw permanent('VM_NOT_RUNNING', {
        id: 'VM sedang mati: agen tamu hanya berjalan saat VM menyala. Nyalakan VM, lalu ganti kuncinya lagi.',
        en: 'The VM is stopped: the guest agent only runs while it is on. Start the VM, then replace the keys again.',
      });
    const file = authorizedKeysFile(adminUser);
    await vm.agent.fileWrite(file, `${keys.join('\n')}\n`);
    return { result: { file, keys: keys.length }, detail: `${keys.length} kunci/keys → ${file}` };
  },
});
