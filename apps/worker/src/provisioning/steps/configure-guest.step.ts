import { bilingualDetail } from '@betang/core';
import { configureGuest, GUEST_STEP_KEYS, waitForCloudInit, type GuestSpecInput } from '@betang/guest';
import { permanent } from '../../harness/run-error';
import { addressGateway } from '../guest-gateway';
import { provisionStep, type ProvisionCtx } from '../provision-context';
import { pinHostKeyStep } from './pin-host-key.step';
import { adminUserOf } from '../vm-spec';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

/** What the guest configuration found and changed. */
type ConfigureGuestResult = { cloudInit: string; changed: string[]; fingerprint: string };

/**
 * The guest configuration a request asks for: hostname, the institution's admin user and keys,
 * approved ports; and the data center's apt proxy/mirror and package-upgrade settings.
 */
function guestSpecOf(ctx: ProvisionCtx): GuestSpecInput {
  const { request } = ctx.data;
  const s = ctx.settings;
  return {
    hostname: request.hostname,
    adminUser: adminUserOf(ctx),
    sshPublicKeys: request.sshPublicKeys,
    allowedTcpPorts: request.ports,
    ...(s.GUEST_APT_PROXY ? { aptProxy: s.GUEST_APT_PROXY } : {}),
    ...(s.GUEST_APT_MIRROR ? { aptMirror: s.GUEST_APT_MIRROR } : {}),
    packageUpgrade: s.GUEST_PACKAGE_UPGRADE,
    packageUpgradeTimeoutSec: s.GUEST_PACKAGE_UPGRADE_SECONDS,
  };
}

/**
 * `configure-guest`: over SSH as the platform's ciuser, trusting only the pinned host key: waits
 * for cloud-init, then runs packages/guest's idempotent steps (hostname, admin user + keys + sudo,
 * sshd hardening, time zone, NTP, firewall with the approved ports, unattended upgrades). Safe to
 * repeat: every guest step checks before it changes.
 */
export const configureGuestStep = provisionStep<ConfigureGuestResult>({
  key: 'configure-guest',
  weight: 15,
  label: { id: 'konfigurasi guest lewat SSH', en: 'configure the guest over SSH' },
  async run({ ctx, output, progress, log }) {
    const { vmid, node } = output(cloneStep);
    const { lease } = output(reserveStep);
    const { hostKey } = output(pinHostKeyStep);
    const key = ctx.deps.provisioningKey;
    if (!key)
      throw permanent('PROVISIONING_KEY_MISSING', {
        id: 'Kunci SSH provisioning belum dikonfigurasi.',
        en: 'The provisioning SSH key is not configured.',
      });
    const gateway = ctx.deps.guest ?? addressGateway();
    const target = await gateway.endpoint({ vmid, node, address: lease.address });
    const conn = await gateway.connect({
      host: target.host,
      port: target.port,
      username: ctx.settings.PROVISION_CIUSER,
      privateKey: key.privateKey,
      pinnedHostKey: hostKey,
      readyTimeoutMs: ctx.settings.GUEST_SSH_READY_SECONDS * 1000,
    });
    try {
      const cloudInit = await waitForCloudInit(conn);
      // The bar moves per guest step being applied; the package upgrade can take minutes.
      const reports = await configureGuest(conn, guestSpecOf(ctx), {
        onStep: (e) => {
          if (e.phase !== 'applying') return;
          log.info({ vmid, guestStep: e.key, differences: e.differences }, 'langkah guest diterapkan / applying guest step');
          void progress?.(GUEST_STEP_KEYS.indexOf(e.key) / GUEST_STEP_KEYS.length)?.catch(() => undefined);
        },
      });
      const changed = reports.filter((r) => r.changed).map((r) => r.key);
      return {
        result: { cloudInit: cloudInit.present ? cloudInit.status : 'absent', changed, fingerprint: conn.hostKeyFingerprint },
        detail: changed.length
          ? bilingualDetail({ id: `diubah: ${changed.join(', ')}`, en: `changed: ${changed.join(', ')}` })
          : bilingualDetail({ id: 'tidak ada perubahan', en: 'nothing to change' }),
      };
    } finally {
      conn.dispose();
    }
  },
});
