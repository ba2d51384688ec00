import { randomBytes } from 'node:crypto';
import { Role } from '@betang/core';
import {
  makeAgreementInForce,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeIpPool,
  makeQuota,
  makeUser,
  testSshKey,
} from '@betang/testkit';
import { signInAs, type ApiHarness, type SignedIn } from './api-harness';
import { pathParams, type RouteEntry } from './route-walk';

/** Shared, non-tenant state every tenant needs: catalog, an admin and an operator session. */
export type World = { admin: SignedIn; operator: SignedIn; adminId: string; operatorId: string };

/** Every resource one institution owns, by the kind of id a route takes. */
export type TenantIds = {
  institution: string;
  head: string;
  staff: string;
  application: string;
  agreement: string;
  request: string;
  run: string;
  vm: string;
  snapshot: string;
  backup: string;
  token: string;
  ipPool: string;
  finding: string;
  webhook: string;
  webhookDelivery: string;
};

/** An institution with a full set of resources, its two signed-in users, and every string that identifies it. */
export type Tenant = {
  ids: TenantIds;
  head: SignedIn;
  staff: SignedIn;
  /** Ids, names, codes, e-mails, hostnames, addresses, numbers: none may appear in another tenant's responses. */
  secrets: string[];
};

/** Seeds the catalog and signs in an admin and an operator. */
export async function seedWorld(h: ApiHarness): Promise<World> {
  const { db } = h.database;
  await makeCatalog(db);
  const admin = await makeUser(db, { roles: [Role.Admin] });
  const operator = await makeUser(db, { roles: [Role.Operator] });
  return {
    admin: await signInAs(h.app, admin.email),
    operator: await signInAs(h.app, operator.email),
    adminId: admin.id,
    operatorId: operator.id,
  };
}

// Each tenant of a test file gets its own 10.<octet>.0.0/24, so one tenant's address can never
// equal another's (two random octets met once in 200 runs and read as a leak).
let nextOctet = 30 + Math.floor(Math.random() * 200);
function takeOctet(): number {
  const octet = nextOctet;
  nextOctet = 30 + ((nextOctet - 30 + 1) % 200);
  return octet;
}

/**
 * Seeds institution `label` as the portal would leave it after a full flow: head and staff,
 * quota, an application, an agreement in force, its own IP pool, a VPS request submitted by the
 * staff and approved by the operator (approval row, held address, queued run), then marked
 * active with its VM as the worker would; an API token of the staff; an open reconciliation
 * finding about its VM. Guarantees every id in `ids` exists and every string in `secrets`
 * is specific to this institution (random suffix).
 */
export async function seedTenant(h: ApiHarness, world: World, label: string): Promise<Tenant> {
  const { db } = h.database;
  const tag = randomBytes(4).toString('hex');
  const octet = takeOctet();
  const institution = await makeInstitution(db, { code: `${label}-${tag.toUpperCase()}`, name: `Dinas ${label} Rahasia ${tag}` });
  const headUser = await makeUser(db, {
    roles: [Role.InstitutionHead],
    institutionId: institution.id,
    email: `kepala-${tag}@${label.toLowerCase()}.kalteng.go.id`,
    name: `Kepala ${label} ${tag}`,
  });
  const staffUser = await makeUser(db, {
    roles: [Role.InstitutionStaff],
    institutionId: institution.id,
    email: `staf-${tag}@${label.toLowerCase()}.kalteng.go.id`,
    name: `Staf ${label} ${tag}`,
  });
  await makeQuota(db, institution.id, world.adminId, { cores: 16, memoryMiB: 65_536, diskGiB: 1000, vmCount: 8 });
  const applicationName = `Aplikasi ${label} ${tag}`;
  const application = await makeApplication(db, institution.id, applicationName);
  const agreement = await makeAgreementInForce(db, institution.id);
  const ipPool = await makeIpPool(db, { institutionId: institution.id, octet, size: 20 });
  const head = await signInAs(h.app, headUser.email);
  const staff = await signInAs(h.app, staffUser.email);

  const hostname = `srv-${label.toLowerCase()}-${tag}`;
  const submitted = await staff.agent
    .post('/api/v1/vps-requests')
    .set('X-CSRF-Token', staff.csrfToken)
    .send({
      applicationId: application,
      hostname,
      templateId: 'debian-12',
      presetId: 'small',
      sshPublicKeys: [testSshKey(`kunci-${tag}@${label}`)],
      purpose: `Server uji tenansi ${label} ${tag}`,
      network: { publicAccess: true, ports: [443] },
      contact: {
        name: `PIC ${label} ${tag}`,
        nip: '198501012010011001',
        phone: '0812555501',
        email: `pic-${tag}@${label.toLowerCase()}.kalteng.go.id`,
      },
    });
  if (submitted.status !== 201) throw new Error(`seed ${label}: submit ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const approved = await world.operator.agent
    .post(`/api/v1/vps-requests/${submitted.body.id}/approve`)
    .set('X-CSRF-Token', world.operator.csrfToken)
    .send({ comment: `setuju ${tag}` });
  if (approved.status !== 200 || !approved.body.run)
    throw new Error(`seed ${label}: approve ${approved.status} ${JSON.stringify(approved.body)}`);
  const request = submitted.body.id as string;
  const run = approved.body.run.id as string;
  const address = approved.body.ipAddress as string;
  const vmid = 200_000 + Math.floor(Math.random() * 700_000);
  const vm = await db
    .insertInto('vms')
    .values({
      requestId: request,
      institutionId: institution.id,
      vmid,
      node: 'pve1',
      name: hostname,
      cores: 1,
      memoryMiB: 2048,
      diskGiB: 20,
      state: 'running',
      macAddress: `BC:24:11:${tag.slice(0, 2)}:${tag.slice(2, 4)}:${tag.slice(4, 6)}`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('provisioningRuns')
    .set({ status: 'succeeded', vmId: vm.id, progress: 100, finishedAt: new Date() })
    .where('id', '=', run)
    .execute();
  await db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', request).execute();

  const token = await staff.agent
    .post('/api/v1/me/tokens')
    .set('X-CSRF-Token', staff.csrfToken)
    .send({ name: `token-${label}-${tag}` });
  if (token.status !== 201) throw new Error(`seed ${label}: token ${token.status} ${JSON.stringify(token.body)}`);
  const finding = await db
    .insertInto('reconcileFindings')
    .values({
      fingerprint: `drift:${vm.id}`,
      institutionId: institution.id,
      kind: 'config_drift',
      messageId: `VM ${hostname} berbeda`,
      messageEn: `VM ${hostname} drifted`,
      vmId: vm.id,
      vmid,
      node: 'pve1',
      detail: JSON.stringify({ hostname }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const snapshot = await db
    .insertInto('vmSnapshots')
    .values({ vmId: vm.id, name: `betang-${tag}`, label: `snap-${label}-${tag}`, withRam: false, status: 'present', takenAt: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const backup = await db
    .insertInto('vmBackups')
    .values({
      vmId: vm.id,
      backupDate: '2026-12-01',
      node: 'pve1',
      vmid,
      storage: 'pbs',
      outcome: 'ok',
      finishedAt: new Date(),
      volid: `pbs:backup/vm/${vmid}/2026-12-01T18:00:00Z`,
      sizeBytes: 1024 ** 3,
      durationSeconds: 60,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const webhook = await db
    .insertInto('webhookEndpoints')
    .values({
      name: `Gerbang ${label} ${tag}`,
      url: `https://gerbang-${tag}.${label.toLowerCase()}.kalteng.go.id/hook`,
      institutionId: institution.id,
      kinds: ['vps.ready'],
      secret: `whsec_rahasia_${tag}_${randomBytes(12).toString('hex')}`,
    })
    .returning(['id', 'secret'])
    .executeTakeFirstOrThrow();
  // A delivery that failed for good: the one an admin would "retry now".
  const webhookDelivery = await db
    .insertInto('webhookDeliveries')
    .values({
      endpointId: webhook.id,
      kind: 'vps.ready',
      reason: `uji:${tag}`,
      payload: JSON.stringify({ hostname: `web-${tag}` }),
      status: 'failed',
      attempts: 10,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const agreementRow = await db
    .selectFrom('agreements')
    .select(['number', 'verificationCode'])
    .where('id', '=', agreement)
    .executeTakeFirstOrThrow();
  const pool = await db.selectFrom('ipPools').select(['name']).where('id', '=', ipPool).executeTakeFirstOrThrow();

  const ids: TenantIds = {
    institution: institution.id,
    head: headUser.id,
    staff: staffUser.id,
    application,
    agreement,
    request,
    run,
    vm: vm.id,
    snapshot: snapshot.id,
    backup: backup.id,
    token: token.body.id as string,
    ipPool,
    finding: finding.id,
    webhook: webhook.id,
    webhookDelivery: String(webhookDelivery.id),
  };
  const secrets = [
    // A delivery id is a small number: as a "secret" it would be found in any body.
    ...Object.entries(ids)
      .filter(([kind]) => kind !== 'webhookDelivery')
      .map(([, id]) => id),
    institution.code,
    institution.name,
    headUser.email,
    headUser.name,
    staffUser.email,
    staffUser.name,
    applicationName,
    hostname,
    address,
    agreementRow.number,
    agreementRow.verificationCode,
    pool.name,
    `10.${octet}.0.0/24`,
    token.body.prefix as string,
    `token-${label}-${tag}`,
    `snap-${label}-${tag}`,
    webhook.secret,
    tag,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return { ids, head, staff, secrets };
}

/** A response body as text, whatever its type (JSON, HTML, CSV, PDF bytes as latin1). */
export function bodyText(response: { text?: string; body?: unknown }): string {
  if (typeof response.text === 'string') return response.text;
  if (Buffer.isBuffer(response.body)) return response.body.toString('latin1');
  return JSON.stringify(response.body ?? '');
}

/** The secrets of `tenant` found in the body of `response` (empty when none leaked). */
export function leakedSecrets(tenant: Tenant, response: { text?: string; body?: unknown }): string[] {
  const lower = bodyText(response).toLowerCase();
  return tenant.secrets.filter((s) => lower.includes(s.toLowerCase()));
}

/** Which tenant resource a path's id names, by the path before the placeholder. */
export const PATH_ID_KINDS: Record<string, keyof TenantIds | { shared: string; reason: string }> = {
  '/me/tokens/{id}': 'token',
  '/institutions/{id}': 'institution',
  '/users/{id}': 'staff',
  '/applications/{id}': 'application',
  '/agreements/{id}': 'agreement',
  '/ip-pools/{id}': 'ipPool',
  '/vps-requests/{id}': 'request',
  '/vms/{id}': 'vm',
  '/reconciliation/{id}': 'finding',
  '/webhooks/{id}': 'webhook',
  // The catalog is one list for every institution (no tenant owns a template or preset): the
  // matrix still calls these as A and expects the role gate's 403.
  '/catalog/templates/{id}': { shared: 'debian-12', reason: 'shared catalog, operators only' },
  '/catalog/presets/{id}': { shared: 'small', reason: 'shared catalog, operators only' },
  // People waiting for SSO access belong to no institution yet: admins only, A gets the role gate's 403.
  '/sso/identities/{id}': { shared: '5e5e5e5e-0000-4000-8000-000000000001', reason: 'pending SSO identities, admins only' },
  // The census spans the whole cluster, before any institution owns its VMs: operators only, A gets the role gate's 403.
  '/estate/{vmid}': { shared: '101', reason: 'the cluster census, operators only' },
};

/** Placeholders after the first, by name: the resource they name belongs to the first one's. */
const INNER_PATH_ID_KINDS: Record<string, keyof TenantIds> = {
  snapshotId: 'snapshot',
  backupId: 'backup',
  deliveryId: 'webhookDelivery',
};

function idKindKey(spec: RouteEntry): string | undefined {
  return /^(.*?\{\w+\})/.exec(spec.path)?.[1];
}

/**
 * The tenant's value for each path placeholder of `spec`, or why it cannot be filled (a new
 * route kind: add it to PATH_ID_KINDS and to seedTenant). `{}` for a path without placeholders.
 */
export function fillPath(spec: RouteEntry, ids: TenantIds): Record<string, string> | string {
  const key = idKindKey(spec);
  if (!key) return {};
  const kind = PATH_ID_KINDS[key];
  if (!kind) return `no fixture for ${key}: add it to PATH_ID_KINDS and seedTenant`;
  const [first, ...inner] = pathParams(spec);
  const filled: Record<string, string> = { [first!]: typeof kind === 'string' ? ids[kind] : kind.shared };
  for (const name of inner) {
    const innerKind = INNER_PATH_ID_KINDS[name];
    if (!innerKind) return `no fixture for {${name}} in ${spec.path}: add it to INNER_PATH_ID_KINDS and seedTenant`;
    filled[name] = ids[innerKind];
  }
  return filled;
}
