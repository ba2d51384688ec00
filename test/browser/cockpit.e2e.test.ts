import { Role } from '@betang/core';
import { replaceClusterSnapshot } from '@betang/db';
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

/** The operator's cockpit: the review checks before approving, the live counts on the home page and in the navigation. */
describe('operator cockpit (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let operatorEmail: string;
  let staff: ApiSession;
  let agreementId: string;
  let listedApp: string;
  let droppedApp: string;
  const ids: Record<string, string> = {};

  const submit = async (hostname: string, applicationId: string) => {
    const answer = await staff.post('/vps-requests', {
      applicationId,
      hostname,
      templateId: 'debian-12',
      presetId: 'small',
      sshPublicKeys: [testSshKey()],
      purpose: 'Layanan web publikasi informasi publik',
      network: { publicAccess: false, ports: [443] },
      contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '0812-5000-1234', email: 'budi@kalteng.go.id' },
    });
    if (answer.status !== 201) throw new Error(`submit ${hostname}: ${answer.status} ${JSON.stringify(answer.body)}`);
    ids[hostname] = (answer.body as { id: string }).id;
  };

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const { db } = stack;
    await makeCatalog(db);
    await makeIpPool(db, { size: 20, octet: 150 });
    const admin = await makeUser(db, { roles: [Role.Admin] });
    const institution = await makeInstitution(db, { name: 'Dinas Kesehatan' });
    listedApp = await makeApplication(db, institution.id, 'SIMPUS');
    droppedApp = await makeApplication(db, institution.id, 'Portal Lelang');
    await makeQuota(db, institution.id, admin.id, { cores: 64, memoryMiB: 131_072, diskGiB: 2000, vmCount: 16 });
    agreementId = await makeAgreementInForce(db, institution.id);
    await db
      .insertInto('agreementApplications')
      .values([
        { agreementId, applicationId: listedApp },
        { agreementId, applicationId: droppedApp },
      ])
      .execute();
    await db
      .updateTable('agreements')
      .set({ documentData: JSON.stringify({ osTemplates: ['Debian 12'] }) })
      .where('id', '=', agreementId)
      .execute();
    const staffUser = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    staff = await apiSession(stack.baseUrl, staffUser.email);
    operatorEmail = (await makeUser(db, { roles: [Role.Operator], name: 'Rina Operator' })).email;
    await submit('simpus-01', listedApp);
    await submit('lelang-01', droppedApp);
    // A renewal that no longer lists the tender portal: its waiting request is not covered any more.
    await db.deleteFrom('agreementApplications').where('applicationId', '=', droppedApp).execute();
  });

  afterAll(async () => {
    await staff?.close();
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
  });

  afterEach(() => closeCheckedPage(page, problems));

  async function openReview(hostname: string) {
    await clickNavLink(page, T['opNav.queue']!);
    await page.getByRole('heading', { level: 1, name: T['opQueue.title'] }).waitFor();
    await page.getByRole('button', { name: fill(T['opQueue.review']!, { hostname }) }).click();
    const drawer = page.getByRole('complementary', { name: fill(T['opQueue.reviewTitle']!, { hostname }) });
    await drawer.getByRole('heading', { name: T['cockpit.checksTitle'] }).waitFor();
    await drawer.locator('[data-check="pool"]').waitFor();
    return drawer;
  }

  const statuses = async (drawer: ReturnType<Page['getByRole']>) => {
    const out: Record<string, string | null> = {};
    for (const key of ['agreement', 'coverage', 'ceiling', 'quota', 'pool'])
      out[key] = await drawer.locator(`[data-check="${key}"]`).getAttribute('data-status');
    return out;
  };

  it('should show every check passed for a covered request, on desktop and phone, axe clean', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      const drawer = await openReview('simpus-01');
      expect(await statuses(drawer)).toEqual({
        agreement: 'passed',
        coverage: 'passed',
        ceiling: 'passed',
        quota: 'passed',
        pool: 'passed',
      });
      const coverage = await drawer.locator('[data-check="coverage"]').textContent();
      expect(coverage).toContain(T['cockpit.check.coverage']);
      expect(coverage).toContain(T['cockpit.checkPassed']);
      expect(coverage).toContain('Aplikasi SIMPUS dan templat Debian 12 tercakup');
      expect(await drawer.textContent()).toContain(T['cockpit.approvable']);
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
    }
    await page.setViewportSize(DESKTOP);
  });

  it('should show the coverage failed before approving, and the approval refused with the reason', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      const drawer = await openReview('lelang-01');
      expect(await statuses(drawer)).toMatchObject({ agreement: 'passed', coverage: 'failed', ceiling: 'passed' });
      const coverage = await drawer.locator('[data-check="coverage"]').textContent();
      expect(coverage).toContain(T['cockpit.checkFailed']);
      expect(coverage).toContain('Aplikasi Portal Lelang tidak tercantum dalam perjanjian');
      expect(await drawer.textContent()).toContain(T['cockpit.notApprovable']);
      expect(await seriousViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
    }
    const drawer = await openReview('lelang-01');
    await drawer.getByRole('button', { name: T['opQueue.approve'] }).click();
    await drawer.getByRole('form', { name: T['opQueue.approveTitle'] }).getByText('Aplikasi Portal Lelang tidak tercantum').waitFor();
    const row = await stack.db.selectFrom('vpsRequests').select('status').where('id', '=', ids['lelang-01']!).executeTakeFirstOrThrow();
    expect(row.status).toBe('submitted');

    // The request's own page shows operators the same checks while it waits.
    await page.goto(`${stack.baseUrl}/vps-requests/${ids['lelang-01']}`);
    const section = page.getByRole('region', { name: T['cockpit.checksTitle'] });
    await section.locator('[data-check="coverage"][data-status="failed"]').waitFor();
    expect(await section.textContent()).toContain(T['cockpit.notApprovable']);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should show the counts and capacity on the home page and as badges, change them live, and link to the filtered list', async () => {
    const { db } = stack;
    const observedAt = new Date();
    await db.transaction().execute((tx) =>
      replaceClusterSnapshot(tx, [
        {
          node: 'pve1',
          online: true,
          statsVisible: true,
          cpuUsage: 0.2,
          cpuCount: 2,
          memTotalBytes: 8 * 1024 ** 3,
          memUsedBytes: 1024 ** 3,
          storages: [{ storage: 'local-lvm', shared: false, available: true, content: ['images'], totalBytes: 16 * 1024 ** 3 }],
          observedAt,
        },
      ]),
    );
    await db
      .insertInto('vms')
      .values({
        requestId: ids['simpus-01']!,
        institutionId: (
          await db.selectFrom('vpsRequests').select('institutionId').where('id', '=', ids['simpus-01']!).executeTakeFirstOrThrow()
        ).institutionId,
        name: 'simpus-01',
        vmid: 4100,
        node: 'pve1',
        cores: 4,
        memoryMiB: 4096,
        diskGiB: 20,
        state: 'running',
      })
      .execute();
    const tile = (key: string) => page.locator(`[data-tile="${key}"]`);
    const badge = (key: string) => page.getByRole('navigation').locator(`[data-badge="${key}"]`);

    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/`);
      await page.getByRole('heading', { name: T['cockpit.title'] }).waitFor();
      await tile('approvals').getByText('2', { exact: true }).waitFor();
      expect(await tile('approvals').getByRole('link').textContent()).toBe(T['cockpit.tile.approvals']);
      expect(await badge('approvals').textContent()).toBe(`2, ${fill(T['cockpit.badge.approvals']!, { count: 2 })}`);
      // On a phone the menu is folded: the sum of its badges stays beside the button.
      expect(await page.getByTestId('menu-attention').isVisible()).toBe(viewport === PHONE);
      const capacity = page.getByRole('region', { name: T['cockpit.capacityTitle'] });
      const node = await capacity.getByRole('row').filter({ hasText: 'pve1' }).textContent();
      expect(node).toContain('4 dari 2 vCPU (200%)');
      expect(node).toContain('20 dari 16 GiB (125%)');
      expect(node).toContain(T['cockpit.overcommitted']);
      expect(await seriousViolations(page)).toEqual([]);
    }

    // A new request and an overdue one, made elsewhere: the page and the badges follow without a reload.
    await page.setViewportSize(DESKTOP);
    await submit('baru-01', listedApp);
    await db
      .updateTable('vpsRequests')
      .set({ createdAt: new Date(Date.now() - 30 * 86_400_000) })
      .where('id', '=', ids['simpus-01']!)
      .execute();
    await tile('approvals').getByText('3', { exact: true }).waitFor();
    await tile('overdue').getByText('1', { exact: true }).waitFor();
    await badge('approvals').getByText('3', { exact: true }).waitFor();
    await badge('overdue').getByText('1', { exact: true }).waitFor();

    // The overdue count opens the queue filtered to exactly those past the standard.
    await tile('overdue').getByRole('link').click();
    await page.waitForURL(/\/operator\/queue\?overdue=1$/);
    await page.getByText(T['cockpit.filterOverdue']!).waitFor();
    await page.getByRole('button', { name: fill(T['opQueue.review']!, { hostname: 'simpus-01' }) }).waitFor();
    expect(await page.getByRole('button', { name: fill(T['opQueue.review']!, { hostname: 'baru-01' }) }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // The waiting count opens the whole queue, with the new request in it.
    await page.goto(`${stack.baseUrl}/`);
    await tile('approvals').getByRole('link').click();
    await page.waitForURL(/\/operator\/queue$/);
    await page.getByRole('button', { name: fill(T['opQueue.review']!, { hostname: 'baru-01' }) }).waitFor();
  });
});
