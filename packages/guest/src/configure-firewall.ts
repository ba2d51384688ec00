import type { GuestShell } from './guest-connection';
import { GuestError, GuestErrorCode } from './guest-errors';
import { ZGuestSpec } from './guest-spec.schema';
import type { StepReport } from './steps/guest-step';
import { firewallStep } from './steps/firewall.step';

/**
 * Brings the guest's firewall to exactly these open TCP ports (22 always added) with the same
 * step the first configuration used: check, apply only what differs, check again (must converge,
 * else GuestError(StepNotConverged)). Ports outside 1–65535 are refused before any command.
 * Safe to run twice: the second run finds nothing to change.
 */
export async function configureFirewall(shell: GuestShell, ports: readonly number[]): Promise<StepReport> {
  const parsed = ZGuestSpec.shape.allowedTcpPorts.safeParse([...ports]);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'ports'}: ${i.message}`);
    throw new GuestError(
      GuestErrorCode.InvalidSpec,
      { id: `Daftar port tidak valid: ${problems.join('; ')}`, en: `Invalid port list: ${problems.join('; ')}` },
      false,
      { problems },
    );
  }
  const spec = { allowedTcpPorts: parsed.data };
  const found = await firewallStep.check(shell, spec);
  if (!found.needsChange) return { key: 'firewall', changed: false, detail: found.notes ?? [] };
  const detail = await firewallStep.apply(shell, spec, found.observed);
  const again = await firewallStep.check(shell, spec);
  if (again.needsChange) {
    throw new GuestError(
      GuestErrorCode.StepNotConverged,
      {
        id: `Firewall sudah diubah tetapi guest masih berbeda: ${again.differences.join('; ')}`,
        en: `The firewall was changed but the guest still differs: ${again.differences.join('; ')}`,
      },
      false,
      { step: 'firewall', differences: again.differences },
    );
  }
  return { key: 'firewall', changed: true, detail };
}
