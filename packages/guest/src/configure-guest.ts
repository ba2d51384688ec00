import { BatchSkippedError } from './guest-batch';
import type { GuestShell } from './guest-connection';
import { GuestError, GuestErrorCode } from './guest-errors';
import { ZGuestSpec, type GuestSpec, type GuestSpecInput } from './guest-spec.schema';
import { adminUserStep } from './steps/admin-user.step';
import { firewallStep } from './steps/firewall.step';
import type { GuestStep, GuestStepKey, StepCheck, StepReport } from './steps/guest-step';
import { hostnameStep } from './steps/hostname.step';
import { ntpStep } from './steps/ntp.step';
import { packagesStep } from './steps/packages.step';
import { sshdHardeningStep } from './steps/sshd-hardening.step';
import { timezoneStep } from './steps/timezone.step';
import { unattendedUpgradesStep } from './steps/unattended-upgrades.step';

/**
 * The steps in the order they run: the admin user exists before sshd is hardened, sshd before the
 * firewall; the package upgrade (the longest step, and the only one that needs the network) runs
 * last, on a guest that is already hardened.
 */
export const GUEST_STEPS: readonly GuestStep[] = [
  hostnameStep,
  adminUserStep,
  sshdHardeningStep,
  timezoneStep,
  ntpStep,
  firewallStep,
  unattendedUpgradesStep,
  packagesStep,
] as readonly GuestStep[];

export type GuestStepEvent =
  | { key: GuestStepKey; phase: 'checking' }
  | { key: GuestStepKey; phase: 'applying'; differences: string[] }
  | { key: GuestStepKey; phase: 'done'; report: StepReport };

/** Validates a spec; throws GuestError(InvalidSpec) listing every problem. Runs nothing on any guest. */
export function parseGuestSpec(input: GuestSpecInput | unknown): GuestSpec {
  const parsed = ZGuestSpec.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`);
  throw new GuestError(
    GuestErrorCode.InvalidSpec,
    { id: `Spesifikasi guest tidak valid: ${problems.join('; ')}`, en: `Invalid guest specification: ${problems.join('; ')}` },
    false,
    { problems },
  );
}

/**
 * Runs every step's check at once (their commands share the guest round trips, see
 * guest-batch.ts) and returns the outcomes in step order. Throws the first failure in step order,
 * preferring a real failure over a command skipped because of it.
 */
async function checkAll(shell: GuestShell, spec: GuestSpec, steps: readonly GuestStep[]): Promise<Array<StepCheck<unknown>>> {
  const settled = await Promise.allSettled(steps.map((step) => step.check(shell, spec)));
  const failures = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (failures.length > 0) throw failures.find((e) => !(e instanceof BatchSkippedError)) ?? failures[0];
  return settled.map((r) => (r as PromiseFulfilledResult<StepCheck<unknown>>).value);
}

/**
 * Brings a guest to the spec with idempotent steps: every step checks first and changes only
 * what differs; after the changes every step is checked again and must report no difference
 * (else GuestError(StepNotConverged)). Safe to run twice or after a crash half-way: a second run
 * reports changed=false for every step. The spec is validated before any command is sent.
 * Round trips: the checks of all steps travel together (one or two SSH exec channels), each
 * step that needs a change applies it in one (the admin user's creation in two), in step order,
 * and the re-checks travel together again — about 11 channels for a fresh guest, 2 for one that
 * is already configured.
 */
export async function configureGuest(
  shell: GuestShell,
  specInput: GuestSpecInput | unknown,
  options: { onStep?: (event: GuestStepEvent) => void } = {},
): Promise<StepReport[]> {
  const spec = parseGuestSpec(specInput);
  for (const step of GUEST_STEPS) options.onStep?.({ key: step.key, phase: 'checking' });
  const before = await checkAll(shell, spec, GUEST_STEPS);
  const reports: StepReport[] = [];
  const applied: GuestStep[] = [];
  for (const [i, step] of GUEST_STEPS.entries()) {
    const found = before[i]!;
    if (!found.needsChange) {
      reports.push({ key: step.key, changed: false, detail: found.notes ?? [] });
      continue;
    }
    options.onStep?.({ key: step.key, phase: 'applying', differences: found.differences });
    reports.push({ key: step.key, changed: true, detail: await step.apply(shell, spec, found.observed) });
    applied.push(step);
  }
  const after = applied.length > 0 ? await checkAll(shell, spec, applied) : [];
  for (const [i, step] of applied.entries()) {
    const again = after[i]!;
    if (again.needsChange) {
      throw new GuestError(
        GuestErrorCode.StepNotConverged,
        {
          id: `Langkah ${step.key} sudah diterapkan tetapi guest masih berbeda: ${again.differences.join('; ')}`,
          en: `Step ${step.key} was applied but the guest still differs: ${again.differences.join('; ')}`,
        },
        false,
        { step: step.key, differences: again.differences },
      );
    }
  }
  for (const report of reports) options.onStep?.({ key: report.key, phase: 'done', report });
  return reports;
}
