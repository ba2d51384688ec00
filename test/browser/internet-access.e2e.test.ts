import { Role } from '@betang/core';
import type { Db } from '@betang/db';
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
import { seriousViolations } from './support/axe';
import { closeCheckedPage, DESKTOP, launchBrowser, openCleanPage, PHONE, signIn, TEXT, type Browser } from './support/browser';
import { apiSession } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;

/** An institution that may submit (catalog, pool, application, quota, agreement) and its staff member's e-mail. */
async function institutionReady(db: Db, octet: number): Promise<{ staffEmail: string; institutionId: string; applicationId: string }> {
  await makeCatalog(db);
  await makeIpPool(db, { size: 20, octet });
  const admin = await makeUser(db, { roles: [Role.Admin] });
  const institution = await makeInstitution(db, { name: 'Dinas Komunikasi' });
  const applicationId = await makeApplication(db, institution.id, 'Portal Berita');
  await makeQuota(db, institution.id, admin.id, { cores: 32, memoryMiB: 65_536, diskGiB: 1000, vmCount: 8 });
  const agreementId = await makeAgreementInForce(db, institution.id);
  await db.insertInto('agreementApplications').values({ agreementId, applicationId }).execute();
  const staff = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
  return { staffEmail: staff.email, institutionId: institution.id, applicationId };
}

describe('internet access offered by 1:1 NAT (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let staffEmail: string;
  let requestId: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const { db } = stack;
    const ready = await institutionReady(db, 161);
    staffEmail = ready.staffEmail;
    const staff = await apiSession(stack.baseUrl, staffEmail);
    try {
      const answer = await staff.post('/vps-requests', {
        applicationId: ready.applicationId,
        hostname: 'berita-01',
        templateId: 'debian-12',
        presetId: 'small',
        sshPublicKeys: [testSshKey()],
        purpose: 'Portal berita pemerintah provinsi untuk publik',
        network: { publicAccess: true, ports: [80, 443] },
        contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '0812-5000-1234', email: 'budi@kalteng.go.id' },
      });
      if (answer.status !== 201) throw new Error(`submit: ${answer.status} ${JSON.stringify(answer.body)}`);
      requestId = (answer.body as { id: string }).id;
    } finally {
      await staff.close();
    }
    // Provisioned as the worker leaves it: the VM running, its public address held, 443 answering and 80 not yet.
    await db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', requestId).execute();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId,
        institutionId: ready.institutionId,
        name: 'berita-01',
        vmid: 4200,
        node: 'pve1',
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 20,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('publicEndpoints')
      .values({
        requestId,
        vmId: vm.id,
        mechanism: 'nat',
        publicAddress: '203.0.113.10',
        privateAddress: '10.161.0.10',
        ports: [80, 443],
        openPorts: [443],
        probedAt: new Date(),
      })
      .execute();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('should show the public address with the ports that answer on the VM card and the request page, and offer the checkbox', async () => {
    const { page, problems } = await openCleanPage(browser);
    try {
      await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
      for (const viewport of [DESKTOP, PHONE]) {
        await page.setViewportSize(viewport);

        await page.goto(`${stack.baseUrl}/vms`);
        const card = page.getByTestId('vm-card').filter({ hasText: 'berita-01' });
        const endpoint = card.getByTestId('public-endpoint');
        await endpoint.waitFor();
        expect(await card.getByText(T['internet.endpointTitle']!, { exact: true }).count()).toBe(1);
        expect(await endpoint.locator('code').textContent()).toBe('203.0.113.10');
        expect(await endpoint.getByTestId('open-ports').textContent()).toBe(`${T['internet.openPorts']}: 443`);
        expect(await endpoint.getByTestId('closed-ports').textContent()).toBe(`${T['internet.closedPorts']}: 80`);
        expect(await seriousViolations(page)).toEqual([]);

        await page.goto(`${stack.baseUrl}/vps-requests/${requestId}`);
        const facts = page.getByRole('region', { name: T['requests.factsTitle'] });
        await facts.getByTestId('public-endpoint').locator('code').getByText('203.0.113.10').waitFor();
        expect(await facts.getByTestId('open-ports').textContent()).toBe(`${T['internet.openPorts']}: 443`);
        expect(await seriousViolations(page)).toEqual([]);

        await page.goto(`${stack.baseUrl}/vps-requests/new`);
        await page.getByRole('checkbox', { name: T['requests.publicAccess'] }).waitFor();
        expect(await page.getByTestId('internet-not-offered').count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);
      }
    } finally {
      await closeCheckedPage(page, problems);
    }
  });
});

describe('internet access not configured (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let staffEmail: string;

  beforeAll(async () => {
    stack = await startWebStack({ PUBLIC_NAT_ADDRESSES: '' });
    browser = await launchBrowser();
    staffEmail = (await institutionReady(stack.db, 162)).staffEmail;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('should not offer the checkbox and say why, on desktop and phone', async () => {
    const { page, problems } = await openCleanPage(browser);
    try {
      await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
      for (const viewport of [DESKTOP, PHONE]) {
        await page.setViewportSize(viewport);
        await page.goto(`${stack.baseUrl}/vps-requests/new`);
        await page.getByLabel(T['requests.purpose']!).waitFor();
        await page.getByTestId('internet-not-offered').getByText(T['internet.notOffered']!).waitFor();
        expect(await page.getByRole('checkbox', { name: T['requests.publicAccess'] }).count()).toBe(0);
        expect(await seriousViolations(page)).toEqual([]);
      }
    } finally {
      await closeCheckedPage(page, problems);
    }
  });
});
