import {
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_CONSOLE_SETTINGS,
  DEFAULT_RESTORE_TEST_POLICY,
  ZRestoreTestPolicy,
  DEFAULT_BACKUP_POLICY,
  DEFAULT_CUSTOM_SIZE_BOUNDS,
  ZConsoleSettings,
  DEFAULT_DECOMMISSION_POLICY,
  DEFAULT_SERVICE_STANDARDS,
  Role,
  ZApprovalPolicy,
  ZBackupPolicy,
  ZCatalog,
  ZCustomSizeBounds,
  ZDecommissionPolicy,
  ZPutPresetBody,
  ZPutTemplateBody,
  ZPutTemplateCopiesBody,
  ZTemplateCopies,
  ZServiceStandards,
  seesAllInstitutions,
  AppError,
  ErrorCode,
} from '@betang/core';
import {
  appendAudit,
  getSetting,
  listPresets,
  listTemplateNodes,
  listTemplates,
  putPreset,
  putSetting,
  putTemplate,
  replaceTemplateNodes,
  type Executor,
} from '@betang/db';
import { z } from 'zod';
import { actorOf, auditContext } from '../http/context';
import { route } from '../http/route';
import { internetAccessMechanism } from '../use-cases/internet/internet-access';
import { changeApprovalPolicy } from '../use-cases/settings/change-approval-policy';
import type { RoutesContext } from './router-context';

const OPERATORS = [Role.Admin, Role.Operator] as const;
const ZTemplateId = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/) });
const ZPresetId = z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });

async function requireTemplate(db: Executor, id: string): Promise<void> {
  const row = await db.selectFrom('catalogTemplates').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(ErrorCode.NotFound, { id: `Templat ${id} tidak ada.`, en: `Template ${id} does not exist.` });
}

/**
 * The settings operators maintain, each with its schema and default. The approval policy is
 * read like them but only admins change it (its own route below): it decides who must approve,
 * so those who approve must not be able to rewrite it.
 */
const SETTINGS = {
  'service-standards': { key: 'service_standards', schema: ZServiceStandards, fallback: DEFAULT_SERVICE_STANDARDS },
  'custom-size-bounds': { key: 'custom_size_bounds', schema: ZCustomSizeBounds, fallback: DEFAULT_CUSTOM_SIZE_BOUNDS },
  console: { key: 'console_settings', schema: ZConsoleSettings, fallback: DEFAULT_CONSOLE_SETTINGS },
} as const;

/** GET /catalog (what the form offers), catalog maintenance and request settings (operators). */
export function catalogRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/catalog',
      tag: 'catalog',
      summary: 'Templat OS dan paket ukuran / OS templates and size presets',
      access: 'user',
      response: ZCatalog,
    },
    async ({ auth }) => {
      const everything = seesAllInstitutions(actorOf(auth));
      const [templates, presets, customBounds] = await Promise.all([
        listTemplates(db, !everything),
        listPresets(db, !everything),
        getSetting(db, 'custom_size_bounds', ZCustomSizeBounds, DEFAULT_CUSTOM_SIZE_BOUNDS),
      ]);
      const mechanism = internetAccessMechanism(deps.config);
      return { templates, presets, customBounds, internetAccess: { offered: mechanism !== null, mechanism } };
    },
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/catalog/templates/{id}',
      tag: 'catalog',
      summary: 'Simpan templat OS / save an OS template',
      access: OPERATORS,
      params: ZTemplateId,
      body: ZPutTemplateBody,
    },
    async ({ req, res, params, body }) => {
      await db.transaction().execute(async (tx) => {
        await putTemplate(tx, params.id, body);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'catalog.template_saved',
          targetType: 'catalog_template',
          targetId: params.id,
          after: body,
        });
      });
      return undefined;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/catalog/templates/{id}/nodes',
      tag: 'catalog',
      summary: 'Salinan templat per node / template copies per node',
      access: OPERATORS,
      params: ZTemplateId,
      response: ZTemplateCopies,
    },
    async ({ params }) => {
      await requireTemplate(db, params.id);
      return { items: (await listTemplateNodes(db, params.id)).map(({ templateId: _t, ...c }) => c) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/catalog/templates/{id}/nodes',
      tag: 'catalog',
      summary: 'Ganti salinan templat per node / replace the template copies per node',
      access: OPERATORS,
      params: ZTemplateId,
      body: ZPutTemplateCopiesBody,
      response: ZTemplateCopies,
    },
    async ({ req, res, params, body }) =>
      db.transaction().execute(async (tx) => {
        await requireTemplate(tx, params.id);
        const vmids = body.items.map((i) => i.pveTemplateVmid);
        const taken =
          vmids.length === 0
            ? undefined
            : await tx
                .selectFrom('catalogTemplateNodes')
                .select(['templateId', 'node', 'pveTemplateVmid'])
                .where('pveTemplateVmid', 'in', vmids)
                .where('templateId', '<>', params.id)
                .executeTakeFirst();
        if (taken) {
          throw new AppError(ErrorCode.Conflict, {
            id: `VMID ${taken.pveTemplateVmid} sudah dipetakan sebagai salinan ${taken.templateId} di node ${taken.node}.`,
            en: `VMID ${taken.pveTemplateVmid} is already mapped as the copy of ${taken.templateId} on node ${taken.node}.`,
          });
        }
        const before = await listTemplateNodes(tx, params.id);
        await replaceTemplateNodes(tx, params.id, body.items);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'catalog.template_copies_saved',
          targetType: 'catalog_template',
          targetId: params.id,
          before: { items: before.map(({ templateId: _t, ...c }) => c) },
          after: body,
        });
        return { items: (await listTemplateNodes(tx, params.id)).map(({ templateId: _t, ...c }) => c) };
      }),
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/catalog/presets/{id}',
      tag: 'catalog',
      summary: 'Simpan paket ukuran / save a size preset',
      access: OPERATORS,
      params: ZPresetId,
      body: ZPutPresetBody,
    },
    async ({ req, res, params, body }) => {
      await db.transaction().execute(async (tx) => {
        await putPreset(tx, params.id, body);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'catalog.preset_saved',
          targetType: 'size_preset',
          targetId: params.id,
          after: body,
        });
      });
      return undefined;
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/approval-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: approval-policy',
      access: 'user',
      response: ZApprovalPolicy,
    },
    async () => getSetting(db, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY),
  );
  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/approval-policy',
      tag: 'settings',
      summary: 'Ubah kebijakan persetujuan (admin) / change the approval policy (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZApprovalPolicy,
      response: ZApprovalPolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        await changeApprovalPolicy(tx, body, auth.user.id, auditContext(req, res));
        return body;
      }),
  );

  // Like the approval policy, admins only: it decides whose decommission waits for the head.
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/decommission-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: decommission-policy',
      access: 'user',
      response: ZDecommissionPolicy,
    },
    async () => getSetting(db, 'decommission_policy', ZDecommissionPolicy, DEFAULT_DECOMMISSION_POLICY),
  );
  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/decommission-policy',
      tag: 'settings',
      summary: 'Ubah kebijakan penghapusan VM (admin) / change the decommission policy (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZDecommissionPolicy,
      response: ZDecommissionPolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        const before = await getSetting(tx, 'decommission_policy', ZDecommissionPolicy, DEFAULT_DECOMMISSION_POLICY);
        await putSetting(tx, 'decommission_policy', body, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'settings.updated',
          targetType: 'setting',
          targetId: 'decommission_policy',
          before,
          after: body,
        });
        return body;
      }),
  );

  // Admins only: the scheduler runs it and every agreement generated afterwards states it.
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/backup-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: backup-policy',
      access: 'user',
      response: ZBackupPolicy,
    },
    async () => getSetting(db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY),
  );
  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/backup-policy',
      tag: 'settings',
      summary: 'Ubah kebijakan pencadangan (admin) / change the backup policy (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZBackupPolicy,
      response: ZBackupPolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        const before = await getSetting(tx, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
        await putSetting(tx, 'backup_policy', body, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'settings.updated',
          targetType: 'setting',
          targetId: 'backup_policy',
          before,
          after: body,
        });
        return body;
      }),
  );

  // Admins only, like the backup policy: it decides which VMs are restored and booted each month.
  route(
    router,
    registry,
    {
      method: 'get',
      path: '/settings/restore-test-policy',
      tag: 'settings',
      summary: 'Pengaturan / setting: restore-test-policy',
      access: 'user',
      response: ZRestoreTestPolicy,
    },
    async () => getSetting(db, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY),
  );
  route(
    router,
    registry,
    {
      method: 'put',
      path: '/settings/restore-test-policy',
      tag: 'settings',
      summary: 'Ubah kebijakan uji pemulihan (admin) / change the test-restore policy (admins)',
      access: [Role.Admin],
      scope: 'admin',
      body: ZRestoreTestPolicy,
      response: ZRestoreTestPolicy,
    },
    async ({ req, res, auth, body }) =>
      db.transaction().execute(async (tx) => {
        const before = await getSetting(tx, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY);
        await putSetting(tx, 'restore_test_policy', body, auth.user.id);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: null,
          action: 'settings.updated',
          targetType: 'setting',
          targetId: 'restore_test_policy',
          before,
          after: body,
        });
        return body;
      }),
  );

  for (const [path, setting] of Object.entries(SETTINGS)) {
    route(
      router,
      registry,
      {
        method: 'get',
        path: `/settings/${path}`,
        tag: 'settings',
        summary: `Pengaturan / setting: ${path}`,
        access: 'user',
        response: setting.schema,
      },
      async () => getSetting(db, setting.key, setting.schema, setting.fallback),
    );
    route(
      router,
      registry,
      {
        method: 'put',
        path: `/settings/${path}`,
        tag: 'settings',
        summary: `Ubah pengaturan / change setting: ${path}`,
        access: OPERATORS,
        body: setting.schema,
        response: setting.schema,
      },
      async ({ req, res, auth, body }) =>
        db.transaction().execute(async (tx) => {
          const before = await getSetting(tx, setting.key, setting.schema, setting.fallback);
          await putSetting(tx, setting.key, body, auth.user.id);
          await appendAudit(tx, {
            ...auditContext(req, res),
            institutionId: null,
            action: 'settings.updated',
            targetType: 'setting',
            targetId: setting.key,
            before,
            after: body,
          });
          return body;
        }),
    );
  }
}
