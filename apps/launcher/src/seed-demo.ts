import { Role } from '@betang/core';
import { appendAudit, insertInstitution, insertUser, putQuota, type Db } from '@betang/db';
import argon2 from 'argon2';

/** The password of every demo account (printed by `npm start`; demo data only). */
export const DEMO_PASSWORD = 'Betang-Demo-2026';

/** Demo accounts, one per role, as printed at start. */
export const DEMO_ACCOUNTS: {
  email: string;
  nip: string;
  name: string;
  roles: Role[];
  institution: 'dc' | 'adpim' | 'dinkes';
  position: string;
}[] = [
  {
    email: 'admin@betang.demo',
    nip: '198001012005011001',
    name: 'Admin Betang',
    roles: [Role.Admin],
    institution: 'dc',
    position: 'Administrator Platform',
  },
  {
    email: 'operator@betang.demo',
    nip: '198802142012012002',
    name: 'Rina Operator',
    roles: [Role.Operator],
    institution: 'dc',
    position: 'Operator Pusat Data',
  },
  {
    email: 'kadis@betang.demo',
    nip: '197305202000031003',
    name: 'Kepala Diskominfosantik',
    roles: [Role.DcHead],
    institution: 'dc',
    position: 'Kepala Dinas Komunikasi, Informatika, Persandian dan Statistik',
  },
  {
    email: 'auditor@betang.demo',
    nip: '198107072006041004',
    name: 'Auditor Inspektorat',
    roles: [Role.Auditor],
    institution: 'dc',
    position: 'Auditor',
  },
  {
    email: 'kepala.adpim@betang.demo',
    nip: '197611112003121005',
    name: 'Kepala Biro Adpim',
    roles: [Role.InstitutionHead],
    institution: 'adpim',
    position: 'Kepala Biro Administrasi Pimpinan',
  },
  {
    email: 'staf.adpim@betang.demo',
    nip: '199003032015031006',
    name: 'Budi Staf Adpim',
    roles: [Role.InstitutionStaff],
    institution: 'adpim',
    position: 'Pranata Komputer',
  },
  {
    email: 'kepala.dinkes@betang.demo',
    nip: '197409092001121008',
    name: 'Kepala Dinas Kesehatan',
    roles: [Role.InstitutionHead],
    institution: 'dinkes',
    position: 'Kepala Dinas Kesehatan Provinsi Kalimantan Tengah',
  },
  {
    email: 'staf.dinkes@betang.demo',
    nip: '199205052018012007',
    name: 'Sari Staf Dinkes',
    roles: [Role.InstitutionStaff],
    institution: 'dinkes',
    position: 'Pranata Komputer',
  },
];

/** What a fresh seed created, for the agreements the launcher then signs through the API. */
export type DemoSeed = {
  adpim: { institutionId: string; applicationIds: string[] };
  dinkes: { institutionId: string; applicationIds: string[] };
};

const PIC = {
  picName: 'Budi Santoso',
  picNip: '198501012010011001',
  picPosition: 'Pranata Komputer Ahli Muda',
  picPhone: '+62 812-5000-0101',
};

/**
 * Seeds the demo data when the database has no users yet. Safe to run on every start: a seeded
 * (or real) database is left untouched (returns undefined).
 */
export async function seedDemoData(db: Db): Promise<DemoSeed | undefined> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const passwordHash = await argon2.hash(DEMO_PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  return db.transaction().execute(async (tx) => {
    const adpim = await insertInstitution(tx, {
      code: 'BIRO-ADPIM',
      name: 'Biro Administrasi Pimpinan Sekretariat Daerah Provinsi Kalimantan Tengah',
      address: 'Jl. RTA Milono No. 1, Palangka Raya',
    });
    const dinkes = await insertInstitution(tx, {
      code: 'DINKES',
      name: 'Dinas Kesehatan Provinsi Kalimantan Tengah',
      address: 'Jl. Yos Sudarso No. 9, Palangka Raya',
    });
    const institutionIds = { dc: null, adpim: adpim.id, dinkes: dinkes.id };
    let adminId = '';
    for (const account of DEMO_ACCOUNTS) {
      const user = await insertUser(tx, {
        institutionId: institutionIds[account.institution],
        email: account.email,
        name: account.name,
        roles: account.roles,
        passwordHash,
        position: account.position,
        nip: account.nip,
      });
      if (account.roles.includes(Role.Admin)) adminId = user.id;
    }
    await putQuota(tx, adpim.id, { cores: 16, memoryMiB: 32_768, diskGiB: 500, vmCount: 8 }, adminId);
    await putQuota(tx, dinkes.id, { cores: 8, memoryMiB: 16_384, diskGiB: 250, vmCount: 4 }, adminId);
    await tx
      .insertInto('catalogTemplates')
      .values([
        { id: 'debian-12', name: 'Debian 12 (Bookworm)', osFamily: 'debian', pveTemplateVmid: 9000, sortOrder: 1 },
        { id: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS', osFamily: 'ubuntu', pveTemplateVmid: 9001, sortOrder: 2 },
      ])
      .execute();
    await tx
      .insertInto('sizePresets')
      .values([
        { id: 'small', name: 'Kecil / Small', cores: 1, memoryMiB: 2048, diskGiB: 20, sortOrder: 1 },
        { id: 'medium', name: 'Sedang / Medium', cores: 2, memoryMiB: 4096, diskGiB: 40, sortOrder: 2 },
        { id: 'large', name: 'Besar / Large', cores: 4, memoryMiB: 8192, diskGiB: 80, sortOrder: 3 },
      ])
      .execute();
    await tx
      .insertInto('ipPools')
      .values({
        name: 'VLAN 120 Layanan OPD',
        cidr: '10.120.0.0/24',
        gateway: '10.120.0.1',
        vlanTag: 120,
        bridge: 'vmbr0',
        dnsServers: ['10.120.0.2', '10.120.0.3'],
        searchDomain: 'kalteng.go.id',
        rangeStart: '10.120.0.20',
        rangeEnd: '10.120.0.250',
      })
      .execute();
    const apps = await tx
      .insertInto('applications')
      .values([
        {
          institutionId: adpim.id,
          name: 'SIPD Agenda Pimpinan',
          kind: 'khusus',
          description: 'Agenda dan disposisi pimpinan daerah',
          userType: 'internal',
          url: 'https://agenda.kalteng.go.id',
          techStack: 'Laravel 11, PHP 8.3',
          databaseEngine: 'PostgreSQL 15',
          dataClassification: 'tinggi',
          yearBuilt: 2023,
          ...PIC,
          picEmail: 'staf.adpim@betang.demo',
        },
        {
          institutionId: adpim.id,
          name: 'Portal Berita Biro Adpim',
          kind: 'umum',
          description: 'Publikasi kegiatan pimpinan',
          userType: 'public',
          url: 'https://adpim.kalteng.go.id',
          techStack: 'WordPress 6',
          databaseEngine: 'MariaDB 10.11',
          dataClassification: 'rendah',
          yearBuilt: 2021,
          ...PIC,
          picEmail: 'staf.adpim@betang.demo',
        },
        {
          institutionId: dinkes.id,
          name: 'SIMPUS Puskesmas',
          kind: 'khusus',
          description: 'Sistem informasi puskesmas',
          userType: 'internal',
          techStack: 'Node.js 20',
          databaseEngine: 'PostgreSQL 15',
          dataClassification: 'strategis',
          yearBuilt: 2024,
          ...PIC,
          picEmail: 'staf.dinkes@betang.demo',
        },
      ])
      .returning(['id', 'institutionId'])
      .execute();
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'system',
      institutionId: null,
      action: 'system.demo_seeded',
      targetType: 'system',
      targetId: null,
    });
    const idsOf = (institutionId: string) => apps.filter((a) => a.institutionId === institutionId).map((a) => a.id);
    return {
      adpim: { institutionId: adpim.id, applicationIds: idsOf(adpim.id) },
      dinkes: { institutionId: dinkes.id, applicationIds: idsOf(dinkes.id) },
    };
  });
}
