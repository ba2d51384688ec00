import { Role } from '@betang/core';
import { replaceEstateCensus, type EstateVmObservation } from '@betang/db';
import { makeApplication, makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, DESKTOP, launchBrowser, openCleanPage, PHONE, signIn, TEXT, type Browser } from './support/browser';
import { fill } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;

/** A small hand-made estate, as the worker's census records it. */
function estate(): EstateVmObservation[] {
  const observedAt = new Date();
  const vm = (vmid: number, name: string, address: string | null, extra: Partial<EstateVmObservation> = {}): EstateVmObservation => ({
    vmid,
    node: 'pve1',
    name,
    tags: [],
    notes: null,
    cores: 2,
    memoryMiB: 2048,
    diskGiB: 32,
    power: 'running',
    agent: true,
    addresses: address ? [{ address, source: 'agent' }] : [],
    macAddress: null,
    smbiosUuid: null,
    inBetangRange: false,
    lock: null,
    observedAt,
    ...extra,
  });
  return [
    vm(101, 'web-dinkes-lama', '10.120.0.31', { tags: ['dinkes', 'produksi'], notes: 'Web lama Dinas Kesehatan' }),
    vm(102, 'web-dinkes-lama-copy', '10.120.0.31', { power: 'stopped', agent: false }),
    vm(103, 'db01-bappeda', '10.120.0.41', { tags: ['bappeda'] }),
    vm(104, 'SIMPEG-server', '10.120.0.40', { agent: false, notes: 'SIMPEG - jangan dimatikan!' }),
    vm(105, 'test', null),
  ];
}

describe('census and adoption in the web app (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let operatorEmail: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    const { db } = stack;
    operatorEmail = (await makeUser(db, { roles: [Role.Operator] })).email;
    const dinkes = await makeInstitution(db, { code: 'DINKES', name: 'Dinas Kesehatan' });
    await makeApplication(db, dinkes.id, 'SIMPUS Puskesmas');
    const bappeda = await makeInstitution(db, { code: 'BAPPEDA', name: 'Badan Perencanaan' });
    await makeApplication(db, bappeda.id, 'Portal Bappeda');
    await db
      .insertInto('ipPools')
      .values({
        name: 'VLAN 120',
        cidr: '10.120.0.0/24',
        gateway: '10.120.0.1',
        bridge: 'vmbr0',
        rangeStart: '10.120.0.20',
        rangeEnd: '10.120.0.250',
      })
      .execute();
    await db.transaction().execute((tx) => replaceEstateCensus(tx, estate()));
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
  });
  afterAll(async () => {
    await closeCheckedPage(page, problems);
    await browser?.close();
    await stack?.close();
  });

  const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });

  it('should show the census with proposals and conflicts, accessible on desktop and phone', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/operator/adoption`);
      await page.getByRole('heading', { name: fill(T['adoption.listTitle']!, { count: 5 }) }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.setViewportSize(DESKTOP);
    const web = rowOf('web-dinkes-lama');
    expect(await web.textContent()).toContain('DINKES · SIMPUS Puskesmas');
    expect(await web.textContent()).toContain('10.120.0.31');
    // The shared address waits for a decision: adopting is not offered yet.
    expect(
      await page.getByRole('button', { name: fill(T['adoption.adoptNamed']!, { name: 'web-dinkes-lama' }), exact: true }).isDisabled(),
    ).toBe(true);
    expect(await rowOf('test').textContent()).toContain(T['adoption.noProposal']);
  });

  it('should adopt one VM after deciding who keeps the shared address', async () => {
    await rowOf('web-dinkes-lama')
      .getByRole('button', { name: fill(T['adoption.keepAddress']!, { address: '10.120.0.31' }) })
      .click();
    const adopt = page.getByRole('button', { name: fill(T['adoption.adoptNamed']!, { name: 'web-dinkes-lama' }), exact: true });
    await page.waitForSelector(`button[aria-label="${fill(T['adoption.adoptNamed']!, { name: 'web-dinkes-lama' })}"]:not([disabled])`);
    await adopt.click();
    const form = page.getByRole('form', { name: fill(T['adoption.formTitle']!, { name: 'web-dinkes-lama' }) });
    await form.getByRole('option', { name: 'SIMPUS Puskesmas' }).waitFor({ state: 'attached' });
    expect(await seriousViolations(page)).toEqual([]);
    await form.getByRole('button', { name: T['adoption.confirm'] }).click();
    await page
      .getByRole('status')
      .filter({
        // DINKES has no quota set (all zero): the adoption goes through and says what it is over.
        hasText: fill(T['adoption.adoptedOver']!, {
          name: 'web-dinkes-lama',
          over: 'cores 2/0, memoryMiB 2048/0, diskGiB 32/0, vmCount 1/0',
        }),
      })
      .waitFor();
    await page.getByRole('heading', { name: fill(T['adoption.listTitle']!, { count: 4 }) }).waitFor();
    const adopted = await stack.db.selectFrom('adoptions').select('vmid').execute();
    expect(adopted).toEqual([{ vmid: 101 }]);
  });

  it('should adopt in bulk from a CSV mapping, listing row errors first and adopting nothing until the file is clean', async () => {
    const header = 'vmid;node;name;addresses;institution_code;application_name;proposal_reason;conflicts;adopt';
    const rows = (code: string) =>
      [
        `102;pve1;web-dinkes-lama-copy;;DINKES;SIMPUS Puskesmas;;;ya`,
        `103;pve1;db01-bappeda;;${code};Portal Bappeda;;;ya`,
        `104;pve1;SIMPEG-server;;BAPPEDA;Portal Bappeda;;;ya`,
        `105;pve1;test;;;;;;tidak`,
      ].join('\n');
    const file = page.getByLabel(T['adoption.importFile']!);
    await file.setInputFiles({ name: 'sensus.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${rows('BAPEDA')}\n`) });
    const errors = page.getByRole('group', { name: T['adoption.importErrorsTitle'] });
    await errors.waitFor();
    expect(await errors.locator('tbody tr').first().textContent()).toContain('institution_code');
    expect(await page.getByRole('button', { name: T['adoption.importSubmit'] }).isDisabled()).toBe(true);

    await file.setInputFiles({ name: 'sensus.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${rows('BAPPEDA')}\n`) });
    await page.getByText(fill(T['adoption.importCheckOk']!, { rows: 4, adopt: 3 })).waitFor();
    expect(await stack.db.selectFrom('adoptions').select('vmid').execute()).toHaveLength(1);
    await page.getByRole('button', { name: T['adoption.importSubmit'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['adoption.importDone']!, { adopted: 3 }) })
      .waitFor();
    await page.getByRole('heading', { name: fill(T['adoption.listTitle']!, { count: 1 }) }).waitFor();
    const adopted = await stack.db.selectFrom('adoptions').select('vmid').orderBy('vmid').execute();
    expect(adopted.map((a) => a.vmid)).toEqual([101, 102, 103, 104]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should release an adopted VM only with a reason, queueing the run that takes the marker off', async () => {
    await page.getByRole('heading', { name: fill(T['adoption.adoptedTitle']!, { count: 4 }) }).waitFor();
    await page.getByRole('button', { name: fill(T['adoption.releaseNamed']!, { name: 'web-dinkes-lama' }) }).click();
    const form = page.getByRole('form', { name: fill(T['adoption.releaseTitle']!, { name: 'web-dinkes-lama' }) });
    await form.getByLabel(T['adoption.releaseReason']!).fill('ok');
    await form.getByRole('button', { name: T['adoption.releaseConfirm'] }).click();
    await form.getByText('Paling sedikit 5 karakter.').waitFor();
    expect(await stack.db.selectFrom('provisioningRuns').select('id').where('kind', '=', 'release').execute()).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await form.getByLabel(T['adoption.releaseReason']!).fill('Dikelola sendiri oleh Dinkes mulai 2027');
    // its adopt run (marking it as Betang's) is still queued: nothing is released before it ends
    await form.getByRole('button', { name: T['adoption.releaseConfirm'] }).click();
    await form
      .getByText(/VM ini sedang diubah \(penandaan VM adopsi, run [0-9a-f-]+\)\. Tunggu sampai selesai, lalu coba lagi\./)
      .waitFor();
    const vm = await stack.db.selectFrom('adoptions').select('vmId').where('vmid', '=', 101).executeTakeFirstOrThrow();
    await stack.db
      .updateTable('provisioningRuns')
      .set({ status: 'succeeded', finishedAt: new Date() })
      .where('vmId', '=', vm.vmId)
      .where('kind', '=', 'adopt')
      .execute();
    await form.getByRole('button', { name: T['adoption.releaseConfirm'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['adoption.released']!, { name: 'web-dinkes-lama' }) })
      .waitFor();
    const runs = await stack.db.selectFrom('provisioningRuns').select(['kind', 'status']).where('kind', '=', 'release').execute();
    expect(runs).toEqual([{ kind: 'release', status: 'queued' }]);
    const audit = await stack.db.selectFrom('auditLog').select('after').where('action', '=', 'vm.release_requested').execute();
    expect(JSON.stringify(audit)).toContain('Dikelola sendiri oleh Dinkes mulai 2027');
  });

  it('should let an operator retry a failed adoption marking from the request page, once', async () => {
    const { db } = stack;
    const adoption = await db.selectFrom('adoptions').select('requestId').where('vmid', '=', 102).executeTakeFirstOrThrow();
    const request = await db.selectFrom('vpsRequests').select('hostname').where('id', '=', adoption.requestId).executeTakeFirstOrThrow();
    await db
      .updateTable('provisioningRuns')
      .set({ status: 'failed', errorCode: 'PVE_UNREACHABLE', errorMessage: 'PVE tidak terjangkau', finishedAt: new Date() })
      .where('requestId', '=', adoption.requestId)
      .where('kind', '=', 'adopt')
      .execute();
    await page.goto(`${stack.baseUrl}/vps-requests/${adoption.requestId}`);
    const retry = page.getByRole('button', { name: fill(T['opBoard.retry']!, { hostname: request.hostname }), exact: true });
    await retry.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await retry.click();
    // The new adopt run supersedes the failure: the button goes away without a reload.
    await retry.waitFor({ state: 'detached' });
    const runs = await db
      .selectFrom('provisioningRuns')
      .select(['kind', 'status'])
      .where('requestId', '=', adoption.requestId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    expect(runs).toEqual([
      { kind: 'adopt', status: 'failed' },
      { kind: 'adopt', status: 'queued' },
    ]);
  });
});
