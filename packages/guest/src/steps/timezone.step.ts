import { guestPathExists, hasSystemd, readGuestFile, runAsRoot, writeGuestFile } from '../guest-commands';
import { GuestPreconditionError } from '../guest-errors';
import { checkResult, type GuestStep } from './guest-step';

type Observed = { localtime: string; timezoneFile: string | null; systemd: boolean };

/** The zone name an /etc/localtime symlink points at ("../usr/share/zoneinfo/Asia/Jakarta" → "Asia/Jakarta"). */
export function zoneFromLocaltimeLink(target: string): string {
  const at = target.indexOf('zoneinfo/');
  return at === -1 ? '' : target.slice(at + 'zoneinfo/'.length);
}

/** Time zone: timedatectl under systemd (else the /etc/localtime link), plus Debian's /etc/timezone. */
export const timezoneStep: GuestStep<Observed> = {
  key: 'timezone',
  async check(shell, spec) {
    const [zoneExists, link, timezoneFile, systemd] = await Promise.all([
      guestPathExists(shell, `/usr/share/zoneinfo/${spec.timezone}`),
      runAsRoot(shell, ['readlink', '/etc/localtime'], { okCodes: [0, 1] }),
      readGuestFile(shell, '/etc/timezone'),
      hasSystemd(shell),
    ]);
    if (!zoneExists) {
      throw new GuestPreconditionError(
        {
          id: `Zona waktu ${spec.timezone} tidak ada di guest (paket tzdata?).`,
          en: `Time zone ${spec.timezone} is missing on the guest (tzdata package?).`,
        },
        { timezone: spec.timezone },
      );
    }
    const observed: Observed = { localtime: zoneFromLocaltimeLink(link.stdout.trim()), timezoneFile, systemd };
    const diff: string[] = [];
    if (observed.localtime !== spec.timezone) diff.push(`/etc/localtime: "${observed.localtime}" → ${spec.timezone}`);
    if (observed.timezoneFile !== `${spec.timezone}\n`) diff.push(`/etc/timezone → ${spec.timezone}`);
    return checkResult(observed, diff);
  },
  async apply(shell, spec, observed) {
    // One batch: the zone link (timedatectl or ln), then Debian's /etc/timezone.
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    if (observed.localtime !== spec.timezone) {
      if (observed.systemd) ops.push(runAsRoot(shell, ['timedatectl', 'set-timezone', spec.timezone]));
      else ops.push(runAsRoot(shell, ['ln', '-sfn', `/usr/share/zoneinfo/${spec.timezone}`, '/etc/localtime']));
      changes.push(`time zone: "${observed.localtime}" → ${spec.timezone}`);
    }
    // timedatectl may write /etc/timezone itself (Debian patch); writing the same content again is harmless.
    if (observed.timezoneFile !== `${spec.timezone}\n`) {
      ops.push(writeGuestFile(shell, { path: '/etc/timezone', content: `${spec.timezone}\n`, mode: '644' }));
      changes.push(`/etc/timezone: ${spec.timezone}`);
    }
    await Promise.all(ops);
    return changes;
  },
};
