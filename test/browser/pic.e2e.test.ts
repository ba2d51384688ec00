import { Role } from '@betang/core';
import { makeAgreementInForce, makeCatalog, makeInstitution, makeRunningVm, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, DESKTOP, launchBrowser, openCleanPage, PHONE, signIn, TEXT, type Browser } from './support/browser';
import { fill } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

describe('a VM responsible person (PIC) hand-over in the web app (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let institutionId: string;
  let adminEmail: string;
  let headEmail: string;
  let operatorEmail: string;
  let picId: string;
  let successorId: string;
  let vmIds: string[];

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    const { db } = stack;
    await makeCatalog(db);
    const institution = await makeInstitution(db, { name: 'Biro Administrasi Pimpinan' });
    institutionId = institution.id;
    await makeAgreementInForce(db, institution.id);
    adminEmail = (await makeUser(db, { roles: [Role.Admin] })).email;
    operatorEmail = (await makeUser(db, { roles: [Role.Operator], name: 'Rina Operator' })).email;
    headEmail = (await makeUser(db, { roles: [Role.InstitutionHead], institutionId, name: 'Dra. Siti Kepala Biro' })).email;
    picId = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId, name: 'Budi Staf' })).id;
    successorId = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId, name: 'Citra Penerus' })).id;
    await makeInstitution(db, { name: 'Dinas Pendidikan' });
    vmIds = [];
    for (const name of ['sipd-web-01', 'sipd-db-01'])
      vmIds.push((await makeRunningVm(db, { institutionId, requestedBy: picId, picUserId: picId, name })).vmId);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  it('an admin deactivates the PIC; the head sees the VMs on the dashboard and hands them over in bulk (desktop and phone, axe clean)', async () => {
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/institutions/${institutionId}`);
    await page.getByRole('button', { name: fill(T['users.editLabel']!, { name: 'Budi Staf' }) }).click();
    const edit = page.getByRole('form', { name: fill(T['users.editTitle']!, { name: 'Budi Staf' }) });
    await edit.getByRole('button', { name: T['users.deactivate'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.deactivated']!, { name: 'Budi Staf' }) })
      .waitFor();
    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await page.getByRole('heading', { level: 1, name: T['signIn.title'] }).waitFor();

    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    // The operators' report is not an institution head's.
    await page.getByRole('navigation').getByRole('link', { name: T['pic.nav'] }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: T['pic.reportNav'] }).count()).toBe(0);
    const panel = page.getByRole('region', { name: T['pic.panelTitle'] });
    await panel.getByText('sipd-web-01').waitFor();
    await panel.getByText('sipd-db-01').waitFor();
    expect(await panel.getByText(T['pic.problem.inactive']!).count()).toBe(2);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.waitForLoadState('networkidle');
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.setViewportSize(DESKTOP);
    await panel.getByRole('link', { name: T['pic.panelAct'] }).click();
    await page.getByRole('heading', { level: 1, name: T['pic.title'] }).waitFor();
    await page.getByRole('region', { name: fill(T['pic.listTitle']!, { count: 2 }) }).waitFor();

    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.waitForLoadState('networkidle');
      expect(await seriousViolations(page)).toEqual([]);
    }

    await page.getByRole('button', { name: T['pic.selectNeeded'] }).click();
    const form = page.getByRole('form', { name: T['pic.handOverTitle'] });
    await form.getByText(fill(T['pic.handOverIntro']!, { count: 2 })).waitFor();
    const options = await form.getByLabel(T['pic.newPerson']!).locator('option').allTextContents();
    expect(options.some((o) => o.startsWith('Citra Penerus'))).toBe(true);
    expect(options.some((o) => o.startsWith('Budi Staf'))).toBe(false);
    await form.getByLabel(T['pic.newPerson']!).selectOption({ label: options.find((o) => o.startsWith('Citra Penerus'))! });
    await form.getByRole('button', { name: T['pic.handOver'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['pic.handedOver']!, { count: 2, name: 'Citra Penerus' }) })
      .waitFor();
    await page.getByRole('region', { name: fill(T['pic.listTitle']!, { count: 0 }) }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const rows = await stack.db.selectFrom('vms').select('picUserId').where('id', 'in', vmIds).execute();
    expect(rows.map((r) => r.picUserId)).toEqual([successorId, successorId]);

    // Each VM card of the institution names its PIC.
    await page.goto(`${stack.baseUrl}/vms`);
    const cards = page.getByTestId('vm-card');
    await cards.first().waitFor();
    const facts = await cards.allTextContents();
    expect(facts).toHaveLength(2);
    for (const card of facts) expect(card).toContain(`${T['pic.vmLabel']}Citra Penerus`);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('an admin moves the new PIC to another institution from the edit panel; the VMs need a PIC again', async () => {
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/institutions/${institutionId}`);
    await page.getByRole('button', { name: fill(T['users.editLabel']!, { name: 'Citra Penerus' }) }).click();
    const edit = page.getByRole('form', { name: fill(T['users.editTitle']!, { name: 'Citra Penerus' }) });
    await edit.getByLabel(T['pic.moveTo']!).selectOption({ label: 'Dinas Pendidikan' });
    expect(await seriousViolations(page)).toEqual([]);
    await edit.getByRole('button', { name: T['pic.move'], exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['pic.moved']!, { name: 'Citra Penerus', institution: 'Dinas Pendidikan' }) })
      .waitFor();
    const rows = await stack.db.selectFrom('vms').select('picUserId').where('id', 'in', vmIds).execute();
    expect(rows.map((r) => r.picUserId)).toEqual([successorId, successorId]);
    await page.getByRole('link', { name: T['pic.institutionLink'] }).click();
    await page.getByRole('heading', { level: 1, name: T['pic.title'] }).waitFor();
    await page.getByRole('region', { name: fill(T['pic.listTitle']!, { count: 2 }) }).waitFor();
    expect(await page.getByText(T['pic.problem.moved']!).count()).toBe(2);
  });

  it("shows operators the report (desktop and phone, axe clean), each VM linking to its institution's PIC page", async () => {
    await stack.db.updateTable('vms').set({ picUserId: null }).where('id', '=', vmIds[0]!).execute();
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['pic.reportNav'] }).click();
    await page.getByRole('heading', { level: 1, name: T['pic.reportTitle'] }).waitFor();
    const without = page.getByRole('region', { name: T['pic.withoutTitle'] });
    await without.getByText('sipd-web-01').waitFor();
    await without.getByText(T['pic.problem.none']!).waitFor();
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.waitForLoadState('networkidle');
      expect(await seriousViolations(page)).toEqual([]);
    }
    await without.getByRole('link', { name: fill(T['pic.nameFor']!, { name: 'sipd-web-01' }) }).click();
    await page.getByRole('heading', { level: 1, name: T['pic.title'] }).waitFor();
    await page.getByRole('region', { name: fill(T['pic.listTitle']!, { count: 2 }) }).waitFor();
  });
});
