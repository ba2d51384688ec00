/**
 * `npm run screenshots`: boots the same stack as the browser tests (real API serving a fresh
 * `vite build`, a scratch PostgreSQL database) with the launcher's demo data plus a little usage,
 * and saves the main screens to docs/screenshots/*.png (desktop 1366×768, and phone views).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import globalSetup from '../../packages/testkit/src/jest-global-setup';
import globalTeardown from '../../packages/testkit/src/jest-global-teardown';
import { DEMO_PASSWORD, seedDemoData } from '../../apps/launcher/src/seed-demo';
import { makeAgreementInForce } from '@betang/testkit';
import { replaceClusterSnapshot } from '@betang/db';
import type { RequestStatus } from '@betang/core';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT } from './support/browser';
import { addPortalDemo, shootPortal } from './support/portal-screens';
import { startWebStack, type WebStack } from './support/web-stack';

const OUT = path.resolve(__dirname, '../../docs/screenshots');
const T = TEXT.id;

/** Some requests holding quota, so the bars show real usage (skipped if the schema moved on). */
async function addDemoUsage(stack: WebStack): Promise<void> {
  try {
    const adpim = await stack.db.selectFrom('institutions').select('id').where('code', '=', 'BIRO-ADPIM').executeTakeFirstOrThrow();
    const staff = await stack.db.selectFrom('users').select('id').where('email', '=', 'staf.adpim@betang.demo').executeTakeFirstOrThrow();
    const app = await stack.db
      .insertInto('applications')
      .values({
        institutionId: adpim.id,
        name: 'SIPD Biro Adpim',
        kind: 'khusus',
        dataClassification: 'rendah',
        picName: 'Budi Staf Adpim',
        picNip: '198703152010011002',
        picEmail: 'staf.adpim@betang.demo',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const request = (hostname: string, status: RequestStatus, cores: number, memoryMiB: number, diskGiB: number) => ({
      institutionId: adpim.id,
      applicationId: app.id,
      requestedBy: staff.id,
      hostname,
      templateId: 'debian-12',
      cores,
      memoryMiB,
      diskGiB,
      status,
      purpose: 'Layanan aplikasi SIPD',
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBetangDemoKeyOnlyForScreenshots budi@adpim'],
      contact: { name: 'Budi Staf Adpim', nip: '198703152010011002', phone: '0812-5000-1234', email: 'staf.adpim@betang.demo' },
    });
    await stack.db
      .insertInto('vpsRequests')
      .values([
        request('sipd-web-01', 'active', 4, 8192, 80),
        request('sipd-db-01', 'active', 4, 8192, 160),
        request('ppid-web-01', 'submitted', 2, 4096, 40),
      ])
      .execute();
  } catch (error) {
    console.warn(`demo usage skipped (${(error as Error).message}); quota bars will show zero usage`);
  }
}

/** Operator console data: requests waiting (one overdue), runs at two steps, a failed run, a cluster snapshot, findings. */
async function addOperatorDemo(stack: WebStack): Promise<void> {
  try {
    const { db } = stack;
    const hours = (n: number) => new Date(Date.now() - n * 3_600_000);
    const dinkes = await db.selectFrom('institutions').select('id').where('code', '=', 'DINKES').executeTakeFirstOrThrow();
    const staff = await db.selectFrom('users').select('id').where('email', '=', 'staf.dinkes@betang.demo').executeTakeFirstOrThrow();
    await makeAgreementInForce(db, dinkes.id, { cores: 16, memoryMiB: 32_768, diskGiB: 500, vmCount: 8, ipCount: 8 });
    const app = await db
      .insertInto('applications')
      .values({
        institutionId: dinkes.id,
        name: 'SIMPUS Dinkes',
        kind: 'khusus',
        dataClassification: 'tinggi',
        picName: 'Sari Staf Dinkes',
        picNip: '199001012015032001',
        picEmail: 'staf.dinkes@betang.demo',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const request = (hostname: string, status: RequestStatus, cores: number, memoryMiB: number, diskGiB: number, createdAt: Date) => ({
      institutionId: dinkes.id,
      applicationId: app.id,
      requestedBy: staff.id,
      hostname,
      templateId: 'ubuntu-24.04',
      cores,
      memoryMiB,
      diskGiB,
      status,
      createdAt,
      purpose: 'Sistem informasi puskesmas untuk 14 kabupaten/kota',
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBetangDemoKeyOnlyForScreenshots sari@dinkes'],
      publicAccess: true,
      ports: [443],
      contact: { name: 'Sari Staf Dinkes', nip: '199001012015032001', phone: '0813-4800-2233', email: 'staf.dinkes@betang.demo' },
    });
    await db
      .insertInto('vpsRequests')
      .values([
        request('simpus-db-01', 'submitted', 8, 16_384, 200, hours(30)),
        request('simpus-web-01', 'submitted', 2, 4096, 40, hours(3)),
      ])
      .execute();
    const runs = await db
      .insertInto('vpsRequests')
      .values([
        request('simpus-api-01', 'provisioning', 2, 4096, 40, hours(2)),
        request('simpus-rep-01', 'provisioning', 2, 4096, 40, hours(3)),
        request('simpus-bak-01', 'failed', 1, 2048, 20, hours(4)),
      ])
      .returning(['id', 'hostname'])
      .execute();
    const [api, rep, bak] = runs;
    await db
      .insertInto('provisioningRuns')
      .values([
        {
          requestId: api!.id,
          kind: 'provision',
          status: 'running',
          currentStep: 'clone',
          progress: 30,
          startedAt: new Date(Date.now() - 12 * 60_000),
        },
        { requestId: rep!.id, kind: 'provision', status: 'running', currentStep: 'await-agent', progress: 70, startedAt: hours(1.4) },
        {
          requestId: bak!.id,
          kind: 'provision',
          status: 'failed',
          currentStep: 'clone',
          progress: 20,
          startedAt: hours(1),
          finishedAt: hours(0.8),
          errorCode: 'STORAGE_FULL',
          errorRetryable: false,
          errorMessage:
            'Penyimpanan local-lvm di node pve2 penuh. Kosongkan ruang atau pindahkan templat, lalu ulangi.\n\nStorage local-lvm on node pve2 is full. Free space or move the template, then retry.',
        },
      ])
      .execute();
    const GIB = 1024 ** 3;
    const node = (name: string, online: boolean, cpu: number, mem: number, used: number) => ({
      node: name,
      online,
      statsVisible: online,
      cpuUsage: online ? cpu : null,
      cpuCount: online ? 32 : null,
      memTotalBytes: online ? 256 * GIB : null,
      memUsedBytes: online ? mem * GIB : null,
      storages: online
        ? [
            { storage: 'local-lvm', shared: false, available: true, totalBytes: 1800 * GIB, usedBytes: used * GIB },
            { storage: 'ceph-vm', shared: true, available: true, totalBytes: 12_000 * GIB, usedBytes: 4300 * GIB },
          ]
        : [],
      observedAt: new Date(),
    });
    await db
      .transaction()
      .execute((tx) =>
        replaceClusterSnapshot(tx, [node('pve1', true, 0.42, 148, 910), node('pve2', true, 0.18, 96, 1790), node('pve3', false, 0, 0, 0)]),
      );
    await db
      .insertInto('reconcileFindings')
      .values([
        {
          kind: 'orphan_vm',
          fingerprint: 'demo-orphan-10412',
          node: 'pve2',
          vmid: 10412,
          messageId: 'VM 10412 di pve2 berada di rentang Betang tetapi tidak tercatat pada permintaan mana pun.',
          messageEn: "VM 10412 on pve2 is in Betang's range but belongs to no request.",
        },
        {
          kind: 'config_drift',
          fingerprint: 'demo-drift-10388',
          node: 'pve1',
          vmid: 10388,
          messageId: 'VM 10388 memakai 4 vCPU, padahal yang disetujui 2 vCPU.',
          messageEn: 'VM 10388 uses 4 vCPU while 2 vCPU were approved.',
        },
      ])
      .execute();
  } catch (error) {
    console.warn(`operator demo data skipped (${(error as Error).message}); console screenshots will show empty states`);
  }
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate('document.activeElement?.blur()');
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  console.log(`saved docs/screenshots/${name}.png`);
}

async function open(page: Page, stack: WebStack, route: string, heading: string): Promise<void> {
  await page.goto(`${stack.baseUrl}${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await globalSetup();
  const stack = await startWebStack();
  const browser = await launchBrowser();
  try {
    await seedDemoData(stack.db);
    await addDemoUsage(stack);
    await addOperatorDemo(stack);
    await addPortalDemo(stack, DEMO_PASSWORD);
    const page = await browser.context.newPage();

    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('heading', { name: T['signIn.title'] }).waitFor();
    await shot(page, '01-sign-in');

    await signIn(page, stack.baseUrl, 'kepala.adpim@betang.demo', DEMO_PASSWORD);
    await open(page, stack, '/', T['dashboard.portalTitle']!);
    await shot(page, '02-institution-dashboard');
    await open(page, stack, '/users', T['users.title']!);
    await shot(page, '03-institution-users', true);
    await open(page, stack, '/account/tokens', T['tokens.title']!);
    await page.getByLabel(T['tokens.name']!, { exact: true }).fill('skrip pemantauan');
    await page.getByRole('button', { name: T['tokens.create'] }).click();
    await page.getByTestId('token-secret').waitFor();
    await shot(page, '04-api-tokens', true);
    await open(page, stack, '/account/security', T['security.title']!);
    await page.getByRole('button', { name: T['security.start'] }).click();
    await page.getByTestId('totp-secret').waitFor();
    await shot(page, '05-totp-enrolment');
    await open(page, stack, '/audit', T['audit.title']!);
    await shot(page, '06-audit-log');

    await page.setViewportSize(PHONE);
    await open(page, stack, '/', T['dashboard.portalTitle']!);
    await shot(page, '11-phone-dashboard', true);
    await open(page, stack, '/users', T['users.title']!);
    await shot(page, '12-phone-users');
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: T['shell.signOut'] }).click();

    await signIn(page, stack.baseUrl, 'admin@betang.demo', DEMO_PASSWORD);
    await open(page, stack, '/', T['dashboard.consoleTitle']!);
    await shot(page, '07-operator-dashboard');
    await page.getByRole('link', { name: /Biro Administrasi Pimpinan/ }).click();
    await page.getByText(T['quota.title']!).waitFor();
    await shot(page, '08-institution-detail', true);
    await open(page, stack, '/audit', T['audit.title']!);
    await shot(page, '09-operator-audit-log');
    await page.getByLabel(T['shell.language']!).selectOption('en');
    await open(page, stack, '/', TEXT.en['dashboard.consoleTitle']!);
    await shot(page, '10-operator-dashboard-en');
    await page.getByLabel(TEXT.en['shell.language']!).selectOption('id');
    await open(page, stack, '/no-such-page', T['notFound.title']!);
    await shot(page, '13-not-found');
    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await shootPortal(page, stack, DEMO_PASSWORD, shot, open);
    await signIn(page, stack.baseUrl, 'admin@betang.demo', DEMO_PASSWORD);

    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await signIn(page, stack.baseUrl, 'operator@betang.demo', DEMO_PASSWORD);
    await open(page, stack, '/operator/queue', T['opQueue.title']!);
    await page.getByRole('button', { name: T['opQueue.review']!.replace('{hostname}', 'simpus-db-01') }).click();
    await page.getByRole('complementary').getByText('SIMPUS Dinkes', { exact: true }).waitFor();
    await shot(page, '30-operator-queue');
    await open(page, stack, '/operator/provisioning', T['opBoard.title']!);
    await shot(page, '31-provisioning-board', true);
    await open(page, stack, '/operator/cluster', T['opCluster.title']!);
    await shot(page, '32-cluster', true);
    await open(page, stack, '/operator/reconciliation', T['opRecon.title']!);
    await shot(page, '33-reconciliation');
    await open(page, stack, '/institutions', T['opInst.title']!);
    await shot(page, '34-institutions');
    await open(page, stack, '/operator/ip-pools', T['opPools.title']!);
    await shot(page, '35-ip-pools', true);
    await open(page, stack, '/operator/catalog', T['opCatalog.title']!);
    await shot(page, '36-catalog', true);
    await open(page, stack, '/operator/settings', T['opSettings.title']!);
    await shot(page, '37-settings', true);
    await open(page, stack, '/operator/agreements', T['opAgreements.title']!);
    await shot(page, '38-operator-agreements', true);
    await open(page, stack, '/operator/vms', T['find.vmsTitle']!);
    await shot(page, '40-operator-vms', true);
    await open(page, stack, '/operator/pic', T['pic.reportTitle']!);
    await shot(page, '41-pic-report', true);
    await open(page, stack, '/operator/restore-tests', T['testRestores.title']!);
    await shot(page, '42-restore-tests', true);
    await page.setViewportSize(PHONE);
    await open(page, stack, '/operator/queue', T['opQueue.title']!);
    await shot(page, '39-phone-operator-queue', true);
    await page.setViewportSize(DESKTOP);
  } finally {
    await browser.close();
    await stack.close();
    await globalTeardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
