import { consolePasswordSlot, SecretError, type RunSecretBox } from '@betang/config';
import type { Executor } from '@betang/db';
import { sql } from 'kysely';
import { permanent } from '../../harness/run-error';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/**
 * Removes the sealed console password from a run's params. Safe to repeat: removing a key that is
 * gone changes nothing.
 */
export async function wipeConsolePassword(db: Executor, runId: string): Promise<void> {
  await db
    .updateTable('provisioningRuns')
    .set({ params: sql`params - 'consolePassword'` })
    .where('id', '=', runId)
    .execute();
}

/** Opens the sealed password; an unreadable one is a permanent, explained failure. */
function openPassword(box: RunSecretBox | undefined, vmId: string, sealed: string | undefined): string {
  if (!box)
    throw permanent('PARAMS_INVALID', {
      id: 'Worker tidak dikonfigurasi dengan SIGNING_MASTER_SECRET, sehingga sandi konsol tidak dapat dibuka.',
      en: 'The worker has no SIGNING_MASTER_SECRET, so the console password cannot be opened.',
    });
  if (!sealed)
    throw permanent('PARAMS_INVALID', {
      id: 'Run ini tidak lagi membawa sandi konsol. Atur sandinya lagi.',
      en: 'This run no longer carries a console password. Set it again.',
    });
  try {
    return box.open(consolePasswordSlot(vmId), sealed);
  } catch (e) {
    if (!(e instanceof SecretError)) throw e;
    throw permanent('PARAMS_INVALID', {
      id: 'Sandi konsol dalam run ini tidak dapat dibuka (kunci berbeda dari API).',
      en: 'The console password in this run cannot be opened (a key other than the API’s).',
    });
  }
}

/**
 * `set-console-password`: sets the admin user's password inside the guest through the guest
 * agent (PVE's agent/set-user-password → chpasswd), so a person can log in on the serial console
 * when SSH is lost. Safe to run twice: the same password is set again. The sealed password is
 * wiped from the run's params as soon as it is set (and by the definition when the run fails).
 */
export const setConsolePasswordStep = actionStep<{ user: string }>({
  key: 'set-console-password',
  weight: 70,
  label: { id: 'atur sandi konsol lewat agen tamu', en: 'set the console password through the guest agent' },
  async run({ ctx, run, output }) {
    const { node, vmid } = output(locateStep);
    const { adminUser, consolePassword } = ctx.params;
    if (!node) throw new Error('set-console-password needs a located VM');
    if (!adminUser)
      throw permanent('PARAMS_INVALID', { id: 'Run ini tidak menyebut pengguna admin.', en: 'This run names no admin user.' });
    const password = openPassword(ctx.deps.runSecrets, ctx.vm.id, consolePassword);
    const vm = ctx.pve.vm(node, vmid);
    if ((await vm.status()).status !== 'running')
      throw permanent('VM_NOT_RUNNING', {
        id: 'VM sedang mati: agen tamu hanya berjalan saat VM menyala. Nyalakan VM, lalu atur sandinya lagi.',
        en: 'The VM is stopped: the guest agent only runs while it is on. Start the VM, then set the password again.',
      });
    await vm.agent.setUserPassword(adminUser, password);
    await wipeConsolePassword(ctx.deps.db, run.id);
    return { result: { user: adminUser }, detail: `sandi konsol/console password → ${adminUser}` };
  },
});
