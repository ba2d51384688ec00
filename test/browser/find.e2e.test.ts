import { Role } from '@betang/core';
import { appendAudit } from '@betang/db';
import {
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeQueuedProvisionRun,
  makeUser,
  TEST_PASSWORD,
  testSshKey,
} from '@betang/testkit';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import {
  clickNavLink,
  DESKTOP,
  launchBrowser,
  PHONE,
  signIn,
  TEXT,
  closeCheckedPage,
  openCleanPage,
  type Browser,
} from './support/browser';
import { apiSession, fill, type ApiSession } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;

/** Find anything: list filters kept in the URL, the audit log's filters and CSV, the IP pool's holders. */
describe('find anything (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let staffEmail: string;
  let operatorEmail: string;
  let adminEmail: string;
  let staff: ApiSession;
  let institutionId: string;
  let held: Awaited<ReturnType<typeof makeQueuedProvisionRun>>;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const { db } = stack;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 150 });
    const admin = await makeUser(db, { roles: [Role.Admin] });
    const institution = await makeInstitution(db, { name: 'Dinas Kesehatan' });
    institutionId = institution.id;
    const app = await makeApplication(db, institution.id, 'SIMPUS');
    await makeApplication(db, institution.id, 'Lelang Elektronik');
    adminEmail = admin.email;
    await makeUser(db, { roles: [Role.Operator], name: 'Sari Jaringan', email: 'sari.jaringan@dc.kalteng.go.id' });
    await makeQuota(db, institution.id, admin.id, { cores: 64, memoryMiB: 131_072, diskGiB: 2000, vmCount: 16 });
    await makeAgreementInForce(db, institution.id, undefined, { start: '2026-01-01', end: '2027-12-31' });
    staffEmail = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id })).email;
    staff = await apiSession(stack.baseUrl, staffEmail);
    for (const hostname of ['simpus-web', 'simpus-db', 'lelang-01']) {
      const answer = await staff.post('/vps-requests', {
        applicationId: app,
        hostname,
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose: 'Layanan puskesmas',
        network: { publicAccess: false, ports: [] },
        contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '0812-5000-1234', email: 'budi@kalteng.go.id' },
      });
      if (answer.status !== 201) throw new Error(`submit ${hostname}: ${answer.status}`);
    }
    await db.updateTable('vpsRequests').set({ status: 'rejected' }).where('hostname', '=', 'simpus-db').execute();
    const operator = await makeUser(db, { roles: [Role.Operator], name: 'Rina Operator' });
    operatorEmail = operator.email;
    // A VM holding an address of its own pool, as the worker leaves it.
    held = await makeQueuedProvisionRun(db, { poolOctet: 161, hostname: 'gis-01', enqueue: false });
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: held.requestId,
        institutionId: held.institutionId,
        vmid: 4242,
        node: 'pve1',
        name: 'gis-01',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('ipAllocations').set({ vmId: vm.id }).where('requestId', '=', held.requestId).execute();
    const base = { targetType: 'vps_request', targetId: null, requestId: null, userAgent: null, ip: '192.0.2.9' };
    await appendAudit(db, {
      ...base,
      actorUserId: operator.id,
      actorLabel: "=cmd|' /C calc'!A0",
      institutionId,
      action: 'vps_request.approved',
    });
    await appendAudit(db, {
      ...base,
      actorUserId: operator.id,
      actorLabel: 'Rina Operator',
      institutionId,
      action: 'vps_request.rejected',
    });
  });

  afterAll(async () => {
    await staff?.close();
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
  });

  afterEach(() => closeCheckedPage(page, problems));

  const hostnames = async () => {
    const table = page.getByRole('region', { name: T['requests.listTitle'] });
    await table.getByRole('table').waitFor();
    return (await table.getByRole('link').allTextContents()).sort();
  };

  it('should filter requests by status and host name, keep them in the URL and after a reload, on desktop and phone, axe clean', async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/vps-requests`);
      expect(await hostnames()).toEqual(['lelang-01', 'simpus-db', 'simpus-web']);
      const form = page.getByRole('search', { name: T['find.filterTitle'] });
      await form.getByLabel(T['find.status']!, { exact: true }).selectOption({ label: T['requests.status.submitted']! });
      await form.getByLabel(T['find.hostname']!, { exact: true }).fill('simpus');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/\/vps-requests\?status=submitted&hostname=simpus$/);
      await page.getByRole('region', { name: T['requests.listTitle'] }).getByRole('link', { name: 'simpus-web' }).waitFor();
      expect(await hostnames()).toEqual(['simpus-web']);
      expect(await seriousViolations(page)).toEqual([]);

      await page.reload();
      expect(await hostnames()).toEqual(['simpus-web']);
      // The form shows the filters in force after the reload.
      expect(await form.getByLabel(T['find.hostname']!, { exact: true }).inputValue()).toBe('simpus');
      expect(await form.getByLabel(T['find.status']!, { exact: true }).inputValue()).toBe('submitted');

      await form.getByRole('button', { name: T['find.clear'] }).click();
      await page.waitForURL(/\/vps-requests$/);
      expect(await hostnames()).toEqual(['lelang-01', 'simpus-db', 'simpus-web']);
    }
  });

  it("should list the data center's VMs for operators, filtered by vmid and node, kept in the URL and after a reload, on desktop and phone, axe clean", async () => {
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    const list = page.getByRole('region', { name: T['find.vmsListTitle'] });
    const rows = async () => (await list.getByRole('link').allTextContents()).sort();
    // The filtered page replaces the unfiltered one (both list gis-01) after a moment: read until it settles.
    const settledRows = async (want: string[]) => {
      for (let i = 0; i < 50 && JSON.stringify(await rows()) !== JSON.stringify(want); i++) await page.waitForTimeout(200);
      return rows();
    };
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/`);
      // The shell renders once the session is read; until then neither the nav link nor the phone menu exists.
      await page.getByRole('button', { name: T['shell.signOut'], exact: true }).waitFor();
      await clickNavLink(page, T['find.navVms']!, true);
      await page.getByRole('heading', { level: 1, name: T['find.vmsTitle'] }).waitFor();
      await list.getByRole('link', { name: 'gis-01' }).waitFor();
      const form = page.getByRole('search', { name: T['find.filterTitle'] });
      await form.getByLabel(T['find.vmid']!, { exact: true }).fill('4242');
      await form.getByLabel(T['find.node']!, { exact: true }).fill('pve1');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/\/operator\/vms\?node=pve1&vmid=4242$/);
      await list.getByRole('link', { name: 'gis-01' }).waitFor();
      expect(await settledRows(['gis-01'])).toEqual(['gis-01']);
      expect(await list.getByRole('row').filter({ hasText: 'gis-01' }).textContent()).toContain(held.address);
      expect(await seriousViolations(page)).toEqual([]);

      await form.getByLabel(T['find.node']!, { exact: true }).fill('pve9');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/node=pve9/);
      await list.getByText(T['find.noMatch']!).waitFor();
      await page.reload();
      await list.getByText(T['find.noMatch']!).waitFor();
      expect(await form.getByLabel(T['find.node']!, { exact: true }).inputValue()).toBe('pve9');
    }
  });

  it('should filter the audit log by action and actor with readable names, and download the filtered CSV, axe clean', async () => {
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/audit`);
      const form = page.getByRole('search', { name: T['audit.filterTitle'] });
      await form.getByLabel(T['audit.action']!, { exact: true }).selectOption({ label: 'Permohonan VPS disetujui' });
      await form.getByLabel(T['audit.actor']!, { exact: true }).fill('cmd');
      await form.getByRole('button', { name: T['audit.apply'] }).click();
      await page.waitForURL(/\/audit\?action=vps_request\.approved&actor=cmd$/);
      const list = page.getByRole('region', { name: T['audit.listTitle'] });
      await list.getByRole('cell', { name: 'Permohonan VPS disetujui' }).waitFor();
      expect(await list.getByRole('row').count()).toBe(2);
      expect(await list.textContent()).not.toContain('vps_request.approved');
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.setViewportSize(DESKTOP);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: T['find.exportCsv'] }).click()]);
    expect(download.suggestedFilename()).toMatch(/^log-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toContain('Waktu;Pelaku');
    expect(lines).toHaveLength(2);
    // The formula is shown as text in a spreadsheet, never run.
    expect(lines[1]).toContain(`;'=cmd|' /C calc'!A0;`);
    expect(lines[1]).toContain('Permohonan VPS disetujui');
    expect(lines[1]).not.toContain('Permohonan VPS ditolak');
  });

  it('should show each pool address with its holder and the free ones, on desktop and phone, axe clean', async () => {
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    const pool = (await stack.db.selectFrom('ipPools').select('name').where('id', '=', held.poolId).executeTakeFirstOrThrow()).name;
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/operator/ip-pools?pool=${held.poolId}&status=held`);
      const section = page.getByRole('region', { name: fill(T['find.poolAddressesTitle']!, { name: pool }) });
      const row = section.getByRole('row').filter({ hasText: held.address });
      await row.waitFor();
      const text = await row.textContent();
      expect(text).toContain('gis-01');
      expect(text).toContain(fill(T['find.poolVmid']!, { vmid: 4242 }));
      expect(text).toContain(T['find.poolHeld']);
      expect(await section.getByRole('row').count()).toBe(2);
      expect(await seriousViolations(page)).toEqual([]);

      const form = page.getByRole('search', { name: fill(T['find.poolFilterTitle']!, { name: pool }) });
      await form.getByLabel(T['find.poolStatus']!, { exact: true }).selectOption({ label: T['find.poolFree']! });
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/status=free/);
      await section.getByRole('cell', { name: T['find.poolFree'] }).first().waitFor();
      expect(await section.textContent()).not.toContain('gis-01');
    }
  });

  it('should find applications and the data-center staff by free text, kept in the URL, on desktop and phone, axe clean', async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    const appNames = () => page.getByRole('region', { name: T['apps.listTitle'] }).locator('tbody tr td:first-child').allTextContents();
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/applications`);
      await page.getByRole('region', { name: T['apps.listTitle'] }).getByText('Lelang Elektronik').waitFor();
      const form = page.getByRole('search', { name: T['find.filterTitle'] });
      await form.getByLabel(T['find.text']!, { exact: true }).fill('simp');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/\/applications\?q=simp$/);
      await page.getByRole('region', { name: T['apps.listTitle'] }).getByText('Lelang Elektronik').waitFor({ state: 'detached' });
      expect((await appNames()).map((n) => n.trim())).toEqual([expect.stringContaining('SIMPUS')]);
      expect(await seriousViolations(page)).toEqual([]);
      await page.reload();
      await page.getByRole('region', { name: T['apps.listTitle'] }).getByText('SIMPUS').first().waitFor();
      expect(await page.getByRole('region', { name: T['apps.listTitle'] }).getByText('Lelang Elektronik').count()).toBe(0);
    }
    await page.setViewportSize(DESKTOP);

    await page.context().clearCookies();
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/staff?q=jaringan`);
    const staffList = page.getByRole('region', { name: T['users.listTitle'] });
    await staffList.getByText('sari.jaringan@dc.kalteng.go.id').waitFor();
    expect(await staffList.getByText('Rina Operator').count()).toBe(0);
    expect(await page.getByRole('search', { name: T['find.filterTitle'] }).getByLabel(T['find.text']!, { exact: true }).inputValue()).toBe(
      'jaringan',
    );
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("should name each VM's PIC in the operator table, filter those without one, and update a row live when its VM changes, axe clean", async () => {
    const { db } = stack;
    const pic = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: held.institutionId, name: 'Dewi Penanggung' });
    await db.updateTable('vms').set({ picUserId: pic.id }).where('vmid', '=', 4242).execute();
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    const list = page.getByRole('region', { name: T['find.vmsListTitle'] });
    const row = list.getByRole('row').filter({ hasText: 'gis-01' });
    await page.goto(`${stack.baseUrl}/operator/vms?vmid=4242`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Dewi Penanggung');

    // "Without a PIC": gis-01's PIC qualifies, so it is left out; once she is deactivated, it is listed.
    const form = page.getByRole('search', { name: T['find.filterTitle'] });
    await form.getByLabel(T['pic.vmLabel']!, { exact: true }).selectOption({ label: T['pic.filterNeeded']! });
    await form.getByRole('button', { name: T['find.apply'] }).click();
    await page.waitForURL(/pic=needed/);
    await list.getByText(T['find.noMatch']!).waitFor();
    await db.updateTable('users').set({ isActive: false }).where('id', '=', pic.id).execute();
    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).toContain(`Dewi Penanggung (${T['pic.problem.inactive']})`);
    expect(await seriousViolations(page)).toEqual([]);

    // Live: the VM stops on the server and the row says so without a reload.
    await page.goto(`${stack.baseUrl}/operator/vms?vmid=4242`);
    await row.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    await page.getByTestId('vms-stream').getByText(T['vmLive.streamLive']!).waitFor();
    await db.updateTable('vms').set({ state: 'stopped' }).where('vmid', '=', 4242).execute();
    await row.getByText(T['vms.state.stopped']!, { exact: true }).waitFor({ timeout: 15_000 });
    await db.updateTable('vms').set({ state: 'running' }).where('vmid', '=', 4242).execute();
    await row.getByText(T['vms.state.running']!, { exact: true }).waitFor({ timeout: 15_000 });
  });

  it('should find agreements by free text (institution, number, application), kept in the URL, on desktop and phone, axe clean', async () => {
    const { db } = stack;
    const other = await db.selectFrom('institutions').select('name').where('id', '=', held.institutionId).executeTakeFirstOrThrow();
    const otherAgreement = await makeAgreementInForce(db, held.institutionId, undefined, { start: '2026-01-01', end: '2027-06-30' });
    const appId = await makeApplication(db, held.institutionId, 'Peta Rawan Banjir');
    await db.insertInto('agreementApplications').values({ agreementId: otherAgreement, applicationId: appId }).execute();
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    const list = page.getByRole('region', { name: T['opAgreements.listTitle'] });
    const institutionsShown = async () => [
      ...new Set((await list.locator('tbody tr td:nth-child(2)').allTextContents()).map((n) => n.trim())),
    ];
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/operator/agreements`);
      await list.getByText(other.name).first().waitFor();
      await list.getByText('Dinas Kesehatan').first().waitFor();
      const form = page.getByRole('search', { name: T['find.filterTitle'] });
      await form.getByLabel(T['find.text']!, { exact: true }).fill('kesehatan');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/\/operator\/agreements\?q=kesehatan$/);
      await list.getByText(other.name).first().waitFor({ state: 'detached' });
      expect(await institutionsShown()).toEqual(['Dinas Kesehatan']);
      expect(await seriousViolations(page)).toEqual([]);
      await page.reload();
      await list.getByText('Dinas Kesehatan').first().waitFor();
      expect(await institutionsShown()).toEqual(['Dinas Kesehatan']);
      expect(await form.getByLabel(T['find.text']!, { exact: true }).inputValue()).toBe('kesehatan');

      // By an application the agreement lists.
      await form.getByLabel(T['find.text']!, { exact: true }).fill('rawan banjir');
      await form.getByRole('button', { name: T['find.apply'] }).click();
      await page.waitForURL(/q=rawan\+banjir$/);
      await list.getByText(other.name).first().waitFor();
      expect(await institutionsShown()).toEqual([other.name]);
    }
  });
});
