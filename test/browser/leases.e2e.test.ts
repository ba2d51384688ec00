import { makeQueuedProvisionRun, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;

/** YYYY-MM-DD `days` from today (UTC date; the test only needs days ahead and behind). */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Leases in real Chromium: an operator drafts the renewal on the agreement page, both heads sign
 * it in the browser, and the VPS shows under the renewal; a VPS whose agreement ended shows its
 * grace period on the VM card, then (as the lease sweep leaves it) stopped with its destruction
 * day on the agreement page, where the operator cancels the destruction and restarts it.
 */
describe('leases and renewal (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let current: { id: string; number: string };
  let staffEmail: string;

  async function makeVm(name: string, vmid: number, agreementId: string): Promise<string> {
    const q = await makeQueuedProvisionRun(stack.db, { ports: [], hostname: name, enqueue: false, poolOctet: 100 + (vmid % 50) });
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', progress: 100, finishedAt: new Date() })
      .where('id', '=', q.runId)
      .execute();
    await stack.db
      .updateTable('vpsRequests')
      .set({ status: 'active', institutionId: world.institutionId })
      .where('id', '=', q.requestId)
      .execute();
    const vm = await stack.db
      .insertInto('vms')
      .values({
        requestId: q.requestId,
        institutionId: world.institutionId,
        agreementId,
        vmid,
        node: 'pve1',
        name,
        cores: 2,
        memoryMiB: 4096,
        diskGiB: 40,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return vm.id;
  }

  async function signInBrowser(email: string) {
    await signIn(page, stack.baseUrl, email, TEST_PASSWORD);
  }

  async function signHere(): Promise<void> {
    const form = page.getByRole('form', { name: T['agreements.signTitle'] });
    await form.getByLabel(T['agreements.password']!).fill(TEST_PASSWORD);
    await form.getByRole('checkbox').check();
    await form.getByRole('button', { name: T['agreements.signSubmit'] }).click();
  }

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db, 'Dinas Sewa Uji');
    staffEmail = world.staffEmail;
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    const generated = await generateAgreement(operator, world);
    await operator.close();
    for (const email of [world.headEmail, world.dcHeadEmail]) {
      const head = await apiSession(stack.baseUrl, email);
      const signed = await head.post(`/agreements/${generated.id}/signatures`, { password: TEST_PASSWORD, consent: true });
      if (signed.status !== 201) throw new Error(`sign: ${signed.status} ${JSON.stringify(signed.body)}`);
      await head.close();
    }
    const row = await stack.db.selectFrom('agreements').select(['id', 'number']).where('id', '=', generated.id).executeTakeFirstOrThrow();
    current = row;
    await makeVm('sewa-app-01', 100_501, current.id);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  it('drafts the renewal, both heads sign it, and the VPS moves to it', async () => {
    await signInBrowser(world.operatorEmail);
    await page.goto(`${stack.baseUrl}/agreements/${current.id}#renewal`);
    const leases = page.getByRole('region', { name: T['leases.title'] });
    await leases.getByTestId('lease-row').filter({ hasText: 'sewa-app-01' }).locator('[data-lease-state="covered"]').waitFor();
    await page.getByRole('button', { name: T['leases.renew'] }).click();
    await page.getByRole('status').filter({ hasText: T['leases.renewed'] }).waitFor();
    await page.getByRole('link', { name: T['leases.openRenewal'] }).click();
    await page.getByText(T['agreements.status.awaiting_institution_head']!, { exact: true }).waitFor();
    const renewalUrl = page.url();
    const renewalId = renewalUrl.split('/agreements/')[1]!.split(/[?#]/)[0]!;
    expect(renewalId).not.toBe(current.id);
    // the same ceiling and applications, from the day after the current one ends
    await page.getByText('SIPD Biro Adpim').first().waitFor();

    for (const email of [world.headEmail, world.dcHeadEmail]) {
      await page.context().clearCookies();
      await signInBrowser(email);
      await page.goto(renewalUrl);
      await signHere();
      await page
        .locator('ol.timeline li')
        .nth(email === world.headEmail ? 0 : 1)
        .waitFor();
    }
    await page.getByText(fill(T['agreements.signed']!, { status: T['agreements.status.in_force']! })).waitFor();

    // the VPS is now covered by the renewal: listed on its page, and its VM card links to it
    await page.context().clearCookies();
    await signInBrowser(staffEmail);
    await page.goto(renewalUrl);
    await page
      .getByRole('region', { name: T['leases.title'] })
      .getByTestId('lease-row')
      .filter({ hasText: 'sewa-app-01' })
      .locator('[data-lease-state="covered"]')
      .waitFor();
    const moved = await stack.db.selectFrom('vms').select('agreementId').where('name', '=', 'sewa-app-01').executeTakeFirstOrThrow();
    expect(moved.agreementId).toBe(renewalId);
    const renewal = await stack.db.selectFrom('agreements').select('number').where('id', '=', renewalId).executeTakeFirstOrThrow();
    await page.goto(`${stack.baseUrl}/vms`);
    const card = page.getByTestId('vm-card').filter({ hasText: 'sewa-app-01' });
    await card.getByRole('link', { name: fill(T['leases.coveredBy']!, { number: renewal.number }) }).waitFor();
  });

  it('shows a grace period, then the stop, and lets the operator cancel the destruction and restart the VPS', async () => {
    const vmId = await makeVm('sewa-app-02', 100_502, current.id);
    await stack.db
      .insertInto('vmLeases')
      .values({ vmId, agreementId: current.id, state: 'grace', endedOn: day(-2), graceUntil: day(28) })
      .execute();
    await signInBrowser(staffEmail);
    await page.goto(`${stack.baseUrl}/vms`);
    const card = page.getByTestId('vm-card').filter({ hasText: 'sewa-app-02' });
    await card.locator('[data-lease-state="grace"]').getByText(T['leases.state.grace']!, { exact: true }).waitFor();
    // institution staff see the lease, never the operator's buttons
    await page.goto(`${stack.baseUrl}/agreements/${current.id}`);
    await page.getByRole('region', { name: T['leases.title'] }).locator('[data-lease-state="grace"]').waitFor();
    expect(await page.getByRole('button', { name: fill(T['leases.extendLabel']!, { name: 'sewa-app-02' }) }).count()).toBe(0);

    // as the lease sweep leaves it after the kept backup and the stop run
    await stack.db.updateTable('vms').set({ state: 'stopped' }).where('id', '=', vmId).execute();
    await stack.db
      .updateTable('vmLeases')
      .set({ state: 'stopped', graceUntil: day(-1), stoppedOn: day(-1), destroyOn: day(29) })
      .where('vmId', '=', vmId)
      .execute();
    await page.context().clearCookies();
    await signInBrowser(world.operatorEmail);
    await page.goto(`${stack.baseUrl}/agreements/${current.id}`);
    const row = page.getByRole('region', { name: T['leases.title'] }).getByTestId('lease-row').filter({ hasText: 'sewa-app-02' });
    await row.locator('[data-lease-state="stopped"]').getByText(T['leases.state.stopped']!, { exact: true }).waitFor();
    await row.getByText(/^Dihapus pada /).waitFor();

    await row.getByRole('button', { name: fill(T['leases.cancelLabel']!, { name: 'sewa-app-02' }) }).click();
    await page.getByRole('button', { name: T['leases.cancelDestruction'], exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['leases.cancelled']!, { name: 'sewa-app-02' }) })
      .waitFor();
    await row.getByText(T['leases.destroyCancelled']!).waitFor();
    expect(await row.getByText(/^Dihapus pada /).count()).toBe(0);

    await row.getByRole('button', { name: fill(T['leases.restartLabel']!, { name: 'sewa-app-02' }) }).click();
    await page.getByRole('button', { name: T['leases.restart'], exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['leases.restarted']!, { name: 'sewa-app-02' }) })
      .waitFor();
    await row.locator('[data-lease-state="grace"]').waitFor();
    const run = await stack.db
      .selectFrom('provisioningRuns')
      .innerJoin('vms', 'vms.requestId', 'provisioningRuns.requestId')
      .select(['provisioningRuns.kind', 'provisioningRuns.status'])
      .where('vms.id', '=', vmId)
      .where('provisioningRuns.kind', '=', 'start')
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ kind: 'start', status: 'queued' });
    const audit = await stack.db.selectFrom('auditLog').select('action').where('targetId', '=', vmId).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['vm.lease_destruction_cancelled', 'vm.lease_restarted']);
  });

  it('shows operators the lease policy read-only (admins change it)', async () => {
    await signInBrowser(world.operatorEmail);
    await page.goto(`${stack.baseUrl}/operator/settings`);
    const form = page.getByRole('form', { name: T['leases.policy.title'] });
    expect(await form.getByLabel(T['leases.policy.graceDays']!).inputValue()).toBe('30');
    expect(await form.getByLabel(T['leases.policy.destroyAfterDays']!).inputValue()).toBe('30');
    expect(await form.getByLabel(T['leases.policy.graceDays']!).getAttribute('readonly')).not.toBeNull();
    expect(await form.getByRole('button', { name: T['leases.policy.save'] }).count()).toBe(0);
  });
});
