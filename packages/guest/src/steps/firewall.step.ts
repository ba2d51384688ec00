import { hasCommand, readGuestFile, runAsRoot } from '../guest-commands';
import { GuestPreconditionError } from '../guest-errors';
import type { GuestShell } from '../guest-connection';
import type { GuestSpec } from '../guest-spec.schema';
import { checkResult, type GuestStep, type StepCheck } from './guest-step';

type Rule = { action: string; port: string };
type Observed = { active: boolean; inputPolicy: string; outputPolicy: string; rules: Rule[]; unparsed: string[] };

const SIMPLE_RULE = /^ufw (allow|deny|reject|limit) (\d{1,5}(?::\d{1,5})?(?:\/(?:tcp|udp))?)$/;

/** Splits `ufw show added` into rules this step understands and lines it must not guess at. */
export function parseUfwAdded(output: string): { rules: Rule[]; unparsed: string[] } {
  const rules: Rule[] = [];
  const unparsed: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('ufw ')) continue;
    const m = SIMPLE_RULE.exec(line);
    if (m) rules.push({ action: m[1]!, port: m[2]! });
    else unparsed.push(line);
  }
  return { rules, unparsed };
}

/** Reads a KEY="VALUE" setting from /etc/default/ufw. */
export function ufwDefault(content: string, key: string): string {
  const m = new RegExp(`^${key}="?([A-Z]+)"?\\s*$`, 'm').exec(content);
  return m ? m[1]! : '';
}

function wanted(ports: readonly number[]): string[] {
  return ports.map((p) => `${p}/tcp`);
}

/**
 * ufw: incoming denied by default, outgoing allowed, exactly the approved TCP ports allowed
 * (22 always). Order avoids lock-out: allow rules go in before the default policy turns to
 * deny and before the firewall is enabled; stale rules are removed only after that.
 */
export const firewallStep = {
  key: 'firewall' as const,
  // Only the ports matter here, so a port change can run this step without the rest of a spec.
  async check(shell: GuestShell, spec: Pick<GuestSpec, 'allowedTcpPorts'>): Promise<StepCheck<Observed>> {
    // One batch; without ufw the `ufw status` fails and stops it, so decide on `command -v` first.
    const [present, status, added, defaultsFile] = await Promise.allSettled([
      hasCommand(shell, 'ufw'),
      runAsRoot(shell, ['ufw', 'status']),
      runAsRoot(shell, ['ufw', 'show', 'added']),
      readGuestFile(shell, '/etc/default/ufw'),
    ]);
    if (present.status === 'fulfilled' && !present.value) {
      throw new GuestPreconditionError({
        id: 'ufw tidak terpasang di guest; tambahkan paket ufw ke templat VM.',
        en: 'ufw is not installed on the guest; add the ufw package to the VM template.',
      });
    }
    for (const r of [present, status, added, defaultsFile]) if (r.status === 'rejected') throw r.reason;
    const value = <T>(r: PromiseSettledResult<T>): T => (r as PromiseFulfilledResult<T>).value;
    const defaults = value(defaultsFile) ?? '';
    const observed: Observed = {
      active: /^Status: active$/m.test(value(status).stdout),
      inputPolicy: ufwDefault(defaults, 'DEFAULT_INPUT_POLICY'),
      outputPolicy: ufwDefault(defaults, 'DEFAULT_OUTPUT_POLICY'),
      ...parseUfwAdded(value(added).stdout),
    };
    const diff: string[] = [];
    const want = wanted(spec.allowedTcpPorts);
    const have = observed.rules.filter((r) => r.action === 'allow').map((r) => r.port);
    for (const p of want) if (!have.includes(p)) diff.push(`allow ${p}`);
    for (const r of observed.rules) if (r.action !== 'allow' || !want.includes(r.port)) diff.push(`remove rule: ${r.action} ${r.port}`);
    for (const line of observed.unparsed) diff.push(`remove rule: ${line}`);
    if (observed.inputPolicy !== 'DROP') diff.push(`default incoming: ${observed.inputPolicy} → deny`);
    if (observed.outputPolicy !== 'ACCEPT') diff.push(`default outgoing: ${observed.outputPolicy} → allow`);
    if (!observed.active) diff.push('enable ufw');
    return checkResult(observed, diff);
  },
  async apply(shell: GuestShell, spec: Pick<GuestSpec, 'allowedTcpPorts'>, observed: Observed): Promise<string[]> {
    // One batch, in this order (allow, policies, enable, then deletions), stopping at a failure.
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    const want = wanted(spec.allowedTcpPorts);
    let current = observed;
    if (observed.unparsed.length > 0) {
      // Rules we cannot parse cannot be deleted one by one safely: start from a clean slate.
      // The reset leaves ufw disabled (all traffic allowed) until it is enabled again below.
      ops.push(runAsRoot(shell, ['ufw', '--force', 'reset']));
      changes.push(`ufw reset (removed ${observed.unparsed.length + observed.rules.length} rule(s))`);
      current = { ...observed, active: false, rules: [], unparsed: [] };
    }
    const have = current.rules.filter((r) => r.action === 'allow').map((r) => r.port);
    for (const p of want) {
      if (have.includes(p)) continue;
      ops.push(runAsRoot(shell, ['ufw', 'allow', p]));
      changes.push(`allowed ${p}`);
    }
    if (current.inputPolicy !== 'DROP' || observed.unparsed.length > 0) {
      ops.push(runAsRoot(shell, ['ufw', 'default', 'deny', 'incoming']));
      changes.push('default incoming: deny');
    }
    if (current.outputPolicy !== 'ACCEPT') {
      ops.push(runAsRoot(shell, ['ufw', 'default', 'allow', 'outgoing']));
      changes.push('default outgoing: allow');
    }
    if (!current.active) {
      ops.push(runAsRoot(shell, ['ufw', '--force', 'enable']));
      changes.push('ufw enabled');
    }
    for (const r of current.rules) {
      if (r.action === 'allow' && want.includes(r.port)) continue;
      ops.push(runAsRoot(shell, ['ufw', 'delete', r.action, r.port]));
      changes.push(`removed rule: ${r.action} ${r.port}`);
    }
    await Promise.all(ops);
    return changes;
  },
} satisfies GuestStep<Observed>;
