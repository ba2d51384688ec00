import { readFileSync } from 'node:fs';
import { CONTRACT_MESSAGES } from '@betang/core';
import { makeAgreementInForce, testSshKey, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, fill, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const CSV_HEADER = 'name,kind,pic_name,pic_nip,pic_email,data_classification';

describe('institution portal (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let requestId: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    // CI shares two cores with the API, PostgreSQL and (here) more: allow slow moments
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
  });

  afterEach(() => closeCheckedPage(page, problems));

  async function open(path: string, heading: string): Promise<void> {
    await page.goto(`${stack.baseUrl}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  it('should add an application after showing field errors, export it as CSV and import a file after a dry run', async () => {
    await page.getByRole('navigation').getByRole('link', { name: T['nav.applications'] }).click();
    await page.getByRole('heading', { level: 1, name: T['apps.title'] }).waitFor();
    await page.getByRole('button', { name: T['apps.add'] }).click();
    const form = page.getByRole('form', { name: T['apps.addTitle'] });
    await form.getByLabel(T['apps.name']!, { exact: true }).fill('E-Surat Biro');
    await form.getByLabel(T['apps.picName']!, { exact: true }).fill('Budi Staf');
    await form.getByLabel(T['apps.picNip']!, { exact: true }).fill('12345');
    await form.getByLabel(T['apps.picEmail']!, { exact: true }).fill('budi@biro.kalteng.go.id');
    await form.getByRole('button', { name: T['apps.addSubmit'] }).click();
    await form.getByText(CONTRACT_MESSAGES.nip.id).waitFor();
    expect(await form.getByLabel(T['apps.picNip']!, { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(T['apps.picNip']!, { exact: true }).fill('198703152010011002');
    await form.getByRole('button', { name: T['apps.addSubmit'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['apps.added']!, { name: 'E-Surat Biro' }) })
      .waitFor();
    await page.getByRole('row').filter({ hasText: 'E-Surat Biro' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: T['apps.export'] }).click()]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    expect(csv).toContain('E-Surat Biro');
    expect(csv).toContain('SIPD Biro Adpim');

    const importFile = page.getByLabel(T['apps.importFile']!);
    const bad = `${CSV_HEADER}\nSimpeg,khusus,Ani,123,ani@biro.kalteng.go.id,rendah\nSIAKAD,aneh,Ani,198703152010011003,bukan-email,rahasia\n`;
    await importFile.setInputFiles({ name: 'inventaris.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const errors = page.getByRole('group', { name: T['apps.importErrorsTitle'] });
    await errors.waitFor();
    const rows = errors.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(4); // NIP on row 2; kind, e-mail, classification on row 3
    expect(await rows.first().textContent()).toContain('pic_nip');
    expect(await page.getByRole('button', { name: T['apps.importSubmit'] }).isDisabled()).toBe(true);

    const good = `${CSV_HEADER}\nSimpeg,khusus,Ani,198703152010011003,ani@biro.kalteng.go.id,rendah\n`;
    await importFile.setInputFiles({ name: 'inventaris.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByText(fill(T['apps.importCheckOk']!, { rows: 1, created: 1, updated: 0 })).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Simpeg' }).count()).toBe(0);
    await page.getByRole('button', { name: T['apps.importSubmit'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['apps.importDone']!, { created: 1, updated: 0 }) })
      .waitFor();
    await page.getByRole('row').filter({ hasText: 'Simpeg' }).waitFor();
  });

  async function fillRequestForm(hostname: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: T['nav.newRequest'] }).click();
    await page.getByRole('heading', { level: 1, name: T['requests.newTitle'] }).waitFor();
    const form = page.getByRole('form', { name: T['requests.formTitle'] });
    await form.getByLabel(T['requests.application']!).selectOption({ label: 'SIPD Biro Adpim' });
    await form.getByLabel(T['requests.hostname']!).fill(hostname);
    await form.getByLabel('Sedang').check();
    await form.getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true }).fill(testSshKey('budi@laptop'));
    await form.getByLabel(T['requests.purpose']!).fill('Server web aplikasi SIPD Biro Adpim');
    await form.getByLabel(T['requests.ports']!).fill('80, 443');
  }

  it('should say before the form is filled that no agreement is in force, with a link to the agreement page', async () => {
    await fillRequestForm('sipd-web-01');
    const form = page.getByRole('form', { name: T['requests.formTitle'] });
    const guidance = page.getByTestId('guidance');
    await guidance.getByText(/belum memiliki perjanjian .* Dra\. Siti Kepala Biro menandatanganinya di menu Perjanjian/).waitFor();
    expect(await form.getByRole('button', { name: T['requests.submit'] }).isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await guidance.getByRole('link', { name: T['guidance.openAgreements'] }).click();
    await page.getByRole('heading', { level: 1, name: T['agreements.title'] }).waitFor();
    await page.getByText(T['agreements.empty']!).waitFor();
  });

  it('should say before submission that the agreement does not cover an application it does not list, naming it', async () => {
    const { db } = stack;
    const agreementId = await makeAgreementInForce(db, world.institutionId);
    const other = await db
      .insertInto('applications')
      .values({
        institutionId: world.institutionId,
        name: 'Aplikasi Lain Biro',
        kind: 'khusus',
        picName: 'Ani',
        picNip: '198703152010011003',
        picEmail: 'ani@biro.kalteng.go.id',
        dataClassification: 'rendah',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('agreementApplications').values({ agreementId, applicationId: other.id }).execute();
    try {
      await fillRequestForm('sipd-web-02');
      const form = page.getByRole('form', { name: T['requests.formTitle'] });
      await page
        .getByTestId('guidance')
        .getByText(/Aplikasi SIPD Biro Adpim tidak tercantum dalam perjanjian/)
        .waitFor();
      expect(await form.getByRole('button', { name: T['requests.submit'] }).isDisabled()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await db.deleteFrom('agreementApplications').where('agreementId', '=', agreementId).execute();
      await db.deleteFrom('agreements').where('id', '=', agreementId).execute();
      await db.deleteFrom('applications').where('id', '=', other.id).execute();
    }
  });

  it('should validate as people type, show the quota left, submit, and follow the approval live', async () => {
    await makeAgreementInForce(stack.db, world.institutionId);
    await fillRequestForm('1-salah');
    const form = page.getByRole('form', { name: T['requests.formTitle'] });
    const hostname = form.getByLabel(T['requests.hostname']!);
    await form.getByText(CONTRACT_MESSAGES.hostname.id).waitFor();
    expect(await hostname.getAttribute('aria-invalid')).toBe('true');
    await hostname.fill('sipd-web-01');
    expect(await hostname.getAttribute('aria-invalid')).toBeNull();

    // one key per field: two pasted into one is refused by the shared parser, then split into two fields
    const key1 = form.getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true });
    await key1.fill(`${testSshKey('a@x')}\n${testSshKey('b@x')}`);
    expect(await key1.getAttribute('aria-invalid')).toBe('true');
    await key1.fill(testSshKey('budi@laptop'));
    await form.getByRole('button', { name: T['requests.addKey'] }).click();
    await form
      .getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 2 }), exact: true })
      .fill('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 pendek');
    expect(await form.getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 2 }), exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await form.getByRole('button', { name: fill(T['requests.removeKeyLabel']!, { n: 2 }) }).click();

    // the quota left follows the chosen size: 16 vCPU − 2 (Sedang) = 14; custom 20 vCPU is over
    const quota = page.getByTestId('quota-left');
    await quota.getByText(fill(T['requests.quotaLeft']!, { left: 14, limit: 16, unit: T['unit.vcpu']! })).waitFor();
    await form.getByLabel(T['requests.sizeCustom']!).check();
    await form.getByLabel(T['requests.cores']!, { exact: true }).fill('20');
    await form.getByText(fill(T['requests.outOfBounds']!, { min: 1, max: 8 })).waitFor();
    await quota.getByText(fill(T['requests.quotaOver']!, { over: 4, unit: T['unit.vcpu']! })).waitFor();
    await form.getByLabel('Sedang').check();

    await form.getByRole('button', { name: T['requests.submit'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: 'sipd-web-01' }) }).waitFor();
    requestId = page.url().split('/').pop() ?? '';
    await page.getByText(T['requests.streamLive']!).waitFor();
    await page.locator('.status').getByText(T['requests.status.submitted']!, { exact: true }).waitFor();

    // an operator approves over the API; the open page shows it through the event stream
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    const approved = await operator.post(`/vps-requests/${requestId}/approve`, { comment: 'Disetujui, sesuai perjanjian' });
    await operator.close();
    expect(approved.status).toBe(200);
    await page.getByText(fill(T['requests.approvedBy']!, { level: 1, name: 'Rina Operator' })).waitFor();
    await page.getByText('“Disetujui, sesuai perjanjian”').waitFor();
    await page.locator('.status').getByText(T['requests.status.queued']!, { exact: true }).waitFor();
    await page.getByRole('list', { name: T['requests.clockTitle'] }).getByText(T['requests.clockApproval']!).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should show the dashboard panels with real data and the request in flight', async () => {
    await page.getByRole('heading', { level: 1, name: T['dashboard.portalTitle'] }).waitFor();
    const inFlight = page.getByRole('region', { name: T['portal.inFlightTitle'] });
    await inFlight.getByRole('link', { name: 'sipd-web-01' }).waitFor();
    await page.getByRole('region', { name: T['portal.agreementTitle'] }).getByText(T['agreements.status.in_force']!).waitFor();
    await page
      .getByRole('region', { name: T['quota.title'] })
      .getByText(/2 dari 16 vCPU/)
      .waitFor();
    await page.getByRole('region', { name: T['portal.vmsTitle'] }).getByText(T['vms.empty']!).waitFor();
  });

  it("should answer a request that is not the institution's with the API's not-found message", async () => {
    await open('/vps-requests/00000000-0000-4000-8000-000000000000', T['requests.detailTitle']!);
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    expect(await page.getByTestId('run').count()).toBe(0);
  });

  it('should offer power actions on a VM with confirmation, and decommission only with a reason', async () => {
    // what the worker would have left behind: the run finished, the request active with its VM
    await stack.db.updateTable('provisioningRuns').set({ status: 'succeeded', progress: 100 }).where('requestId', '=', requestId).execute();
    await stack.db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', requestId).execute();
    await stack.db
      .insertInto('vms')
      .values({
        requestId,
        institutionId: world.institutionId,
        vmid: 100_123,
        node: 'pve1',
        name: 'sipd-web-01',
        cores: 2,
        memoryMiB: 4096,
        diskGiB: 40,
        state: 'running',
      })
      .execute();
    await open('/vms', T['vms.title']!);
    const card = page.getByRole('region', { name: 'sipd-web-01' });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    expect(
      await card
        .getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.action.start']!, name: 'sipd-web-01' }) })
        .count(),
    ).toBe(0);

    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.decommission']!, name: 'sipd-web-01' }) }).click();
    const confirm = card.getByRole('group', { name: fill(T['vms.decommissionTitle']!, { name: 'sipd-web-01' }) });
    await confirm.getByRole('button', { name: T['vms.decommissionConfirm'] }).click();
    expect(await confirm.getByLabel(T['vms.reason']!).getAttribute('aria-invalid')).toBe('true');
    await confirm.getByRole('button', { name: T['common.cancel'] }).click();

    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.action.reboot']!, name: 'sipd-web-01' }) }).click();
    await card
      .getByRole('group', { name: fill(T['vms.confirm.reboot']!, { name: 'sipd-web-01' }) })
      .getByRole('button', { name: T['vms.action.reboot'] })
      .click();
    await card
      .getByRole('status')
      .filter({ hasText: fill(T['vms.queued']!, { action: T['vms.action.reboot']!, name: 'sipd-web-01' }) })
      .waitFor();
    const run = await stack.db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status'])
      .where('requestId', '=', requestId)
      .where('kind', '=', 'reboot')
      .executeTakeFirst();
    expect(run).toEqual({ kind: 'reboot', status: 'queued' });
    await card.getByRole('link', { name: T['vms.followProgress'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: 'sipd-web-01' }) }).waitFor();
    // the snapshot names no run kind; the queued run shows with its state (no worker runs in this test)
    await page.getByTestId('run').filter({ hasText: T['requests.runStatus.queued'] }).waitFor();
  });

  it('should decommission a VM only with its typed host name, show it retained until a date, and restore it within the grace period', async () => {
    // the reboot of the test above is what the worker would have finished by now
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('requestId', '=', requestId)
      .where('status', '=', 'queued')
      .execute();
    await open('/vms', T['vms.title']!);
    const card = page.getByRole('region', { name: 'sipd-web-01' });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();

    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.decommission']!, name: 'sipd-web-01' }) }).click();
    const confirm = card.getByRole('group', { name: fill(T['vms.decommissionTitle']!, { name: 'sipd-web-01' }) });
    await confirm.getByLabel(T['vms.reason']!).fill('Aplikasi dipindah ke PDN');
    const hostname = confirm.getByLabel(fill(T['vms.confirmHostname']!, { name: 'sipd-web-01' }));
    await hostname.fill('sipd-web-02');
    await confirm.getByRole('button', { name: T['vms.decommissionConfirm'] }).click();
    expect(await hostname.getAttribute('aria-invalid')).toBe('true');
    expect(await stack.db.selectFrom('vms').select('state').where('requestId', '=', requestId).executeTakeFirstOrThrow()).toEqual({
      state: 'running',
    });

    await hostname.fill('sipd-web-01');
    await confirm.getByRole('button', { name: T['vms.decommissionConfirm'] }).click();
    await card.getByText(T['vms.state.retained']!, { exact: true }).waitFor();
    const vm = await stack.db
      .selectFrom('vms')
      .select(['state', 'retainedUntil'])
      .where('requestId', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(vm.state).toBe('retained');
    await card.getByText(T['vms.retainedUntil']!, { exact: true }).waitFor();
    // no power actions on a retained VM, only restore
    expect(
      await card
        .getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.action.reboot']!, name: 'sipd-web-01' }) })
        .count(),
    ).toBe(0);

    // the worker stops the VM (no worker runs in this test): its stop run finished
    const stop = await stack.db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'status'])
      .where('requestId', '=', requestId)
      .where('kind', '=', 'stop')
      .executeTakeFirstOrThrow();
    expect(stop.status).toBe('queued');
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('id', '=', stop.id)
      .execute();

    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.restore']!, name: 'sipd-web-01' }) }).click();
    await card
      .getByRole('group', { name: fill(T['vms.restoreTitle']!, { name: 'sipd-web-01' }) })
      .getByRole('button', { name: T['vms.restore'] })
      .click();
    await card
      .getByRole('status')
      .filter({ hasText: fill(T['vms.restoreQueued']!, { name: 'sipd-web-01' }) })
      .waitFor();
    await card.getByText(T['vms.state.stopped']!, { exact: true }).waitFor();
    expect(
      await stack.db.selectFrom('vms').select(['state', 'retainedUntil']).where('requestId', '=', requestId).executeTakeFirstOrThrow(),
    ).toEqual({ state: 'stopped', retainedUntil: null });
    const start = await stack.db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status'])
      .where('requestId', '=', requestId)
      .where('kind', '=', 'start')
      .executeTakeFirst();
    expect(start).toEqual({ kind: 'start', status: 'queued' });
  });

  it("should make staff's decommission of a strategis application wait for the head, who approves it on the VM page", async () => {
    // the start of the restore above is what the worker would have finished by now
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('requestId', '=', requestId)
      .where('status', '=', 'queued')
      .execute();
    await stack.db.updateTable('applications').set({ dataClassification: 'strategis' }).where('id', '=', world.applicationId).execute();
    try {
      await open('/vms', T['vms.title']!);
      const card = page.getByRole('region', { name: 'sipd-web-01' });
      await card
        .getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.decommission']!, name: 'sipd-web-01' }) })
        .click();
      const confirm = card.getByRole('group', { name: fill(T['vms.decommissionTitle']!, { name: 'sipd-web-01' }) });
      await confirm.getByLabel(T['vms.reason']!).fill('Sistem digantikan aplikasi provinsi');
      await confirm.getByLabel(fill(T['vms.confirmHostname']!, { name: 'sipd-web-01' })).fill('sipd-web-01');
      await confirm.getByRole('button', { name: T['vms.decommissionConfirm'] }).click();
      await card
        .getByRole('status')
        .filter({ hasText: fill(T['vms.decommissionAwaiting']!, { name: 'sipd-web-01' }) })
        .waitFor();
      const waiting = card.getByRole('group', { name: fill(T['vms.awaitingHeadTitle']!, { name: 'sipd-web-01' }) });
      await waiting.waitFor();
      // staff may withdraw their own request but not approve it; the VM is untouched meanwhile
      expect(await waiting.getByRole('button', { name: T['vms.approveDecommission'] }).count()).toBe(0);
      await waiting.getByRole('button', { name: T['vms.withdrawDecommission'] }).waitFor();
      expect((await stack.db.selectFrom('vms').select('state').where('requestId', '=', requestId).executeTakeFirstOrThrow()).state).toBe(
        'stopped',
      );

      await browser.context.clearCookies();
      await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
      await open('/vms', T['vms.title']!);
      const headCard = page.getByRole('region', { name: 'sipd-web-01' });
      await headCard
        .getByRole('group', { name: fill(T['vms.awaitingHeadTitle']!, { name: 'sipd-web-01' }) })
        .getByRole('button', { name: T['vms.approveDecommission'] })
        .click();
      await headCard.getByText(T['vms.state.retained']!, { exact: true }).waitFor();
      expect((await stack.db.selectFrom('vms').select('state').where('requestId', '=', requestId).executeTakeFirstOrThrow()).state).toBe(
        'retained',
      );
      const decided = await stack.db
        .selectFrom('vmDecommissions')
        .select(['status', 'decidedBy'])
        .where('requestId', '=', requestId)
        .where('reason', '=', 'Sistem digantikan aplikasi provinsi')
        .executeTakeFirstOrThrow();
      expect(decided.status).toBe('approved');
    } finally {
      await stack.db.updateTable('applications').set({ dataClassification: 'rendah' }).where('id', '=', world.applicationId).execute();
    }
  });

  it('should pass axe on the portal pages on desktop and phone', async () => {
    const pages: [string, string][] = [
      ['/', T['dashboard.portalTitle']!],
      ['/applications', T['apps.title']!],
      ['/vps-requests/new', T['requests.newTitle']!],
      ['/vps-requests', T['requests.title']!],
      [`/vps-requests/${requestId}`, fill(T['requests.detailTitleHost']!, { hostname: 'sipd-web-01' })],
      ['/vms', T['vms.title']!],
      ['/agreements', T['agreements.title']!],
    ];
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      for (const [path, heading] of pages) {
        await open(path, heading);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect({ path, violations: await seriousViolations(page) }).toEqual({ path, violations: [] });
      }
    }
  });
});
