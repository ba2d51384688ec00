/*
 * `npm start`: Betang in one process tree. With no DATABASE_URL it runs an embedded PostgreSQL
 * (PGlite) under .betang/; with no REDIS_URL the queue runs on PostgreSQL; with no PVE_* it
 * runs the simulated Proxmox cluster (BETANG_SIM_GUESTS=qemu: its VMs are real Debian guests under
 * qemu). Then it migrates, seeds demo data, starts api + worker,
 * and prints the URL and the demo logins. Setting the variables switches each part to the real one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDatabase, enqueueJob, migrateToLatest } from '@betang/db';
import { bootDiskBytes, emulateDebianGuests, guestSpecFromVmConfig } from '@betang/guest/emulation';
import { decodeSshKeys } from '@betang/proxmox';
import { startSimulator } from '@betang/pve-simulator';
import { utils as sshUtils } from 'ssh2';
import { createDemoAgreements } from './demo-agreements';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoData } from './seed-demo';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';
import { preparePrivateHome, PRIVATE_UMASK } from './private-home';
import { assertPortFree, startService, waitForHttp, type Service } from './services';
import { ensureWebBuild } from './web-build';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * A secret kept in a file under .betang/ (created on first start with 256 random bits, mode 600),
 * so the embedded stack's signing keys stay readable across restarts. Production sets the variable.
 */
function localSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The platform's provisioning SSH key pair for the demo, kept under .betang/ (ed25519, OpenSSH
 * format, private file mode 600; the public key beside it as `<file>.pub`, as the worker expects).
 */
function localKeyPair(file: string): { file: string; publicKey: string } {
  if (!existsSync(file) || !existsSync(`${file}.pub`)) {
    mkdirSync(path.dirname(file), { recursive: true });
    // ssh2 cannot parse about 1 in 250 of the ed25519 keys it generates (docs/chaos.md): draw again.
    let pair = sshUtils.generateKeyPairSync('ed25519', { comment: 'betang-provisioning' });
    while (sshUtils.parseKey(pair.private) instanceof Error)
      pair = sshUtils.generateKeyPairSync('ed25519', { comment: 'betang-provisioning' });
    writeFileSync(file, pair.private, { mode: 0o600 });
    writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o600 });
  }
  return { file, publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

function step(text: string): void {
  console.log(`• ${text}`);
}

async function main(): Promise<void> {
  // Files this process and its children (api, worker) create are this user's only; the home's
  // existing files are tightened below, and PGlite's (written 0666 regardless) by the database.
  process.umask(PRIVATE_UMASK);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_PRETTY: process.env.LOG_PRETTY ?? 'true',
  };
  const stoppers: (() => Promise<void>)[] = [];
  // Everything the embedded stack keeps between starts: database, e-mails, demo keys and secrets.
  const home = env.BETANG_HOME ?? path.join(ROOT, '.betang');
  let embedded: EmbeddedDatabase | undefined;
  preparePrivateHome(home);

  if (!env.DATABASE_URL) {
    const dataDir = path.join(home, 'pgdata');
    step(`Basis data tertanam (PGlite) di ${path.relative(ROOT, dataDir)} / embedded database…`);
    // On a Unix socket inside the private home: pglite-socket has no passwords, so TCP would let any local user in.
    embedded = await startEmbeddedDatabase(dataDir, path.join(home, 'run'));
    env.DATABASE_URL = embedded.url;
    env.DATABASE_POOL_MAX = env.DATABASE_POOL_MAX ?? '4';
    env.QUEUE_PG_POLLING = 'true';
    stoppers.push(() => embedded!.close());
  } else step('Memakai DATABASE_URL / using DATABASE_URL');
  step(env.REDIS_URL ? 'Antrean di Redis / queue on Redis (REDIS_URL)' : 'Antrean di PostgreSQL (BullMQ PG backend) / queue on PostgreSQL');

  if (!env.PVE_URL) {
    const guests = env.BETANG_SIM_GUESTS ?? 'emulated';
    if (guests !== 'emulated' && guests !== 'qemu')
      throw new Error(`BETANG_SIM_GUESTS harus 'emulated' atau 'qemu' / must be 'emulated' or 'qemu' (got '${guests}')`);
    if (guests === 'qemu')
      step(
        'Guest nyata di qemu: ±0,6 GB memori (maks. 1 GB) per VPS; tanpa KVM 1–4 menit sampai SSH / real qemu guests: about 0.6 GB of memory (at most 1 GB) per VPS; without KVM 1–4 minutes to SSH',
      );
    // The simulated cluster is kept under BETANG_HOME like the database, so VMs (and real guests' disks) outlive a restart.
    const simulator = await startSimulator({
      port: Number(env.BETANG_SIM_PORT ?? 0),
      timeFactor: Number(env.BETANG_SIM_TIME_FACTOR ?? 0.2),
      stateFile: path.join(home, 'simulator-cluster.json'),
      // A few hand-made VMs the office "already runs", for the census screen (docs/adoption.md);
      // a restored cluster keeps what it had instead.
      estate: { count: Number(env.BETANG_SIM_ESTATE ?? 8) },
      guests,
      qemu: { runDir: path.join(home, 'sim-guests') },
    });
    if (simulator.restored.vms > 0) step(`Klaster tersimulasi dipulihkan / simulated cluster restored: ${simulator.restored.vms} VM`);
    if (simulator.restored.skipped.length > 0)
      step(`VM pada node yang tidak dikenal dilewati / VMs on unknown nodes skipped: ${simulator.restored.skipped.join(', ')}`);
    const provisioningKey = localKeyPair(path.join(home, 'provision_ed25519'));
    // Emulated guests answer Betang's configuration commands like a fresh Debian would (real ones are Debian).
    if (guests === 'emulated')
      simulator.faults.setGuestCommandHandler(
        emulateDebianGuests((vmid) => {
          const config = (simulator.state.vm(vmid)?.config ?? {}) as Record<string, string | undefined>;
          const spec = guestSpecFromVmConfig(
            { name: config.name, tags: config.tags, searchdomain: config.searchdomain, sshKeys: decodeSshKeys(config.sshkeys) },
            provisioningKey.publicKey,
          );
          // The emulation cannot read the file the worker sends, so it is told the proxy the worker writes.
          const withDisk = spec && { ...spec, diskBytes: () => bootDiskBytes(simulator.state.vm(vmid)?.config ?? {}) ?? 0 };
          return withDisk && env.GUEST_APT_PROXY ? { ...withDisk, aptProxy: env.GUEST_APT_PROXY } : withDisk;
        }),
      );
    const caFile = path.join(home, 'simulator-ca.pem');
    writeFileSync(caFile, simulator.caPem, { mode: 0o600 });
    Object.assign(env, {
      PVE_URL: simulator.url,
      PVE_TOKEN_ID: simulator.tokenId,
      PVE_TOKEN_SECRET: simulator.tokenSecret,
      PVE_CA_FILE: caFile,
      GUEST_SSH_TARGET: 'simulator',
      // The simulator's customers' pool, as production's PVE_POOL (the demo's root token does not need it)
      PVE_POOL: env.PVE_POOL ?? 'customers',
      PROVISION_SSH_KEY_FILE: provisioningKey.file,
    });
    // A real guest under software emulation takes minutes to boot on a busy machine.
    if (guests === 'qemu') {
      env.GUEST_AGENT_WAIT_SECONDS = env.GUEST_AGENT_WAIT_SECONDS ?? '600';
      env.GUEST_SSH_READY_SECONDS = env.GUEST_SSH_READY_SECONDS ?? '120';
      // The guests' isolated network reaches no Debian mirror: the upgrade step could only fail.
      env.GUEST_PACKAGE_UPGRADE = env.GUEST_PACKAGE_UPGRADE ?? 'false';
    }
    stoppers.push(() => simulator.close());
    step(`Klaster Proxmox tersimulasi / simulated Proxmox cluster: ${simulator.url}`);
  } else step(`Memakai Proxmox / using Proxmox at ${env.PVE_URL}`);

  env.SIGNING_MASTER_SECRET = env.SIGNING_MASTER_SECRET ?? localSecret(path.join(home, 'signing-master-secret'));
  // The demo offers internet access from documentation addresses (RFC 5737, routed nowhere); the
  // NAT rules an office's edge would load are written beside the other demo files.
  if (env.PUBLIC_NAT_ADDRESSES === undefined) {
    env.PUBLIC_NAT_ADDRESSES = '203.0.113.10-203.0.113.60';
    env.PUBLIC_NAT_EDGE_DIR = env.PUBLIC_NAT_EDGE_DIR ?? path.join(home, 'edge');
    step(
      `Akses internet demo / demo internet access: 1:1 NAT, aturan di ${path.relative(ROOT, env.PUBLIC_NAT_EDGE_DIR)} / rules written there`,
    );
  }
  // The demo's accounts have no TOTP: require it only when asked (production's default is the signing and operating roles).
  env.TOTP_REQUIRED_ROLES = env.TOTP_REQUIRED_ROLES ?? '';

  if (!env.SMTP_URL) {
    env.MAIL_DIR = env.MAIL_DIR ?? path.join(home, 'mail');
    step(`Tanpa SMTP: e-mail disimpan di ${path.relative(ROOT, env.MAIL_DIR)} / no SMTP: e-mails are saved as .eml files there`);
  }

  step('Migrasi basis data / migrating…');
  const db = createDatabase({ connectionString: env.DATABASE_URL, poolMax: 2, applicationName: 'betang-launcher' });
  await migrateToLatest(db);
  const seeded = await seedDemoData(db);
  step(seeded ? 'Data demo dibuat / demo data seeded' : 'Data sudah ada, tidak di-seed ulang / existing data kept');
  // A census at once, so the adoption screen lists the cluster's hand-made VMs without waiting
  // for the 10-minute schedule (the worker takes it from the outbox when it starts).
  if (!env.PVE_URL)
    await db.transaction().execute((tx) => enqueueJob(tx, 'estate.census', {}, { dedupKey: `estate-census:launch:${Date.now()}` }));
  await db.destroy();

  env.WEB_DIST_DIR = env.WEB_DIST_DIR ?? ensureWebBuild(ROOT, step);

  env.PORT = env.PORT ?? '3000';
  env.HOST = env.HOST ?? '127.0.0.1';
  env.PUBLIC_URL = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
  await assertPortFree(env.HOST, Number(env.PORT));
  const services: Service[] = [startService('api', env), startService('worker', env)];
  const stopAll = async (code: number) => {
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => s.exited));
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const s of services) {
    void s.exited.then((code) => {
      console.error(`Layanan ${s.name} berhenti (kode ${code}); menghentikan semuanya / service ${s.name} exited; stopping everything`);
      void stopAll(code ?? 1);
    });
  }

  // /readyz and /metrics are on the API's operations listener (API_OPS_PORT), which may be off or
  // taken by another stack on this machine; the public /healthz answers once the API serves.
  await waitForHttp(`http://${env.HOST}:${env.PORT}/healthz`, 60_000, 'API');
  if (seeded) {
    step('Perjanjian demo ditandatangani lewat API / demo agreements signed through the API…');
    await createDemoAgreements(`http://${env.HOST}:${env.PORT}`, seeded);
  }
  console.log(`\nBetang berjalan / is running: ${env.PUBLIC_URL}`);
  console.log(`API: ${env.PUBLIC_URL}/api/v1  ·  OpenAPI: ${env.PUBLIC_URL}/api/v1/openapi.json`);
  if (embedded) {
    console.log(`\nAkun demo / demo logins (kata sandi / password: ${DEMO_PASSWORD}):`);
    for (const a of DEMO_ACCOUNTS) console.log(`  ${a.roles.join(',').padEnd(18)} ${a.email}`);
  }
  console.log('\nTekan Ctrl+C untuk berhenti / press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
  console.error(`Gagal memulai Betang / failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
