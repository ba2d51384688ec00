/*
 * Database setup of the chaos suite and the benchmarks: a fresh database on the throwaway
 * PostgreSQL, migrated, then seeded through @betang/testkit's factories (institutions with
 * quotas, agreements in force and applications; the catalog; one shared IP pool; staff and an
 * operator who sign in over HTTP).
 */
import { Role } from '@betang/core';
import { createDatabase, migrateToLatest, type Db } from '@betang/db';
import { makeInstitution, makeQuota, makeUser } from '../factories';
import { makeAgreementInForce, makeApplication, makeCatalog, makeIpPool } from '../request-factories';
import pg from 'pg';

/** Creates database `name` on the server at `adminUrl`, migrates it and returns its URL and a Kysely handle. */
export async function createMigratedDatabase(adminUrl: string, name: string): Promise<{ url: string; db: Db }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createDatabase({ connectionString: url.toString(), poolMax: 6, applicationName: 'betang-chaos' });
  await migrateToLatest(db);
  return { url: url.toString(), db };
}

type Seeded = {
  operatorEmail: string;
  institutions: Array<{ id: string; staffEmail: string; applicationId: string }>;
};

/**
 * `requests` requests spread over institutions of at most 40 each, every one with a quota and an
 * agreement that cover its share; one shared pool with an address per request plus `spareAddresses`.
 */
export async function seedForRequests(db: Db, requests: number, spareAddresses = 10): Promise<Seeded> {
  await makeCatalog(db);
  let left = requests + spareAddresses;
  for (let octet = 60; left > 0; octet += 1) {
    const size = Math.min(240, left);
    await makeIpPool(db, { size, octet });
    left -= size;
  }
  const admin = await makeUser(db, { roles: [Role.Admin] });
  const operator = await makeUser(db, { roles: [Role.Operator] });
  const perInstitution = 40;
  const institutions: Seeded['institutions'] = [];
  for (let i = 0; i * perInstitution < requests; i += 1) {
    const inst = await makeInstitution(db);
    await makeQuota(db, inst.id, admin.id, { cores: 400, memoryMiB: 400 * 4096, diskGiB: 40 * 1000, vmCount: perInstitution + 5 });
    await makeAgreementInForce(db, inst.id, {
      cores: 400,
      memoryMiB: 400 * 4096,
      diskGiB: 40 * 1000,
      vmCount: perInstitution + 5,
      ipCount: perInstitution + 5,
    });
    const applicationId = await makeApplication(db, inst.id);
    const staff = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: inst.id });
    institutions.push({ id: inst.id, staffEmail: staff.email, applicationId });
  }
  return { operatorEmail: operator.email, institutions };
}
