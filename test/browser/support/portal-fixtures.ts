import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@betang/api';
import { parseConfig, ZApiEnv } from '@betang/config';
import { Role } from '@betang/core';
import type { Db } from '@betang/db';
import {
  createTestDatabase,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  serveOnLoopback,
  TEST_MASTER_KEY,
  TEST_PASSWORD,
  TEST_SIGNING_MASTER_SECRET,
  testEncrypted,
  testLogDestination,
  testLogOptions,
} from '@betang/testkit';
import { request, type APIRequestContext } from 'playwright-core';
import { pino } from 'pino';
import { ensureWebBuild } from './web-build';

/** An API session of its own (separate cookie jar from the browser's), with the CSRF token. */
export type ApiSession = {
  api: APIRequestContext;
  csrf: string;
  post(path: string, data?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
};

/** Signs in over HTTP (not in the browser), e.g. the operator who approves while staff watch the page. */
export async function apiSession(baseUrl: string, email: string, password = TEST_PASSWORD): Promise<ApiSession> {
  const api = await request.newContext({ baseURL: baseUrl });
  const login = await api.post('/api/v1/auth/login', { data: { email, password } });
  if (!login.ok()) throw new Error(`login ${email}: ${login.status()} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    api,
    csrf: csrfToken,
    async post(p, data) {
      const response = await api.post(`/api/v1${p}`, { data: data ?? {}, headers: { 'X-CSRF-Token': csrfToken } });
      return { status: response.status(), body: await response.json().catch(() => null) };
    },
    close: () => api.dispose(),
  };
}

/** A signer on the agreement: needs NIP and position on record. */
async function signer(db: Db, role: Role, institutionId: string | null, name: string, nip: string) {
  const user = await makeUser(db, { roles: [role], institutionId, name });
  await db
    .updateTable('users')
    .set({ nip, position: role === Role.DcHead ? 'Kepala Dinas Kominfosantik' : 'Kepala Biro' })
    .where('id', '=', user.id)
    .execute();
  return user;
}

export type PortalWorld = {
  institutionId: string;
  institutionCode: string;
  applicationId: string;
  staffEmail: string;
  headEmail: string;
  dcHeadEmail: string;
  operatorEmail: string;
};

/**
 * One institution ready for the portal: address, head and data-center head with NIP and position
 * (so an agreement can be generated), a staff member, an operator, quota, catalog, an address
 * pool and one inventory application. No agreement: tests decide.
 */
export async function makePortalWorld(db: Db, name = 'Biro Administrasi Pimpinan'): Promise<PortalWorld> {
  const admin = await makeUser(db, { roles: [Role.Admin] });
  const institution = await makeInstitution(db, { name });
  await makeQuota(db, institution.id, admin.id);
  await makeCatalog(db);
  await makeIpPool(db, { octet: 60 + Math.floor(Math.random() * 30) });
  const applicationId = await makeApplication(db, institution.id, 'SIPD Biro Adpim');
  const staff = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id, name: 'Budi Staf' });
  await db.updateTable('users').set({ nip: '198703152010011002', phone: '0812-5000-1234' }).where('id', '=', staff.id).execute();
  const head = await signer(db, Role.InstitutionHead, institution.id, 'Dra. Siti Kepala Biro', '197503122000032004');
  const dcHead = await signer(db, Role.DcHead, null, 'Ir. Agus Kepala Dinas', '197108151998031005');
  const operator = await makeUser(db, { roles: [Role.Operator], name: 'Rina Operator' });
  return {
    institutionId: institution.id,
    institutionCode: institution.code,
    applicationId,
    staffEmail: staff.email,
    headEmail: head.email,
    dcHeadEmail: dcHead.email,
    operatorEmail: operator.email,
  };
}

/** Generates an agreement for the institution (as the operator); returns its id. */
export async function generateAgreement(operator: ApiSession, world: PortalWorld): Promise<{ id: string; verificationCode: string }> {
  const created = await operator.post('/agreements', {
    institutionId: world.institutionId,
    ceiling: { cores: 32, memoryMiB: 65536, diskGiB: 1000, vmCount: 8, ipCount: 8 },
    applicationIds: [world.applicationId],
  });
  if (created.status !== 201) throw new Error(`agreement: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body as { id: string; verificationCode: string };
}

/** Runs poppler's pdfsig; returns each signature's validation line. */
export function pdfsigValidations(pdf: Buffer): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'betang-web-pdf-'));
  try {
    writeFileSync(path.join(dir, 'a.pdf'), pdf);
    const run = spawnSync('pdfsig', [path.join(dir, 'a.pdf')], { encoding: 'utf8', timeout: 30_000 });
    if (run.error) throw run.error;
    return [...run.stdout.matchAll(/Signature Validation: (.+)/g)].map((m) => m[1]!.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills `{name}` placeholders of a catalogue text the way the app does. */
export const fill = (text: string, values: Record<string, string | number>) =>
  Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, String(v)), text);

/** A web stack whose database URL is known, for tests that also start a worker process. */
export type PortalStack = { baseUrl: string; db: Db; databaseUrl: string; close(): Promise<void> };

/**
 * Like startWebStack (real API serving the current web build over a fresh cloned database), but
 * it also hands out the database URL so a worker child process can share the database.
 */
export async function startPortalStack(): Promise<PortalStack> {
  const webDistDir = await ensureWebBuild();
  const database = await createTestDatabase();
  const app = createApp({
    db: database.db,
    logger: pino(testLogOptions('browser-api'), testLogDestination('browser-api')),
    config: parseConfig(ZApiEnv, {
      DATABASE_URL: database.url,
      NODE_ENV: 'test',
      WEB_DIST_DIR: webDistDir,
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      SIGNING_MASTER_SECRET: testEncrypted('SIGNING_MASTER_SECRET', TEST_SIGNING_MASTER_SECRET),
      TOTP_REQUIRED_ROLES: '',
      PUBLIC_NAT_ADDRESSES: '203.0.113.10-203.0.113.30',
    }),
  });
  const server = await serveOnLoopback(app);
  return {
    baseUrl: server.baseUrl,
    db: database.db,
    databaseUrl: database.url,
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
