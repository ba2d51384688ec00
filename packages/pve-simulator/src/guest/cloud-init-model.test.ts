import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudInitCommand } from './cloud-init-model';

/*
 * While cloud-init runs, which stage a poll sees depends on when it lands, so the transcript test
 * compares running answers without their stage; this pins the ORDER instead: the details the
 * recorded real guest showed after its host keys existed (packages/guest/fixtures/
 * debian-12-transcript.json, phases.keys-written.cloudInitDetails, in the order seen) must appear
 * in the same order when the emulated window is walked through.
 */
type Transcript = { phases: Record<string, { cloudInitDetails?: string[] }> };
const FIXTURE = join(__dirname, '..', '..', '..', 'guest', 'fixtures', 'debian-12-transcript.json');

describe("the emulated cloud-init's stages after the host keys", () => {
  it('should show the details in the order the real guest did', () => {
    const recorded = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Transcript).phases['keys-written']?.cloudInitDetails ?? [];
    const plan = { notRunningUntil: 0, timeoutUntil: 0, linkLocalUntil: 1_000, hostKeysAt: 2_000, cloudInitDoneAt: 102_000 };
    const seen: string[] = [];
    for (let now = plan.hostKeysAt; now < plan.cloudInitDoneAt; now += 250) {
      const out = JSON.parse(cloudInitCommand('cloud-init status --format json', plan, 0, now)?.stdout ?? '{}') as {
        status: string;
        detail: string;
      };
      expect(out.status).toBe('running');
      if (seen.at(-1) !== out.detail) seen.push(out.detail);
    }
    // every recorded detail, in the recorded order, is found going forward through `seen`
    let at = 0;
    for (const detail of recorded) {
      const found = seen.indexOf(detail, at);
      expect({ detail, found: found >= 0 }).toEqual({ detail, found: true });
      at = found + 1;
    }
    expect(seen).toEqual([
      'DataSourceNoCloud [seed=/dev/sr0][dsmode=net]',
      'Running in stage: modules-config',
      'DataSourceNoCloud [seed=/dev/sr0][dsmode=net]',
      'Running in stage: modules-final',
      'DataSourceNoCloud [seed=/dev/sr0][dsmode=net]',
    ]);
  });
});
