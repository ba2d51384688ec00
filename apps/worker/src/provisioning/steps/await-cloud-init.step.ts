import { bilingualDetail } from '@betang/core';
import { classifyPveError } from '@betang/proxmox';
import { permanent, RunError } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { cloneStep } from './clone.step';
import { agentExec } from './pin-host-key.step';

const WAITING_CODES = new Set([
  'agent-not-running',
  'agent-timeout',
  'vm-locked',
  'server-error',
  'network',
  'timeout',
  'proxy-unreachable',
  'proxy-timeout',
]);

/** The argv the agent runs; `--format json` exists since cloud-init 22.2 (Debian 12 ships 22.4.2). */
export const CLOUD_INIT_STATUS_ARGV = ['cloud-init', 'status', '--format', 'json'];

/**
 * The cheap probe between two status reads: cloud-init writes /run/cloud-init/result.json when
 * its last stage has finished (status.py's own test for `done`). One `cloud-init status` is a
 * Python start: on the recorded real guest under TCG it cost 7–22 s of the guest's CPU, which the
 * guest's own cloud-init stages then lacked; `test` costs a fork.
 */
export const CLOUD_INIT_RESULT_ARGV = ['test', '-e', '/run/cloud-init/result.json'];

/** How often the status is read even while result.json is absent (an `error` appears before the end). */
const FULL_STATUS_EVERY_MS = 30_000;

/** What `cloud-init status --format json` says (22.4: status; 23.4+: also extended_status, recoverable_errors). */
type CloudInitStatus = {
  status: string;
  extendedStatus?: string;
  detail: string;
  errors: string[];
  recoverableErrors: string[];
};

/** Parses `cloud-init status --format json`; undefined when the output is not that JSON. */
function parseCloudInitStatus(stdout: string): CloudInitStatus | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || typeof (raw as { status?: unknown }).status !== 'string') return undefined;
  const o = raw as { status: string; extended_status?: unknown; detail?: unknown; errors?: unknown; recoverable_errors?: unknown };
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const recoverable =
    o.recoverable_errors && typeof o.recoverable_errors === 'object'
      ? Object.entries(o.recoverable_errors as Record<string, unknown>).flatMap(([level, list]) =>
          strings(list).map((m) => `${level}: ${m}`),
        )
      : [];
  return {
    status: o.status,
    ...(typeof o.extended_status === 'string' ? { extendedStatus: o.extended_status } : {}),
    detail: typeof o.detail === 'string' ? o.detail : '',
    errors: strings(o.errors),
    recoverableErrors: recoverable,
  };
}

type AwaitCloudInitResult = { cloudInit: 'done' | 'degraded' | 'disabled' | 'absent'; notes?: string[] };

function absent(error: unknown): boolean {
  // QGA: "Failed to execute child process “cloud-init” (No such file or directory)"
  return /No such file or directory/.test(error instanceof Error ? error.message : String(error));
}

/** What the wait keeps between two looks while the run is parked (epoch ms). */
type CloudInitMemo = { started: number; until: number; delay: number; last: string; lastDetail: string; statusReadAt: number };

function isCloudInitMemo(memo: unknown): memo is CloudInitMemo {
  const m = memo as Partial<CloudInitMemo> | null | undefined;
  return typeof m?.started === 'number' && typeof m.until === 'number' && typeof m.delay === 'number' && typeof m.statusReadAt === 'number';
}

/**
 * `await-cloud-init`: through the guest agent, before any SSH connection, waits until cloud-init
 * has finished its first boot: `cloud-init status --format json` at the start, whenever
 * /run/cloud-init/result.json exists (CLOUD_INIT_RESULT_ARGV, polled in between) and at least
 * every 30 s. Its ssh module
 * deletes and regenerates the host keys a few seconds after the network (and so the agent's
 * address) is up; only after it is done is the host key the one sshd will keep presenting.
 * Between two looks the run parks (scope.park) with the wait's state as its memo, so the worker
 * slot is free while the guest works and a resumed wait keeps its budget.
 * Progress follows cloud-init's stage. `error` fails for good (CLOUD_INIT_FAILED, with
 * cloud-init's own errors); no end within GUEST_CLOUD_INIT_WAIT_SECONDS fails with
 * CLOUD_INIT_TIMEOUT. Read-only towards the guest, safe to repeat: once cloud-init is done it
 * answers at once.
 */
export const awaitCloudInitStep = provisionStep<AwaitCloudInitResult>({
  key: 'await-cloud-init',
  weight: 10,
  label: { id: 'menunggu cloud-init selesai', en: 'wait for cloud-init to finish' },
  async run({ ctx, output, signal, progress, log, memo, park }) {
    const { vmid, node } = output(cloneStep);
    const budget = ctx.settings.GUEST_CLOUD_INIT_WAIT_SECONDS;
    const first = Date.now();
    const w: CloudInitMemo = isCloudInitMemo(memo)
      ? { ...memo }
      : {
          started: first,
          until: first + budget * 1000,
          delay: 500,
          last: 'belum ada jawaban / no answer yet',
          lastDetail: '',
          statusReadAt: 0,
        };
    try {
      const probeOnly = w.statusReadAt > 0 && Date.now() - w.statusReadAt < FULL_STATUS_EVERY_MS;
      // No result.json yet: still running, the last status read stands.
      const stillRunning = probeOnly && (await agentExec(ctx.pve, node, vmid, CLOUD_INIT_RESULT_ARGV, 30_000, signal)).code !== 0;
      // Counted from the start of a read, so a read that timed out is not repeated at once.
      if (!stillRunning) w.statusReadAt = Date.now();
      const out = stillRunning ? undefined : await agentExec(ctx.pve, node, vmid, CLOUD_INIT_STATUS_ARGV, 30_000, signal);
      const status = out ? parseCloudInitStatus(out.stdout) : undefined;
      if (!out) {
        // nothing new
      } else if (!status) {
        w.last = `keluaran tak dikenal / unreadable output (exit ${out.code}): ${out.stdout.slice(0, 200)}`;
      } else if (status.status === 'error') {
        const errors = status.errors.length ? status.errors.join('; ') : status.detail;
        throw permanent(
          'CLOUD_INIT_FAILED',
          {
            id: `cloud-init di VM ${vmid} selesai dengan galat: ${errors}`,
            en: `cloud-init on VM ${vmid} finished with errors: ${errors}`,
          },
          { node, vmid, errors: status.errors },
        );
      } else if (status.status === 'done' || status.status === 'disabled') {
        const degraded = (status.extendedStatus ?? '').startsWith('degraded') || status.recoverableErrors.length > 0;
        const outcome: AwaitCloudInitResult = {
          cloudInit: status.status === 'disabled' ? 'disabled' : degraded ? 'degraded' : 'done',
          ...(status.recoverableErrors.length ? { notes: status.recoverableErrors.slice(0, 20) } : {}),
        };
        return { result: outcome, detail: `cloud-init ${outcome.cloudInit} (${Math.round((Date.now() - w.started) / 1000)} s)` };
      } else {
        w.last = `${status.status}: ${status.detail}`;
        if (status.detail !== w.lastDetail) {
          w.lastDetail = status.detail;
          log.info({ vmid, cloudInit: status.status, detail: status.detail }, 'cloud-init berjalan / cloud-init running');
        }
      }
    } catch (error) {
      if (error instanceof RunError) {
        if (error.code !== 'AGENT_EXEC_TIMEOUT') throw error;
      } else if (absent(error)) {
        return {
          result: { cloudInit: 'absent' } satisfies AwaitCloudInitResult,
          detail: bilingualDetail({ id: 'image tanpa cloud-init', en: 'image without cloud-init' }),
        };
      } else if (!WAITING_CODES.has(classifyPveError(error).code)) throw error;
      w.last = error instanceof Error ? error.message.slice(0, 200) : String(error);
    }
    // The bar moves with the time spent, capped before the end (cloud-init decides when it is done).
    await progress?.(Math.min(0.9, (Date.now() - w.started) / (budget * 1000)));
    if (Date.now() + w.delay <= w.until) {
      const next = Date.now() + w.delay;
      w.delay = Math.min(3_000, Math.round(w.delay * 1.5));
      return park(next, w satisfies CloudInitMemo, { id: 'menunggu cloud-init selesai', en: 'waiting for cloud-init to finish' });
    }
    throw permanent(
      'CLOUD_INIT_TIMEOUT',
      {
        id: `cloud-init di VM ${vmid} belum selesai dalam ${budget} detik (terakhir: ${w.last}).`,
        en: `cloud-init on VM ${vmid} did not finish within ${budget} seconds (last seen: ${w.last}).`,
      },
      { node, vmid },
    );
  },
});
