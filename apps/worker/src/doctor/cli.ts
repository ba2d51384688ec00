/**
 * `npm run doctor [-- --templates-pool templates --storage ceph,local-lvm --role-file path]`:
 * checks the Proxmox cluster named in the worker's configuration (betang.env) against what
 * Betang needs, read-only, and prints a bilingual report. Exit 0: no problem; 1: problems
 * found; 78: configuration invalid; 2: Proxmox is not configured.
 */
import { loadConfigOrExit, ZWorkerEnv } from '@betang/config';
import { createDatabase } from '@betang/db';
import { buildProvisioningDeps } from '../provisioning/build-provisioning-deps';
import { formatDoctorReport, runDoctor } from './doctor';
import { doctorInputFrom } from './doctor-input';
import { loadBetangRole } from './role-file';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const config = loadConfigOrExit(ZWorkerEnv);
  const { pve } = buildProvisioningDeps(config);
  if (!pve) {
    console.error('PVE_URL, PVE_TOKEN_ID dan PVE_TOKEN_SECRET belum diatur / PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET are not set');
    return 2;
  }
  const roleFile = flag('role-file');
  const role = roleFile ? loadBetangRole(roleFile) : loadBetangRole();
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolMax: 2, applicationName: 'betang-doctor' });
  try {
    const storages = flag('storage')?.split(',').filter(Boolean);
    const templatesPool = flag('templates-pool');
    const input = await doctorInputFrom(db, config, role, {
      ...(storages ? { storages } : {}),
      ...(templatesPool ? { templatesPool } : {}),
    });
    const report = await runDoctor(pve, input);
    console.log(formatDoctorReport(report));
    return report.problems === 0 ? 0 : 1;
  } finally {
    await db.destroy();
    await pve.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
