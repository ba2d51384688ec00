import type { GuestShell } from './guest-connection';
import { GuestError, GuestErrorCode } from './guest-errors';
import { ZGuestSpec, type GuestSpec, type GuestSpecInput } from './guest-spec.schema';
import { adminUserStep } from './steps/admin-user.step';
import { firewallStep } from './steps/firewall.step';
import type { GuestStep, GuestStepKey, StepReport } from './steps/guest-step';
import { hostnameStep } from './steps/hostname.step';
import { ntpStep } from './steps/ntp.step';
import { sshdHardeningStep } from './steps/sshd-hardening.step';
import { timezoneStep } from './steps/timezone.step';
import { unattendedUpgradesStep } from './steps/unattended-upgrades.step';

/** The steps in the order they run: the admin user exists before sshd is hardened, sshd before the firewall. */
export const GUEST_STEPS: readonly GuestStep[] = [
  hostnameStep,
  adminUserStep,
  sshdHardeningStep,
  timezoneStep,
  ntpStep,
  firewallStep,
  unattendedUpgradesStep,
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
 * Brings a guest to the spec, one idempotent step at a time: each step checks first and changes
 * only what differs, then is checked again and must report no difference (else
 * GuestError(StepNotConverged)). Safe to run twice or after a crash half-way: a second run reports
 * changed=false for every step. The spec is validated before any command is sent.
 */
export async function configureGuest(
  shell: GuestShell,
  specInput: GuestSpecInput | unknown,
  options: { onStep?: (event: GuestStepEvent) => void } = {},
): Promise<StepReport[]> {
  const spec = parseGuestSpec(specInput);
  const reports: StepReport[] = [];
  for (const step of GUEST_STEPS) {
    options.onStep?.({ key: step.key, phase: 'checking' });
    const before = await step.check(shell, spec);
    let report: StepReport = { key: step.key, changed: false, detail: before.notes ?? [] };
    if (before.needsChange) {
      options.onStep?.({ key: step.key, phase: 'applying', differences: before.differences });
      const detail = await step.apply(shell, spec, before.observed);
      const after = await step.check(shell, spec);
      if (after.needsChange) {
        throw new GuestError(
          GuestErrorCode.StepNotConverged,
          {
            id: `Langkah ${step.key} sudah diterapkan tetapi guest masih berbeda: ${after.differences.join('; ')}`,
            en: `Step ${step.key} was applied but the guest still differs: ${after.differences.join('; ')}`,
          },
          false,
          { step: step.key, differences: after.differences },
        );
      }
      report = { key: step.key, changed: true, detail };
    }
    reports.push(report);
    options.onStep?.({ key: step.key, phase: 'done', report });
  }
  return reports;
}
