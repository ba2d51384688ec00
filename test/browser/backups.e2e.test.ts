import {
  CONTRACT_MESSAGES,
  DEFAULT_BACKUP_POLICY,
  DEFAULT_RESTORE_TEST_POLICY,
  Role,
  ZBackupPolicy,
  ZRestoreTestPolicy,
} from '@betang/core';
import { getSetting } from '@betang/db';
import { makeAgreementInForce, makeUser, testSshKey, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { fill, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

describe('backups in the web app (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let adminEmail: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
    adminEmail = (await makeUser(stack.db, { roles: [Role.Admin] })).email;
    const { db } = stack;
    const staff = await db.selectFrom('users').select('id').where('email', '=', world.staffEmail).executeTakeFirstOrThrow();
    const request = await db
      .insertInto('vpsRequests')
      .values({
        institutionId: world.institutionId,
        applicationId: world.applicationId,
        requestedBy: staff.id,
        hostname: 'sipd-db-01',
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: [testSshKey()],
        purpose: 'Basis data SIPD',
        contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'pic@kalteng.go.id' }),
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: request.id,
        institutionId: world.institutionId,
        vmid: 100_321,
        node: 'pve1',
        name: 'sipd-db-01',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const base = { vmId: vm.id, node: 'pve1', vmid: 100_321, storage: 'pbs' };
    await db
      .insertInto('vmBackups')
      .values([
        {
          // the final backup of an ended lease: the oldest row, so the restore tests below meet the nightly one first
          ...base,
          backupDate: '2026-12-05',
          kept: true,
          startedAt: new Date('2026-12-04T10:00:00Z'),
          finishedAt: new Date('2026-12-04T10:03:00Z'),
          outcome: 'ok',
          volid: 'pbs:backup/vm/100321/2026-12-04T10:00:00Z',
          sizeBytes: 5 * 1024 ** 3,
          durationSeconds: 180,
        },
        {
          ...base,
          backupDate: '2026-12-06',
          startedAt: new Date('2026-12-05T18:20:00Z'),
          finishedAt: new Date('2026-12-05T18:24:10Z'),
          outcome: 'ok',
          volid: 'pbs:backup/vm/100321/2026-12-05T18:20:00Z',
          sizeBytes: 5 * 1024 ** 3,
          durationSeconds: 250,
          downtimeSeconds: 35,
        },
        {
          ...base,
          backupDate: '2026-12-07',
          startedAt: new Date('2026-12-06T18:20:00Z'),
          finishedAt: new Date('2026-12-06T18:20:02Z'),
          outcome: 'failed',
          error: JSON.stringify({
            id: 'Tugas vzdump di pve1 gagal: VM is locked (snapshot)',
            en: 'The vzdump task on pve1 failed: VM is locked (snapshot)',
          }),
        },
      ])
      .execute();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  it('an admin changes the retention of a class on the settings page; a retention below one day is refused on the field', async () => {
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/operator/settings`);
    await page.getByRole('heading', { level: 1, name: T['opSettings.title'] }).waitFor();
    const form = page.getByRole('form', { name: T['backups.policyTitle'] });
    const rendah = form.getByRole('group', { name: fill(T['backups.class']!, { name: T['apps.class.rendah']! }) });
    await rendah.getByLabel(T['backups.keepDaily']!).fill('9');
    await rendah.getByLabel(T['backupList.mode']!).selectOption('stop');
    await form.getByRole('button', { name: T['backups.save'] }).click();
    await form.getByText(T['opSettings.saved']!).waitFor();
    const saved = await getSetting(stack.db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
    expect(saved.classes.rendah.keepDaily).toBe(9);
    expect(saved.classes.rendah.mode).toBe('stop');
    expect(saved.classes.tinggi).toEqual(DEFAULT_BACKUP_POLICY.classes.tinggi);
    await rendah.getByLabel(T['backups.keepDaily']!).fill('0');
    await form.getByRole('button', { name: T['backups.save'] }).click();
    await rendah.locator('[aria-invalid="true"]').first().waitFor();
    expect((await getSetting(stack.db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY)).classes.rendah.keepDaily).toBe(9);
  });

  it('the owner sees the VM’s backups with its class’s schedule and retention, and why a night failed', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vms`);
    await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
    const card = page.getByRole('region', { name: 'sipd-db-01' });
    await card.getByText(T['backups.panelTitle']!, { exact: true }).click();
    await card.getByText(fill(T['backups.policyLine']!, { start: '01:00', end: '05:00', daily: 9, weekly: 4, monthly: 0 })).waitFor();
    await card.getByText(T['backups.outcome.ok']!, { exact: true }).first().waitFor();
    expect(await card.getByText(T['backups.outcome.ok']!, { exact: true }).count()).toBe(2);
    await card.getByText(T['backups.outcome.failed']!, { exact: true }).waitFor();
    await card.getByText('Tugas vzdump di pve1 gagal: VM is locked (snapshot)').waitFor();
    await card.getByText('250 detik').waitFor();
    // a stop-mode backup: the owner sees how long the VPS was off
    await card.getByText(fill(T['backupList.downtime']!, { n: 35 })).waitFor();
    // the kept final backup is marked, and only that one
    await card.getByText(T['backupList.kept']!, { exact: true }).waitFor();
    expect(await card.getByText(T['backupList.kept']!, { exact: true }).count()).toBe(1);
    const keptRow = card.getByRole('row').filter({ hasText: T['backupList.kept']! });
    await keptRow.getByText('180 detik').waitFor();
  });

  it('an admin sets the monthly test-restore policy; a reversed vmid range is refused on the field in Indonesian', async () => {
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/operator/settings`);
    await page.getByRole('heading', { level: 1, name: T['opSettings.title'] }).waitFor();
    const form = page.getByRole('form', { name: T['restoreTests.policyTitle'] });
    await form.getByLabel(T['restoreTests.spreadDays']!).fill('14');
    await form.getByLabel(T['restoreTests.perNodeLimit']!).fill('2');
    await form.getByRole('button', { name: T['restoreTests.save'] }).click();
    await form.getByText(T['opSettings.saved']!).waitFor();
    const read = () => getSetting(stack.db, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY);
    expect(await read()).toEqual({ ...DEFAULT_RESTORE_TEST_POLICY, spreadDays: 14, perNodeLimit: 2 });

    await form.getByLabel(T['restoreTests.vmidMin']!).fill('990900');
    await form.getByLabel(T['restoreTests.vmidMax']!).fill('990100');
    await form.getByRole('button', { name: T['restoreTests.save'] }).click();
    await form.locator('[aria-invalid="true"]').first().waitFor();
    await form.getByText(CONTRACT_MESSAGES.vmidRangeOrder.id).first().waitFor();
    expect((await read()).vmidMax).toBe(DEFAULT_RESTORE_TEST_POLICY.vmidMax);
  });

  it('the owner restores a finished backup over the VM after confirming that newer data is lost; it waits for approval', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vms`);
    await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
    const card = page.getByRole('region', { name: 'sipd-db-01' });
    await card.getByText(T['backups.panelTitle']!, { exact: true }).click();
    await card.getByText(T['backups.outcome.failed']!, { exact: true }).waitFor();
    // only finished backups (the nightly one and the kept final one) offer a restore
    const restoreButtons = card.getByRole('button', { name: new RegExp(`^${T['restores.actionLabel']!.split('{')[0]!}`) });
    expect(await restoreButtons.count()).toBe(2);
    await restoreButtons.first().click();
    const confirm = card.getByRole('button', { name: T['restores.confirm'] });
    expect(await confirm.isDisabled()).toBe(true);
    await card.getByLabel(T['restores.understood']!).check();
    await confirm.click();
    await card.getByText(new RegExp(T['restores.awaitingApproval']!.split('{')[0]!)).waitFor();
    const run = await stack.db
      .selectFrom('provisioningRuns')
      .innerJoin('vms', 'vms.id', 'provisioningRuns.vmId')
      .select(['provisioningRuns.kind', 'provisioningRuns.status', 'provisioningRuns.params'])
      .where('vms.vmid', '=', 100_321)
      .where('provisioningRuns.kind', '=', 'restore')
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ kind: 'restore', status: 'awaiting_approval', params: { mode: 'in_place' } });
  });

  it('the owner restores a backup into a new VM with its own hostname; it becomes a new request in the approval queue', async () => {
    // a new VM is a new request: the agreement in force must cover it
    await makeAgreementInForce(stack.db, world.institutionId);
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vms`);
    await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
    const card = page.getByRole('region', { name: 'sipd-db-01' });
    await card.getByText(T['backups.panelTitle']!, { exact: true }).click();
    await card.getByText(T['backups.outcome.failed']!, { exact: true }).waitFor();
    await card
      .getByRole('button', { name: new RegExp(`^${T['restores.actionLabel']!.split('{')[0]!}`) })
      .first()
      .click();
    await card.getByRole('group', { name: T['backups.restoreTarget'] }).getByLabel(T['backups.restoreTargetNew']!).check();
    const confirm = card.getByRole('button', { name: T['backups.restoreNewConfirm'] });
    expect(await confirm.isDisabled()).toBe(true);
    // a hostname the guest would refuse is refused by the API with its reason, nothing written
    await card.getByLabel(T['backups.restoreNewHostname']!).fill('Bad_Name');
    await card.getByLabel(T['backups.restoreNewUnderstood']!).check();
    await confirm.click();
    await card.getByRole('alert').first().waitFor();
    expect(await stack.db.selectFrom('vpsRequests').select('id').where('restoreFromBackupId', 'is not', null).execute()).toHaveLength(0);
    await card.getByLabel(T['backups.restoreNewHostname']!).fill('sipd-db-pulih');
    await confirm.click();
    await card.getByText(new RegExp(T['backups.restoreNewAwaiting']!.split('{')[0]!)).waitFor();
    const created = await stack.db
      .selectFrom('vpsRequests')
      .select(['hostname', 'status', 'institutionId', 'applicationId'])
      .where('restoreFromBackupId', 'is not', null)
      .execute();
    expect(created).toEqual([
      { hostname: 'sipd-db-pulih', status: 'submitted', institutionId: world.institutionId, applicationId: world.applicationId },
    ]);
    const follow = card.getByRole('link', { name: T['vms.followProgress'] });
    expect(await follow.getAttribute('href')).not.toContain(
      (await stack.db.selectFrom('vms').select('requestId').where('vmid', '=', 100_321).executeTakeFirstOrThrow()).requestId,
    );
  });
});
