import { Role } from '@betang/core';
import { getQuotaUsage, replaceClusterSnapshot } from '@betang/db';
import {
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  TEST_PASSWORD,
  testSshKey,
} from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;
const fill = (s: string | undefined, values: Record<string, string | number>) =>
  Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, String(v)), s ?? '');
const HOURS = 3_600_000;
const GIB = 1024 ** 3;

type ApiSession = {
  post(path: string, body: object): Promise<{ status: number; body: { id: string; status: string; run: { id: string } | null } }>;
};

/** Signs in over HTTP (cookie + CSRF token), the way the web client does, for seeding through the API. */
async function apiSession(baseUrl: string, email: string): Promise<ApiSession> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    async post(path, body) {
      const answer = await fetch(`${baseUrl}/api/v1${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrfToken },
        body: JSON.stringify(body),
      });
      return { status: answer.status, body: (await answer.json()) as never };
    },
  };
}

describe('operator console (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let operatorEmail: string;
  let institutionId: string;
  let applicationId: string;
  let staff: ApiSession;
  let otherOperator: ApiSession;
  const ids: Record<string, string> = {};

  const submit = async (hostname: string, size: object = { presetId: 'small' }, hoursAgo = 0) => {
    const answer = await staff.post('/vps-requests', {
      applicationId,
      hostname,
      templateId: 'debian-12',
      ...size,
      sshPublicKeys: [testSshKey()],
      purpose: 'Layanan web publikasi informasi publik',
      network: { publicAccess: true, ports: [80, 443] },
      contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '0812-5000-1234', email: 'budi@kalteng.go.id' },
    });
    if (answer.status !== 201) throw new Error(`submit ${hostname}: ${answer.status} ${JSON.stringify(answer.body)}`);
    ids[hostname] = answer.body.id;
    if (hoursAgo > 0)
      await stack.db
        .updateTable('vpsRequests')
        .set({ createdAt: new Date(Date.now() - hoursAgo * HOURS) })
        .where('id', '=', answer.body.id)
        .execute();
    return answer.body;
  };

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const { db } = stack;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 140 });
    const admin = await makeUser(db, { roles: [Role.Admin] });
    const institution = await makeInstitution(db, { name: 'Dinas Komunikasi dan Informatika' });
    institutionId = institution.id;
    applicationId = await makeApplication(db, institution.id, 'Portal PPID');
    await makeQuota(db, institution.id, admin.id, { cores: 64, memoryMiB: 131_072, diskGiB: 2000, vmCount: 16 });
    await makeAgreementInForce(db, institution.id);
    staff = await apiSession(stack.baseUrl, (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id })).email);
    operatorEmail = (await makeUser(db, { roles: [Role.Operator], name: 'Rina Operator' })).email;
    // the signers an agreement names by default: the institution's only head and the only dc_head
    const head = await makeUser(db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Diskominfo' });
    const dcHead = await makeUser(db, { roles: [Role.DcHead], name: 'Kepala Diskominfosantik' });
    await db.updateTable('users').set({ nip: '197001011995031001', position: 'Kepala Dinas' }).where('id', '=', head.id).execute();
    await db
      .updateTable('users')
      .set({ nip: '197202021996031002', position: 'Kepala Diskominfosantik' })
      .where('id', '=', dcHead.id)
      .execute();
    otherOperator = await apiSession(stack.baseUrl, (await makeUser(db, { roles: [Role.Operator], name: 'Andi Operator' })).email);

    // submitted out of order; the queue must still list the oldest first
    await submit('web-tengah', { presetId: 'small' }, 10);
    await submit('web-lama', { presetId: 'small' }, 30);
    await submit('web-baru', { presetId: 'small' }, 2);
    await submit('besar-01', { resources: { cores: 8, memoryMiB: 16_384, diskGiB: 200 } }, 5);
    await submit('api-01', { presetId: 'medium' }, 1);
    // level 1 of the large request is approved by another operator; level 2 belongs to dc_head
    expect((await otherOperator.post(`/vps-requests/${ids['besar-01']}/approve`, {})).body.status).toBe('partially_approved');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
  });

  afterEach(() => closeCheckedPage(page, problems));

  async function openQueue(): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.queue'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opQueue.title'] }).waitFor();
    await page.locator('tbody tr').first().waitFor();
  }

  const queueHostnames = async () => (await page.locator('tbody tr .link-button').allTextContents()).filter((h) => h in ids);

  it('should list pending approvals oldest first with their essentials, the overdue one marked', async () => {
    await openQueue();
    expect(await queueHostnames()).toEqual(['web-lama', 'web-tengah', 'besar-01', 'web-baru', 'api-01']);
    const oldest = page.getByRole('row').filter({ hasText: 'web-lama' });
    expect(await oldest.textContent()).toContain(T['opCommon.overdue']);
    expect(await oldest.textContent()).toContain('1 vCPU · 2 GiB · 20 GiB');
    expect(await oldest.textContent()).toContain('debian-12');
    expect(await page.getByRole('row').filter({ hasText: 'web-baru' }).textContent()).not.toContain(T['opCommon.overdue']);
    const large = await page.getByRole('row').filter({ hasText: 'besar-01' }).textContent();
    expect(large).toContain('8 vCPU · 16 GiB · 200 GiB');
    expect(large).toContain('Tingkat 2Persetujuan Kepala Diskominfosantik');

    // the drawer opens from the keyboard and Escape closes it, giving focus back to the row
    const open = page.getByRole('button', { name: fill(T['opQueue.review'], { hostname: 'besar-01' }) });
    await open.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('complementary', { name: fill(T['opQueue.reviewTitle'], { hostname: 'besar-01' }) });
    await drawer.waitFor();
    expect(await open.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.waitForFunction('document.activeElement?.textContent === "besar-01"');
  });

  it('should approve one request with a comment from the review drawer, keyboard only', async () => {
    await openQueue();
    await page.getByRole('button', { name: fill(T['opQueue.review'], { hostname: 'web-lama' }) }).click();
    const drawer = page.getByRole('complementary', { name: fill(T['opQueue.reviewTitle'], { hostname: 'web-lama' }) });
    await drawer.getByText('Portal PPID', { exact: true }).waitFor();
    expect(await page.evaluate('document.activeElement?.id')).toBe('review-title');
    expect(await drawer.textContent()).toContain('Layanan web publikasi informasi publik');
    await drawer.getByLabel(T['opQueue.comment']!).focus();
    await page.keyboard.type('Sesuai inventaris SPBE');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opQueue.approved'], { hostname: 'web-lama' }) })
      .waitFor();
    await page.getByRole('row').filter({ hasText: 'web-lama' }).waitFor({ state: 'detached' });
    const approval = await stack.db
      .selectFrom('approvals')
      .select(['decision', 'comment'])
      .where('requestId', '=', ids['web-lama']!)
      .executeTakeFirstOrThrow();
    expect(approval).toEqual({ decision: 'approved', comment: 'Sesuai inventaris SPBE' });
  });

  it('should require a reason to reject, then reject with it', async () => {
    await openQueue();
    await page.getByRole('button', { name: fill(T['opQueue.review'], { hostname: 'web-tengah' }) }).click();
    const drawer = page.getByRole('complementary', { name: fill(T['opQueue.reviewTitle'], { hostname: 'web-tengah' }) });
    const reject = drawer.getByRole('form', { name: T['opQueue.rejectTitle'] });
    await reject.getByRole('button', { name: T['opQueue.reject'] }).click();
    await reject.getByText(T['opQueue.reasonRequired']!).waitFor();
    expect(await reject.getByLabel(T['opQueue.reason']!).getAttribute('aria-invalid')).toBe('true');
    expect(
      await stack.db.selectFrom('vpsRequests').select('status').where('id', '=', ids['web-tengah']!).executeTakeFirstOrThrow(),
    ).toEqual({ status: 'submitted' });

    await reject.getByLabel(T['opQueue.reason']!).fill('Ukuran melebihi kebutuhan aplikasi; ajukan paket Kecil.');
    await reject.getByRole('button', { name: T['opQueue.reject'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opQueue.rejected'], { hostname: 'web-tengah' }) })
      .waitFor();
    expect(
      await stack.db
        .selectFrom('vpsRequests')
        .select(['status', 'statusReason'])
        .where('id', '=', ids['web-tengah']!)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      status: 'rejected',
      statusReason: 'Ukuran melebihi kebutuhan aplikasi; ajukan paket Kecil.',
    });
  });

  it('should bulk-approve two requests and show the 403 of a level-2 request clearly', async () => {
    await openQueue();
    for (const hostname of ['web-baru', 'api-01', 'besar-01']) await page.getByLabel(fill(T['opQueue.selectOne'], { hostname })).check();
    await page.getByRole('button', { name: fill(T['opQueue.bulkApprove'], { count: 3 }) }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opQueue.bulkSummary'], { approved: 2, total: 3 }) })
      .waitFor();
    const results = page.getByRole('list', { name: T['opQueue.bulkResults'] });
    expect(await results.getByRole('listitem').filter({ hasText: 'web-baru' }).textContent()).toContain(T['opQueue.resultApproved']);
    expect(await results.getByRole('listitem').filter({ hasText: 'api-01' }).textContent()).toContain(T['opQueue.resultApproved']);
    const refused = await results.getByRole('listitem').filter({ hasText: 'besar-01' }).textContent();
    expect(refused).toContain(T['opQueue.resultForbidden']);
    expect(refused).toContain('Tingkat 2 (Persetujuan Kepala Diskominfosantik) diputuskan oleh peran: dc_head.');
    const statuses = await stack.db
      .selectFrom('vpsRequests')
      .select(['hostname', 'status'])
      .where('id', 'in', [ids['web-baru']!, ids['api-01']!, ids['besar-01']!])
      .orderBy('hostname')
      .execute();
    expect(statuses).toEqual([
      { hostname: 'api-01', status: 'queued' },
      { hostname: 'besar-01', status: 'partially_approved' },
      { hostname: 'web-baru', status: 'queued' },
    ]);
    // the refused one stays in the queue, the approved ones leave it
    await page.getByRole('row').filter({ hasText: 'web-baru' }).waitFor({ state: 'detached' });
    expect(await queueHostnames()).toEqual(['besar-01']);
  });

  it('should show a failed run with its reason in the chosen language, and Retry re-queues it', async () => {
    const request = await submit('gagal-01');
    const approved = await otherOperator.post(`/vps-requests/${request.id}/approve`, {});
    const runId = approved.body.run!.id;
    // what the worker writes on a permanent failure (the reason in both languages, one text)
    await stack.db
      .updateTable('provisioningRuns')
      .set({
        status: 'failed',
        currentStep: 'clone',
        errorCode: 'TEMPLATE_MISSING',
        errorMessage:
          'Templat 9000 tidak ada di node pve1. Periksa katalog.\n\nTemplate 9000 does not exist on node pve1. Check the catalog.',
        errorRetryable: false,
        startedAt: new Date(Date.now() - HOURS),
        finishedAt: new Date(),
      })
      .where('id', '=', runId)
      .execute();
    await stack.db
      .updateTable('vpsRequests')
      .set({ status: 'failed', statusReason: 'template missing' })
      .where('id', '=', request.id)
      .execute();

    await page.getByRole('navigation').getByRole('link', { name: T['opNav.provisioning'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opBoard.title'] }).waitFor();
    // the failed card (after Retry the same hostname shows again, as a running card)
    const card = page.locator('article.failed-card').filter({ hasText: 'gagal-01' });
    await card.getByText('Templat 9000 tidak ada di node pve1. Periksa katalog.').waitFor();
    expect(await card.textContent()).not.toContain('Template 9000 does not exist');
    expect(await card.textContent()).toContain('TEMPLATE_MISSING');

    await page.getByLabel(T['shell.language']!).selectOption('en');
    await card.getByText('Template 9000 does not exist on node pve1. Check the catalog.').waitFor();
    await page.getByLabel(TEXT.en['shell.language']!).selectOption('id');

    await card.getByRole('button', { name: fill(T['opBoard.retry'], { hostname: 'gagal-01' }) }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opBoard.retried'], { hostname: 'gagal-01' }) })
      .waitFor();
    await page
      .getByRole('region', { name: fill(T['opBoard.failedTitle'], { count: 0 }) })
      .getByText(T['opBoard.noFailed']!)
      .waitFor();
    await page
      .getByRole('region', { name: T['opBoard.step.waiting'] })
      .getByRole('progressbar', { name: fill(T['opBoard.progressOf'], { hostname: 'gagal-01' }) })
      .waitFor();
    const runs = await stack.db
      .selectFrom('provisioningRuns')
      .select(['id', 'status'])
      .where('requestId', '=', request.id)
      .orderBy('createdAt')
      .execute();
    expect(runs.map((r) => r.status)).toEqual(['failed', 'queued']);
    expect(await stack.db.selectFrom('vpsRequests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow()).toEqual({
      status: 'queued',
    });
  });

  it('should show the cluster nodes of the last snapshot, and warn when it is stale', async () => {
    const node = (name: string, online: boolean, observedAt: Date) => ({
      node: name,
      online,
      statsVisible: online,
      cpuUsage: online ? 0.25 : null,
      cpuCount: online ? 16 : null,
      memTotalBytes: online ? 64 * GIB : null,
      memUsedBytes: online ? 16 * GIB : null,
      storages: online ? [{ storage: 'local-lvm', shared: false, available: true, totalBytes: 1000 * GIB, usedBytes: 250 * GIB }] : [],
      observedAt,
    });
    await stack.db
      .transaction()
      .execute((tx) => replaceClusterSnapshot(tx, [node('pve1', true, new Date()), node('pve2', false, new Date())]));
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.cluster'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opCluster.title'] }).waitFor();
    const pve1 = page.getByRole('region', { name: /pve1/ });
    await pve1.getByText(T['opCluster.online']!).waitFor();
    expect(await pve1.textContent()).toContain('4 dari 16 inti (25%)');
    expect(await pve1.textContent()).toContain('16 dari 64 GiB (25%)');
    expect(await pve1.textContent()).toContain('250 dari 1.000 GiB (25%)');
    expect(await page.getByRole('region', { name: /pve2/ }).textContent()).toContain(T['opCluster.offline']);
    await page.getByText(fill(T['opCluster.summary'], { online: 1, total: 2 })).waitFor();
    expect(await page.getByRole('note').count()).toBe(0);

    await stack.db.transaction().execute((tx) => replaceClusterSnapshot(tx, [node('pve1', true, new Date(Date.now() - 10 * 60_000))]));
    await page.reload();
    await page
      .getByRole('note')
      .filter({ hasText: T['opCluster.stale']!.split('(')[0]!.trim() })
      .waitFor();
  });

  it('should dismiss a reconciliation finding only with a reason', async () => {
    const finding = await stack.db
      .insertInto('reconcileFindings')
      .values({
        kind: 'orphan_vm',
        fingerprint: 'uji-orphan-10999',
        node: 'pve1',
        vmid: 10999,
        messageId: 'VM 10999 di pve1 tidak tercatat pada permintaan mana pun.',
        messageEn: 'VM 10999 on pve1 belongs to no request.',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.reconciliation'] }).click();
    const group = page.getByRole('region', { name: fill(T['opRecon.kindCount'], { kind: T['opRecon.kind.orphanVm']!, count: 1 }) });
    await group.getByText('VM 10999 di pve1 tidak tercatat pada permintaan mana pun.').waitFor();
    await group.getByRole('button', { name: T['opRecon.dismiss'] }).click();
    const form = page.getByRole('form', { name: T['opRecon.dismissTitle'] });
    await form.getByLabel(T['opRecon.reason']!).fill('ok');
    await form.getByRole('button', { name: T['opRecon.dismissConfirm'] }).click();
    // the API's own contract, worded in the form's language
    await form.getByText('Paling sedikit 5 karakter.').waitFor();
    await form.getByLabel(T['opRecon.reason']!).fill('VM uji milik tim jaringan, dicatat di tiket 118');
    await form.getByRole('button', { name: T['opRecon.dismissConfirm'] }).click();
    await page.getByRole('status').filter({ hasText: T['opRecon.dismissed'] }).waitFor();
    await page.getByText(T['opRecon.empty']!).waitFor();
    expect(await stack.db.selectFrom('reconcileFindings').select('status').where('id', '=', finding.id).executeTakeFirstOrThrow()).toEqual({
      status: 'dismissed',
    });
  });

  it('should edit a quota, showing current usage beside each limit', async () => {
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.institutions'] }).click();
    await page.getByRole('link', { name: 'Dinas Komunikasi dan Informatika' }).click();
    const form = page.getByRole('form', { name: T['opInst.quotaTitle'] });
    const cores = form.getByLabel(T['quota.cores']!, { exact: true });
    const usage = await getQuotaUsage(stack.db, institutionId);
    expect(usage.cores).toBeGreaterThan(0);
    await form.getByText(fill(T['opInst.inUse'], { value: usage.cores, unit: 'vCPU' })).waitFor();
    expect(await cores.inputValue()).toBe('64');
    await cores.fill('48');
    await form.getByLabel(T['opInst.memoryGiB']!).fill('96');
    await form.getByRole('button', { name: T['opInst.saveQuota'] }).click();
    await form.getByRole('status').filter({ hasText: T['opInst.quotaSaved'] }).waitFor();
    await page.getByRole('region', { name: T['quota.title'] }).getByText('dari 48 vCPU').waitFor();
    const quota = await stack.db
      .selectFrom('quotas')
      .select(['cores', 'memoryMiB'])
      .where('institutionId', '=', institutionId)
      .executeTakeFirstOrThrow();
    expect(quota).toEqual({ cores: 48, memoryMiB: 96 * 1024 });
  });

  it("should create an IP pool, showing the API's field error for a gateway outside the CIDR", async () => {
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.ipPools'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opPools.title'] }).waitFor();
    const form = page.getByRole('form', { name: T['opPools.createTitle'] });
    await form.getByLabel(T['opPools.name']!, { exact: true }).fill('Pool Diskominfo');
    await form.getByLabel(T['opPools.cidr']!).fill('10.50.0.0/24');
    await form.getByLabel(T['opPools.gateway']!).fill('10.60.0.1');
    await form.getByLabel(T['opPools.rangeStart']!).fill('10.50.0.10');
    await form.getByLabel(T['opPools.rangeEnd']!).fill('10.50.0.99');
    await form.getByLabel(T['opPools.vlan']!).fill('50');
    await form.getByRole('button', { name: T['opPools.create'] }).click();
    const gateway = form.getByLabel(T['opPools.gateway']!);
    await form.getByText(fill(T['opPools.outsideCidr'], { cidr: '10.50.0.0/24' })).waitFor();
    expect(await gateway.getAttribute('aria-invalid')).toBe('true');
    await form.getByRole('alert').filter({ hasText: 'Gateway dan rentang harus berada di dalam CIDR' }).waitFor();

    await gateway.fill('10.50.0.1');
    await form.getByRole('button', { name: T['opPools.create'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opPools.created'], { name: 'Pool Diskominfo' }) })
      .waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Pool Diskominfo' });
    expect(await row.textContent()).toContain('0 dari 90 alamat (0%)');
  });

  it('should generate an agreement for the fiscal year and list it with its status and days left', async () => {
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.agreements'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opAgreements.title'] }).waitFor();
    const inForce = page.locator('tbody tr').filter({ has: page.getByText(T['opAgreements.status.inForce']!, { exact: true }) });
    await inForce.waitFor();
    expect(await inForce.textContent()).toMatch(/\d+ hari lagi/);

    const form = page.getByRole('form', { name: T['opAgreements.createTitle'] });
    await form.getByRole('button', { name: T['opAgreements.create'] }).click();
    expect(await form.getByLabel(T['opAgreements.institution']!).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(T['opAgreements.institution']!).selectOption({ label: 'Dinas Komunikasi dan Informatika' });
    await form.getByLabel('Portal PPID').check();
    await form.getByRole('button', { name: T['opAgreements.create'] }).click();
    await page.getByRole('status').filter({ hasText: 'Dinas Komunikasi dan Informatika' }).waitFor({ timeout: 30_000 });
    const created = page
      .locator('tbody tr')
      .filter({ has: page.getByText(T['opAgreements.status.awaitingInstitutionHead']!, { exact: true }) });
    await created.waitFor();
    const year = new Date(Date.now() + 7 * HOURS).getUTCFullYear();
    expect(await created.textContent()).toContain(`1 Januari ${year} – 31 Desember ${year}`);
    const link = created.getByRole('link');
    expect(await link.getAttribute('href')).toMatch(/^\/agreements\/[0-9a-f-]{36}$/);
    const row = await stack.db
      .selectFrom('agreements')
      .select(['status', 'ceilingCores'])
      .where('institutionId', '=', institutionId)
      .where('status', '!=', 'in_force')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'awaiting_institution_head', ceilingCores: 16 });
  });

  it('should save the service standard and the catalog, checking fields before sending', async () => {
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.settings'] }).click();
    const standards = page.getByRole('form', { name: T['opSettings.standardsTitle'] });
    await standards.getByLabel(T['opSettings.approvalHours']!).fill('0');
    await standards.getByRole('button', { name: T['opSettings.saveStandards'] }).click();
    expect(await standards.getByLabel(T['opSettings.approvalHours']!).getAttribute('aria-invalid')).toBe('true');
    await standards.getByLabel(T['opSettings.approvalHours']!).fill('48');
    await standards.getByRole('button', { name: T['opSettings.saveStandards'] }).click();
    await standards.getByRole('status').filter({ hasText: T['opSettings.saved'] }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.queue'] }).click();
    await page.getByText(fill(T['opQueue.intro'], { standard: fill(T['opCommon.hoursOnly'], { hours: 48 }) })).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: T['opNav.catalog'] }).click();
    await page.getByRole('button', { name: T['opCatalog.addTemplate'] }).click();
    const form = page.getByRole('form', { name: T['opCatalog.addTemplate'] });
    await form.getByLabel(T['opCatalog.id']!, { exact: true }).fill('Rocky 9!');
    await form.getByLabel(T['opCatalog.name']!, { exact: true }).fill('Rocky Linux 9');
    await form.getByLabel(T['opCatalog.osFamily']!).fill('rocky');
    await form.getByLabel(T['opCatalog.vmid']!).fill('9002');
    await form.getByRole('button', { name: T['common.save'] }).click();
    await form.getByText(T['opCatalog.idRule']!).waitFor();
    await form.getByLabel(T['opCatalog.id']!, { exact: true }).fill('rocky-9');
    await form.getByRole('button', { name: T['common.save'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opCatalog.saved'], { name: 'Rocky Linux 9' }) })
      .waitFor();
    await page.getByRole('row').filter({ hasText: 'rocky-9' }).waitFor();
    expect(
      await stack.db
        .selectFrom('catalogTemplates')
        .select(['name', 'pveTemplateVmid'])
        .where('id', '=', 'rocky-9')
        .executeTakeFirstOrThrow(),
    ).toEqual({ name: 'Rocky Linux 9', pveTemplateVmid: 9002 });

    // Editing a preset: the id is fixed, memory is entered in GiB and checked against the API's rule.
    await page.getByRole('button', { name: fill(T['opCatalog.editPreset'], { name: 'Kecil' }) }).click();
    const preset = page.getByRole('form', { name: fill(T['opCatalog.editPreset'], { name: 'Kecil' }) });
    expect(await preset.getByLabel(T['opCatalog.id']!, { exact: true }).getAttribute('readonly')).not.toBeNull();
    await preset.getByLabel(T['opCatalog.memoryGiB']!).fill('0');
    await preset.getByRole('button', { name: T['common.save'] }).click();
    expect(await preset.getByLabel(T['opCatalog.memoryGiB']!).getAttribute('aria-invalid')).toBe('true');
    await preset.getByLabel(T['opCatalog.memoryGiB']!).fill('3');
    await preset.getByRole('button', { name: T['common.save'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opCatalog.saved'], { name: 'Kecil' }) })
      .waitFor();
    expect(
      await stack.db.selectFrom('sizePresets').select(['memoryMiB', 'isActive']).where('id', '=', 'small').executeTakeFirstOrThrow(),
    ).toEqual({ memoryMiB: 3072, isActive: true });
  });

  it('should pass axe (no serious or critical violations) on every console page, on desktop and phone', async () => {
    const pages: [string, string][] = [
      ['/operator/queue', T['opQueue.title']!],
      ['/operator/provisioning', T['opBoard.title']!],
      ['/operator/cluster', T['opCluster.title']!],
      ['/operator/reconciliation', T['opRecon.title']!],
      ['/institutions', T['opInst.title']!],
      [`/institutions/${institutionId}`, 'Dinas Komunikasi dan Informatika'],
      ['/operator/ip-pools', T['opPools.title']!],
      ['/operator/catalog', T['opCatalog.title']!],
      ['/operator/agreements', T['opAgreements.title']!],
      ['/operator/settings', T['opSettings.title']!],
    ];
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      for (const [path, heading] of pages) {
        await page.goto(`${stack.baseUrl}${path}`);
        await page
          .getByRole('heading', { level: 1, name: heading })
          .waitFor()
          .catch((error: unknown) => {
            throw new Error(`${path}: ${String(error)} ${problems.join('; ')}`);
          });
        await page.waitForLoadState('networkidle');
        expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
      }
    }
    // the review drawer and a form with errors, too
    await page.setViewportSize(DESKTOP);
    await page.goto(`${stack.baseUrl}/operator/queue`);
    await page.getByRole('button', { name: fill(T['opQueue.review'], { hostname: 'besar-01' }) }).click();
    await page.getByRole('complementary').getByText('Portal PPID', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
