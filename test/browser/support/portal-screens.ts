/**
 * The institution portal's part of `npm run screenshots` (docs/screenshots/2x-*.png): demo data on
 * top of the launcher's (an agreement awaiting the head's signature, a request provisioned to
 * active with its timeline, a VM), then the portal's screens on desktop and phone.
 */
import { Role } from '@betang/core';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, signIn, TEXT } from './browser';
import { apiSession } from './portal-fixtures';
import type { WebStack } from './web-stack';

const T = TEXT.id;
const STEPS = [
  'reserve',
  'place',
  'clone',
  'configure',
  'resize',
  'start',
  'await-agent',
  'await-cloud-init',
  'pin-host-key',
  'configure-guest',
  'verify',
  'hand-over',
];

type Shot = (page: Page, name: string, fullPage?: boolean) => Promise<void>;
type Open = (page: Page, stack: WebStack, route: string, heading: string) => Promise<void>;

/** sipd-web-01 (from the launcher's demo usage) provisioned: run with every step done, VM running, address held. */
async function provisionDemoRequest(stack: WebStack): Promise<void> {
  const { db } = stack;
  const request = await db
    .selectFrom('vpsRequests')
    .select(['id', 'institutionId', 'createdAt'])
    .where('hostname', '=', 'sipd-web-01')
    .executeTakeFirstOrThrow();
  const at = (minutes: number) => new Date(request.createdAt.getTime() + minutes * 60_000);
  const operator = await db.selectFrom('users').select('id').where('email', '=', 'operator@betang.demo').executeTakeFirstOrThrow();
  await db
    .insertInto('approvals')
    .values({
      requestId: request.id,
      level: 1,
      decision: 'approved',
      decidedBy: operator.id,
      role: Role.Operator,
      comment: 'Sesuai perjanjian dan kuota.',
      decidedAt: at(95),
    })
    .execute();
  const vm = await db
    .insertInto('vms')
    .values({
      requestId: request.id,
      institutionId: request.institutionId,
      vmid: 10_231,
      node: 'pve2',
      name: 'sipd-web-01',
      cores: 4,
      memoryMiB: 8192,
      diskGiB: 80,
      state: 'running',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pool = await db
    .insertInto('ipPools')
    .values({
      name: 'demo-portal',
      cidr: '10.20.30.0/24',
      gateway: '10.20.30.1',
      vlanTag: 30,
      bridge: 'vmbr0',
      rangeStart: '10.20.30.10',
      rangeEnd: '10.20.30.200',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('ipAllocations').values({ poolId: pool.id, address: '10.20.30.15', requestId: request.id, vmId: vm.id }).execute();
  const run = await db
    .insertInto('provisioningRuns')
    .values({
      requestId: request.id,
      vmId: vm.id,
      kind: 'provision',
      status: 'succeeded',
      attempt: 1,
      progress: 100,
      currentStep: null,
      startedAt: at(96),
      finishedAt: at(104),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('runSteps')
    .values(
      STEPS.map((key, i) => ({
        runId: run.id,
        key,
        position: i + 1,
        status: key === 'resize' ? 'skipped' : 'done',
        attempt: 1,
        startedAt: at(96 + i * 0.7),
        finishedAt: at(96.6 + i * 0.7),
      })),
    )
    .execute();
}

/** Demo data of the portal's screens; a failure only leaves those screens emptier. */
export async function addPortalDemo(stack: WebStack, password: string): Promise<void> {
  try {
    const { db } = stack;
    await db.updateTable('users').set({ nip: '197503122000032004' }).where('email', '=', 'kepala.adpim@betang.demo').execute();
    await db.updateTable('users').set({ nip: '197108151998031005' }).where('email', '=', 'kadis@betang.demo').execute();
    await db
      .updateTable('users')
      .set({ nip: '198703152010011002', phone: '0812-5000-1234' })
      .where('email', '=', 'staf.adpim@betang.demo')
      .execute();
    await provisionDemoRequest(stack);
    const adpim = await db.selectFrom('institutions').select('id').where('code', '=', 'BIRO-ADPIM').executeTakeFirstOrThrow();
    const app = await db.selectFrom('applications').select('id').where('institutionId', '=', adpim.id).executeTakeFirstOrThrow();
    const operator = await apiSession(stack.baseUrl, 'operator@betang.demo', password);
    const created = await operator.post('/agreements', {
      institutionId: adpim.id,
      ceiling: { cores: 32, memoryMiB: 65536, diskGiB: 1000, vmCount: 8, ipCount: 8 },
      applicationIds: [app.id],
    });
    await operator.close();
    if (created.status !== 201) throw new Error(`agreement ${created.status}`);
  } catch (error) {
    console.warn(`portal demo data skipped (${(error as Error).message}); portal screenshots will show empty states`);
  }
}

async function signBothAndDownload(stack: WebStack, password: string): Promise<Buffer> {
  const agreement = await stack.db
    .selectFrom('agreements')
    .select('id')
    .where('status', '=', 'awaiting_institution_head')
    .executeTakeFirstOrThrow();
  for (const email of ['kepala.adpim@betang.demo', 'kadis@betang.demo']) {
    const session = await apiSession(stack.baseUrl, email, password);
    const detail = (await (await session.api.get(`/api/v1/agreements/${agreement.id}`)).json()) as { currentSha256: string };
    await session.post(`/agreements/${agreement.id}/signatures`, { password, consent: true, expectedSha256: detail.currentSha256 });
    await session.close();
  }
  const operator = await apiSession(stack.baseUrl, 'operator@betang.demo', password);
  const pdf = await (await operator.api.get(`/api/v1/agreements/${agreement.id}/document`)).body();
  await operator.close();
  return pdf;
}

/** The portal's screens: staff (dashboard, inventory, form with the guidance of what blocks it, request, VMs), head (signing), public verification. */
export async function shootPortal(page: Page, stack: WebStack, password: string, shot: Shot, open: Open): Promise<void> {
  await signIn(page, stack.baseUrl, 'staf.adpim@betang.demo', password);
  await open(page, stack, '/', T['dashboard.portalTitle']!);
  await shot(page, '20-portal-dashboard', true);
  await open(page, stack, '/applications', T['apps.title']!);
  await shot(page, '21-applications');
  await open(page, stack, '/vps-requests/new', T['requests.newTitle']!);
  const form = page.getByRole('form', { name: T['requests.formTitle'] });
  await form.getByLabel(T['requests.application']!).selectOption({ label: 'SIPD Biro Adpim' });
  await form.getByLabel(T['requests.hostname']!).fill('sipd-api-01');
  await form.getByLabel(T['requests.purpose']!).fill('Layanan API SIPD untuk aplikasi seluler');
  await form
    .getByRole('textbox', { name: T['requests.sshKey']!.replace('{n}', '1'), exact: true })
    .fill('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 kunci-lama');
  await form.getByLabel(T['requests.ports']!).fill('443');
  await shot(page, '22-request-form-validation', true);
  await form
    .getByRole('textbox', { name: T['requests.sshKey']!.replace('{n}', '1'), exact: true })
    .fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl budi@laptop');
  // Submission stays off while no agreement is in force; the guidance above the form says why and what to do.
  await page.getByTestId('guidance').waitFor();
  await page.getByTestId('guidance').scrollIntoViewIfNeeded();
  await shot(page, '23-request-refused-no-agreement');
  await open(page, stack, '/vps-requests', T['requests.title']!);
  await page.getByRole('link', { name: 'sipd-web-01' }).click();
  await page.getByTestId('connect').waitFor();
  await shot(page, '24-request-active-timeline', true);
  await open(page, stack, '/vms', T['vms.title']!);
  await page
    .getByRole('button', { name: T['vms.actionLabel']!.replace('{action}', T['vms.action.reboot']!).replace('{name}', 'sipd-web-01') })
    .click();
  await shot(page, '25-vms-confirm-reboot');
  await page.setViewportSize(PHONE);
  await open(page, stack, '/vps-requests/new', T['requests.newTitle']!);
  await shot(page, '28-phone-request-form');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: T['shell.signOut'] }).click();

  await signIn(page, stack.baseUrl, 'kepala.adpim@betang.demo', password);
  await page.getByRole('link', { name: T['portal.agreementSign'] }).click();
  await page.getByRole('heading', { level: 1, name: T['agreements.detailTitle'] }).waitFor();
  await page.waitForTimeout(1500); // the PDF viewer in the frame paints after load
  await shot(page, '26-agreement-sign', true);
  await page.getByRole('button', { name: T['shell.signOut'] }).click();

  // both heads sign (over the API), then anyone checks the signed PDF on the public page
  const signed = await signBothAndDownload(stack, password);
  await open(page, stack, '/verify', T['verify.title']!);
  await page.getByLabel(T['verify.file']!).setInputFiles({ name: 'perjanjian.pdf', mimeType: 'application/pdf', buffer: signed });
  await page.getByTestId('verdict').waitFor();
  await shot(page, '27-public-verification');
}
