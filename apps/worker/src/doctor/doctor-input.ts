import type { WorkerConfig } from '@betang/config';
import { DEFAULT_BACKUP_POLICY, DEFAULT_RESTORE_TEST_POLICY, ZBackupPolicy, ZRestoreTestPolicy } from '@betang/core';
import { getSetting, listIpPools, listTemplates, type Db } from '@betang/db';
import type { BetangRole } from '@betang/proxmox';
import type { DoctorInput } from './doctor';

/**
 * What the doctor and the start-up self-check compare the cluster with: the role file (its
 * user and token taken from PVE_TOKEN_ID), PVE_POOL, the templates' pool, the storages of the
 * active catalog templates, the backup policy's storages, the bridges and VLANs of the address
 * pools, the test restores' isolated bridge, the VMID range. Read-only.
 */
export async function doctorInputFrom(
  db: Db,
  config: Pick<WorkerConfig, 'PVE_TOKEN_ID' | 'PVE_POOL' | 'PVE_VMID_MIN' | 'PVE_VMID_MAX'>,
  role: BetangRole,
  o: { templatesPool?: string; storages?: string[] } = {},
): Promise<DoctorInput> {
  const [templates, pools, backups, restoreTests] = await Promise.all([
    listTemplates(db, true),
    listIpPools(db),
    getSetting(db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY),
    getSetting(db, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY),
  ]);
  const [user, token] = (config.PVE_TOKEN_ID ?? `${role.user}!${role.token}`).split('!');
  const storages = o.storages?.length ? o.storages : [...new Set(templates.map((t) => t.storage).filter((s): s is string => !!s))];
  const networks = pools.map((p) => ({ bridge: p.bridge, vlanTag: p.vlanTag }));
  return {
    role: { ...role, user: user ?? role.user, token: token ?? role.token },
    targets: {
      pool: config.PVE_POOL ?? 'betang',
      templatesPool: o.templatesPool ?? 'templates',
      storages,
      backupStorages: [...new Set(Object.values(backups.classes).map((c) => c.storage))],
      // the test restores' bridge needs SDN.Use like the pools' bridges
      bridges: [...new Set([...networks.map((n) => n.bridge), ...(restoreTests.enabled ? [restoreTests.bridge] : [])])],
    },
    networks,
    templates: templates.map((t) => ({ vmid: t.pveTemplateVmid, name: t.name, node: t.pveNode, storage: t.storage })),
    vmidRange: { min: config.PVE_VMID_MIN, max: config.PVE_VMID_MAX },
    ...(restoreTests.enabled ? { isolatedBridge: restoreTests.bridge } : {}),
  };
}
