import { Role } from '@betang/core';
import { makeQueuedProvisionRun, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { fill } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

/**
 * The Snapshots panel of a VM in real Chromium: take one with RAM (a run is queued), see it
 * listed as it is taken and then available, roll back and delete only after confirming, and read
 * the refusal naming the limit. No worker runs here: the test moves the rows as the worker would.
 */
describe('VM snapshots panel (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let staffEmail: string;
  let adminEmail: string;
  let requestId: string;
  let vmId: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    const q = await makeQueuedProvisionRun(stack.db, { ports: [], hostname: 'simpeg-app-01', enqueue: false });
    requestId = q.requestId;
    staffEmail = (await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: q.institutionId })).email;
    adminEmail = (await makeUser(stack.db, { roles: [Role.Admin] })).email;
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('id', '=', q.runId)
      .execute();
    await stack.db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', requestId).execute();
    vmId = (
      await stack.db
        .insertInto('vms')
        .values({
          requestId,
          institutionId: q.institutionId,
          vmid: 100_321,
          node: 'pve1',
          name: 'simpeg-app-01',
          cores: 2,
          memoryMiB: 4096,
          diskGiB: 40,
          state: 'running',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, expect.getState().currentTestName?.includes('admin') ? adminEmail : staffEmail, TEST_PASSWORD);
  });

  afterEach(() => closeCheckedPage(page, problems));

  /** What the worker leaves when the latest run of the request succeeded. */
  async function finishLatestRun(snapshotStatus?: 'present' | 'deleted'): Promise<{ kind: string; params: unknown }> {
    const run = await stack.db
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'params'])
      .where('requestId', '=', requestId)
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('id', '=', run.id)
      .execute();
    const snapshotId = (run.params as { snapshotId: string }).snapshotId;
    if (snapshotStatus === 'present')
      await stack.db.updateTable('vmSnapshots').set({ status: 'present', takenAt: new Date() }).where('id', '=', snapshotId).execute();
    if (snapshotStatus === 'deleted')
      await stack.db.updateTable('vmSnapshots').set({ status: 'deleted', deletedAt: new Date() }).where('id', '=', snapshotId).execute();
    return run;
  }

  async function openPanel() {
    await page.goto(`${stack.baseUrl}/vms`);
    await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
    const card = page.getByRole('region', { name: 'simpeg-app-01', exact: true });
    await card.locator('summary', { hasText: T['snapshots.title']! }).click();
    const panel = card.getByRole('region', { name: fill(T['snapshots.regionLabel']!, { name: 'simpeg-app-01' }) });
    await panel.getByText(fill(T['snapshots.limits']!, { max: 3, days: 7 })).waitFor();
    return panel;
  }

  it('should take a snapshot with RAM after confirming, and list it while it is taken', async () => {
    const panel = await openPanel();
    await panel.getByText(T['snapshots.empty']!).waitFor();
    await panel.getByRole('button', { name: T['snapshots.take'] }).click();
    const confirm = panel.getByRole('group', { name: fill(T['snapshots.takeTitle']!, { name: 'simpeg-app-01' }) });
    await confirm.getByLabel(T['snapshots.label']!).fill('sebelum upgrade PHP');
    await confirm.getByLabel(T['snapshots.withRamChoice']!).check();
    await confirm.getByRole('button', { name: T['snapshots.take'] }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: fill(T['snapshots.takeQueued']!, { name: 'simpeg-app-01' }) })
      .waitFor();
    await panel.getByRole('cell', { name: 'sebelum upgrade PHP' }).waitFor();
    await panel.getByText(T['snapshots.status.creating']!, { exact: true }).waitFor();
    const row = await stack.db
      .selectFrom('vmSnapshots')
      .select(['label', 'withRam', 'status'])
      .where('vmId', '=', vmId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ label: 'sebelum upgrade PHP', withRam: true, status: 'creating' });
    expect((await finishLatestRun('present')).kind).toBe('snapshot');
  });

  it('should roll back and delete only after confirming, and name the limit when it is reached', async () => {
    const panel = await openPanel();
    await panel.getByText(T['snapshots.status.present']!, { exact: true }).waitFor();
    await panel.getByText(T['snapshots.withRam']!, { exact: true }).waitFor();

    await panel.getByRole('button', { name: fill(T['snapshots.rollbackLabel']!, { snapshot: 'sebelum upgrade PHP' }) }).click();
    const rollback = panel.getByRole('group', {
      name: fill(T['snapshots.rollbackTitle']!, { name: 'simpeg-app-01', snapshot: 'sebelum upgrade PHP' }),
    });
    await rollback.getByRole('button', { name: T['common.cancel'] }).click();
    expect(
      await stack.db
        .selectFrom('provisioningRuns')
        .select('id')
        .where('requestId', '=', requestId)
        .where('kind', '=', 'snapshot_rollback')
        .execute(),
    ).toEqual([]);
    await panel.getByRole('button', { name: fill(T['snapshots.rollbackLabel']!, { snapshot: 'sebelum upgrade PHP' }) }).click();
    await rollback.getByRole('button', { name: T['snapshots.rollback'] }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: fill(T['snapshots.rollbackQueued']!, { name: 'simpeg-app-01', snapshot: 'sebelum upgrade PHP' }) })
      .waitFor();
    expect(await finishLatestRun()).toMatchObject({ kind: 'snapshot_rollback', params: { start: true } });

    // the admins allow one snapshot per VM: taking a second is refused, naming the limit
    await stack.db
      .insertInto('settings')
      .values({ key: 'snapshot_policy', value: JSON.stringify({ maxPerVm: 1, maxAgeDays: 7 }) })
      .execute();
    await page.reload();
    const limited = page
      .getByRole('region', { name: 'simpeg-app-01' })
      .getByRole('region', { name: fill(T['snapshots.regionLabel']!, { name: 'simpeg-app-01' }) });
    await page.getByRole('region', { name: 'simpeg-app-01', exact: true }).locator('summary', { hasText: T['snapshots.title']! }).click();
    await limited.getByText(fill(T['snapshots.atLimit']!, { max: 1 })).waitFor();
    await limited.getByRole('button', { name: T['snapshots.take'] }).click();
    await limited
      .getByRole('group', { name: fill(T['snapshots.takeTitle']!, { name: 'simpeg-app-01' }) })
      .getByRole('button', { name: T['snapshots.take'] })
      .click();
    await limited.getByRole('alert').filter({ hasText: 'paling banyak 1 snapshot per VM' }).waitFor();

    await limited.getByRole('button', { name: fill(T['snapshots.deleteLabel']!, { snapshot: 'sebelum upgrade PHP' }) }).click();
    await limited
      .getByRole('group', { name: fill(T['snapshots.deleteTitle']!, { snapshot: 'sebelum upgrade PHP' }) })
      .getByRole('button', { name: T['snapshots.delete'] })
      .click();
    await limited.getByText(T['snapshots.status.deleting']!, { exact: true }).waitFor();
    expect((await finishLatestRun('deleted')).kind).toBe('snapshot_delete');
  });

  it('should let an admin change the snapshot limits, refusing a value out of range', async () => {
    await page.goto(`${stack.baseUrl}/operator/settings`);
    const form = page.getByRole('form', { name: T['snapshots.policy.title'] });
    const perVm = form.getByLabel(T['snapshots.policy.maxPerVm']!);
    await perVm.fill('21');
    await form.getByRole('button', { name: T['snapshots.policy.save'] }).click();
    expect(await perVm.getAttribute('aria-invalid')).toBe('true');
    await perVm.fill('5');
    await form.getByLabel(T['snapshots.policy.maxAgeDays']!).fill('14');
    await form.getByRole('button', { name: T['snapshots.policy.save'] }).click();
    await form.getByRole('status').filter({ hasText: T['opSettings.saved'] }).waitFor();
    const row = await stack.db.selectFrom('settings').select('value').where('key', '=', 'snapshot_policy').executeTakeFirstOrThrow();
    expect(row.value).toEqual({ maxPerVm: 5, maxAgeDays: 14 });
  });
});
