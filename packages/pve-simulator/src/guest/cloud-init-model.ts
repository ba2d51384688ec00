import type { GuestCommandResult } from '../faults/fault-state';
import type { AgentPlan } from '../state/types';

/*
 * What an emulated guest's cloud-init (Debian 12: cloud-init 22.4.2) answers while it boots,
 * following the VM's boot plan (SimVm.agentPlan). The texts are those of cloudinit/cmd/status.py
 * at 22.4.2: `status` is `running` until result.json exists, then `done`; the
 * JSON form is pretty-printed with sorted keys, and `--wait` prints a newline before its line.
 */

type CloudInitStage = 'init-local' | 'init' | 'modules-config' | 'modules-final';

/**
 * The stage cloud-init is in at `now`, 'between' stages, or 'done'. After the network stage
 * (whose last module, ssh, writes the host keys) the config and final stages are separate
 * systemd units, and most of the time until done passes BETWEEN them, while status.json names
 * no stage: in the recorded real guest (packages/guest/fixtures/debian-12-transcript.json,
 * `cloud-init analyze show`) about half the span passed before modules-config started, a tenth
 * in it, a quarter before modules-final, a tenth in it; and a poll can land after modules-final
 * has ended but before result.json exists (running, no stage).
 */
function cloudInitStage(plan: AgentPlan, now: number): CloudInitStage | 'between' | 'done' {
  if (now >= plan.cloudInitDoneAt) return 'done';
  if (now < plan.linkLocalUntil) return 'init-local';
  if (now < plan.hostKeysAt) return 'init';
  const f = (now - plan.hostKeysAt) / (plan.cloudInitDoneAt - plan.hostKeysAt);
  if (f < 0.5) return 'between';
  if (f < 0.6) return 'modules-config';
  if (f < 0.85) return 'between';
  return f < 0.95 ? 'modules-final' : 'between';
}

const NOCLOUD_DETAIL = 'DataSourceNoCloud [seed=/dev/sr0][dsmode=net]';

function lastUpdate(ms: number): string {
  // strftime("%a, %d %b %Y %H:%M:%S %z", gmtime(t))
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const day = d.toUTCString().slice(0, 3);
  const p = (n: number): string => String(n).padStart(2, '0');
  const month = d.toUTCString().slice(8, 11);
  return `${day}, ${p(d.getUTCDate())} ${month} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** `cloud-init status --format json` at `now` (exit 0: 22.4.2 exits 1 only for `error`). */
function cloudInitStatusJson(plan: AgentPlan, startedAt: number, now: number): string {
  const stage = cloudInitStage(plan, now);
  const done = stage === 'done';
  const v1 = {
    boot_status_code: 'enabled-by-generator',
    datasource: stage === 'init-local' ? '' : 'nocloud',
    // status.py: "Running in stage: X" while a stage runs, else the datasource's description
    detail: done || stage === 'between' ? NOCLOUD_DETAIL : `Running in stage: ${stage}`,
    errors: [] as string[],
    last_update: lastUpdate(done ? plan.cloudInitDoneAt : Math.max(startedAt, now - 1000)),
    status: done ? 'done' : 'running',
  };
  const all = { _schema_version: '1', ...v1, schemas: { '1': v1 } };
  return `${JSON.stringify(sortKeys(all), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const STATUS = /^(?:sudo -n -- )?cloud-init status((?: --format (?:json|tabular)| --wait| -w| --long| -l)*)$/;
const WAIT_SCRIPT = /cloud-init status --wait/;
const RESULT_FILE_TEST = /^(?:sudo -n -- )?test -e \/run\/cloud-init\/result\.json$/;

/**
 * The answer of a cloud-init status command at `now`, or undefined for any other command.
 * `--wait` while running answers when cloud-init is done (`readyAt`), as the real command blocks.
 */
export function cloudInitCommand(command: string, plan: AgentPlan, startedAt: number, now: number): GuestCommandResult | undefined {
  const m = STATUS.exec(command.trim());
  const done = now >= plan.cloudInitDoneAt;
  // cloud-init writes /run/cloud-init/result.json when its last stage ends (status.py's `done`)
  if (RESULT_FILE_TEST.test(command.trim())) return { code: done ? 0 : 1 };
  if (!m) {
    // the guest package's wait script (`sh -c '... exec timeout "$1" cloud-init status --wait' sh N`)
    if (!WAIT_SCRIPT.test(command)) return undefined;
    return done
      ? { code: 0, stdout: '\nstatus: done\n' }
      : { code: 0, stdout: `${'.'.repeat(3)}\nstatus: done\n`, readyAt: plan.cloudInitDoneAt };
  }
  const flags = m[1] ?? '';
  const wait = /--wait|-w/.test(flags);
  const json = /--format json/.test(flags);
  const at = wait ? Math.max(now, plan.cloudInitDoneAt) : now;
  const stdout = json
    ? cloudInitStatusJson(plan, startedAt, at)
    : `${wait ? `${done ? '' : '...'}\n` : ''}status: ${cloudInitStage(plan, at) === 'done' ? 'done' : 'running'}\n`;
  return { code: 0, stdout, ...(wait && !done ? { readyAt: plan.cloudInitDoneAt } : {}) };
}
