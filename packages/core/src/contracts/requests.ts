import { z } from 'zod';
import { GUEST_HOSTNAME_PATTERN } from '../domain/guest-account';
import { deniedPortReason } from '../domain/guest-ports';
import { REQUEST_STATUSES } from '../domain/request-status';
import { ZResources } from '../domain/resources';
import { RUN_KINDS, RUN_STATUSES, STEP_STATUSES } from '../domain/run-status';
import { VM_STATES } from '../domain/vm-state';
import { DUPLICATE_SSH_KEY_MESSAGE, duplicateSshKeyIndexes } from '../ssh/ssh-key-set';
import { parseSshPublicKey } from '../ssh/ssh-public-key';
import { ZDisplayName, ZEmail, ZNip, ZPhone, zText } from './common';
import { DAY_RANGE_ISSUE, FIND_DAY_RANGE, ZFindText, dayRangeInOrder, zFindPage } from './find';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';
import { ZPublicEndpoint } from './public-endpoint';

/** A host name: one DNS label — a–z, 0–9 and '-', 1–63 characters, starting with a letter, not ending with '-' (the guest specification's rule). */
export const ZHostname = z.string().regex(wordedPattern(GUEST_HOSTNAME_PATTERN, CONTRACT_MESSAGES.hostname));

/** One SSH public key line, validated by the shared parser (ed25519, ecdsa, rsa ≥ 3072; no options, one line). */
const ZSshPublicKeyInput = z
  .string()
  .max(8192)
  .transform((line, ctx) => {
    const result = parseSshPublicKey(line);
    if (result.ok) return result.key.line;
    ctx.addIssue({ code: 'custom', ...worded(result.error.message, { sshKeyError: result.error.code }) });
    return z.NEVER;
  });

/**
 * TCP ports to open on the guest's firewall (besides 22, always open): 1–65535, each once, none
 * of the deny list (DENIED_GUEST_PORTS); a refused port is named by its index.
 */
export const ZGuestPorts = z
  .array(
    z
      .number()
      .int()
      .min(1)
      .max(65535)
      .superRefine((port, ctx) => {
        const denied = deniedPortReason(port);
        if (denied) ctx.addIssue({ code: 'custom', ...worded(denied, { portError: 'denied' }) });
      }),
  )
  .max(20)
  .superRefine((ports, ctx) => {
    ports.forEach((port, index) => {
      if (ports.indexOf(port) !== index) ctx.addIssue({ code: 'custom', path: [index], ...worded(CONTRACT_MESSAGES.duplicatePort) });
    });
  });

/** 1–10 SSH public keys, each validated like one (no options), no key twice: a request's keys and a VM's replacement keys. */
export const ZSshPublicKeyList = z
  .array(ZSshPublicKeyInput)
  .min(1)
  .max(10)
  .superRefine((keys, ctx) => {
    // The guest installs each key once: the same key under another comment is refused here, not after the clone.
    for (const index of duplicateSshKeyIndexes(keys)) {
      ctx.addIssue({
        code: 'custom',
        path: [index],
        ...worded(DUPLICATE_SSH_KEY_MESSAGE, { sshKeyError: 'duplicate' }),
      });
    }
  });

/** `POST /vps-requests` body (docs/http-api.md). */
export const ZSubmitRequestBody = z
  .strictObject({
    applicationId: z.uuid(),
    hostname: ZHostname,
    templateId: zText({ min: 1, max: 63 }),
    presetId: zText({ min: 1, max: 32 }).optional(),
    resources: ZResources.optional(),
    sshPublicKeys: ZSshPublicKeyList,
    purpose: zText({ min: 10, max: 2000, multiline: true }),
    network: z.strictObject({
      publicAccess: z.boolean(),
      ports: ZGuestPorts,
    }),
    contact: z.strictObject({ name: ZDisplayName, nip: ZNip, phone: ZPhone, email: ZEmail }),
  })
  .refine((b) => (b.presetId === undefined) !== (b.resources === undefined), {
    ...worded(CONTRACT_MESSAGES.presetOrResources),
    path: ['presetId'],
  });
export type SubmitRequestBody = z.infer<typeof ZSubmitRequestBody>;

export const ZApproveBody = z.strictObject({ comment: zText({ max: 2000, multiline: true }).optional() });
export const ZRejectBody = z.strictObject({ reason: zText({ min: 5, max: 2000, multiline: true }) });
export const ZCancelBody = z.strictObject({ reason: zText({ max: 2000, multiline: true }).optional() });

const ZRunStep = z.object({
  key: z.string(),
  status: z.enum(STEP_STATUSES),
  attempt: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  detail: z.string().nullable(),
});

/** One run of a request with its steps and error. */
const ZRequestRun = z.object({
  id: z.uuid(),
  kind: z.enum(RUN_KINDS),
  status: z.enum(RUN_STATUSES),
  attempt: z.number(),
  progress: z.number(),
  currentStep: z.string().nullable(),
  steps: z.array(ZRunStep),
  error: z.object({ code: z.string().nullable(), message: z.string(), retryable: z.boolean().nullable() }).nullable(),
});

/** A request as returned (docs/http-api.md "A request as returned"). */
export const ZVpsRequest = z.object({
  id: z.uuid(),
  institutionId: z.uuid(),
  status: z.enum(REQUEST_STATUSES),
  statusReason: z.string().nullable(),
  hostname: z.string(),
  /** Null for a VM that was adopted from the cluster rather than built from a catalog template. */
  templateId: z.string().nullable(),
  presetId: z.string().nullable(),
  resources: ZResources,
  applicationId: z.uuid(),
  sshPublicKeys: z.array(z.string()),
  purpose: z.string(),
  network: z.object({ publicAccess: z.boolean(), ports: z.array(z.number()) }),
  contact: z.object({ name: z.string(), nip: z.string(), phone: z.string(), email: z.string() }),
  requestedBy: z.uuid(),
  /** Decisions on the request and on its changes; `runId` names the change (a resize run) a decision is about, null for the request itself. */
  approvals: z.array(
    z.object({
      level: z.number(),
      decision: z.enum(['approved', 'rejected']),
      by: z.string().nullable(),
      byName: z.string().nullable(),
      role: z.string(),
      at: z.string(),
      comment: z.string().nullable(),
      runId: z.uuid().nullable().optional(),
    }),
  ),
  /** The level that decides next: of the request while it awaits a decision, else of its pending change (a resize whose run is `awaiting_approval`). */
  pendingLevel: z.object({ level: z.number(), name: z.object({ id: z.string(), en: z.string() }), roles: z.array(z.string()) }).nullable(),
  ipAddress: z.string().nullable(),
  /** The admin account for SSH on the VPS (`ssh <adminUser>@<ipAddress>`). */
  adminUser: z.string(),
  /** The latest run (the last of `runs`). */
  run: ZRequestRun.nullable(),
  /** Every run of the request, oldest first: provisioning, each day-2 run (power, change, decommission, keys), cancelled ones too. */
  runs: z.array(ZRequestRun).optional(),
  vm: z
    .object({
      id: z.uuid(),
      node: z.string().nullable(),
      vmid: z.number().nullable(),
      ipAddress: z.string().nullable(),
      state: z.enum(VM_STATES),
      /** The pinned SSH host key's fingerprint exactly as `ssh` prints it (`SHA256:` + unpadded base64), null until pinned. */
      hostKeyFingerprint: z.string().nullable().optional(),
      /** The public endpoint while the VM holds one (internet access), else null. */
      publicEndpoint: ZPublicEndpoint.nullable().optional(),
    })
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VpsRequestDto = z.infer<typeof ZVpsRequest>;

/**
 * `GET /vps-requests` query: filters (institution, status, submission day range in WIB, host name,
 * address, free text over host name, purpose and application name) and keyset paging; `runs=none`
 * leaves every run but the latest (`run`) out of each item.
 */
export const ZListRequestsQuery = z
  .strictObject({
    ...zFindPage(),
    status: z.enum(REQUEST_STATUSES).optional(),
    institutionId: z.uuid().optional(),
    hostname: ZFindText.optional(),
    address: ZFindText.optional(),
    q: ZFindText.optional(),
    ...FIND_DAY_RANGE,
    runs: z.enum(['all', 'none']).default('all'),
  })
  .refine(dayRangeInOrder, DAY_RANGE_ISSUE);

/**
 * `GET /vps-requests/:id/checks`: what an operator sees before approving — the agreement in
 * force, its coverage of the application and OS template, its ceiling, the quota and an IP
 * address — each passed or failed with a bilingual sentence. Approval refuses while agreement,
 * coverage or ceiling fails.
 */
export const ZReviewChecks = z.object({
  checks: z.array(
    z.object({
      key: z.enum(['agreement', 'coverage', 'ceiling', 'quota', 'pool']),
      status: z.enum(['passed', 'failed']),
      /** Whether a failure refuses the approval (agreement, coverage, ceiling). */
      blocking: z.boolean(),
      message: z.object({ id: z.string(), en: z.string() }),
    }),
  ),
  /** False while a blocking check fails. */
  approvable: z.boolean(),
});
export type ReviewChecksDto = z.infer<typeof ZReviewChecks>;

/**
 * `GET /vps-requests/precheck` query: what the form holds so far. Nothing is required: without
 * anything it answers what blocks any request (the agreement); with an application and a template
 * it checks the agreement's coverage; with a preset or a custom size, the ceiling and the quota.
 */
export const ZRequestPrecheckQuery = z.strictObject({
  applicationId: z.uuid().optional(),
  templateId: zText({ min: 1, max: 63 }).optional(),
  presetId: zText({ min: 1, max: 32 }).optional(),
  cores: z.coerce.number().int().min(0).max(1024).optional(),
  memoryMiB: z.coerce.number().int().min(0).max(16_777_216).optional(),
  diskGiB: z.coerce.number().int().min(0).max(1_048_576).optional(),
});
export type RequestPrecheckQuery = z.infer<typeof ZRequestPrecheckQuery>;

/**
 * `GET /vps-requests/precheck` answer: every blocker with the next step in both languages and
 * where to take it. The form keeps submission disabled while `submittable` is false; the
 * submission itself checks everything again (the server stays authoritative).
 */
export const ZRequestPrecheck = z.object({
  blockers: z.array(
    z.object({
      key: z.enum(['agreement', 'coverage', 'ceiling', 'quota']),
      message: z.object({ id: z.string(), en: z.string() }),
      link: z.enum(['agreements', 'quota']).nullable(),
    }),
  ),
  submittable: z.boolean(),
});
export type RequestPrecheckDto = z.infer<typeof ZRequestPrecheck>;

/**
 * `GET /vps-requests/:id/queue`: where a request waiting for a decision stands. `position` counts
 * from 1 among every request waiting (oldest first), null once decided; `dueAt` is the submission
 * time plus the approval service standard (`approvalHours`).
 */
export const ZRequestQueuePosition = z.object({
  position: z.number().int().min(1).nullable(),
  waiting: z.number().int().min(0),
  approvalHours: z.number(),
  dueAt: z.string(),
});
export type RequestQueuePositionDto = z.infer<typeof ZRequestQueuePosition>;
