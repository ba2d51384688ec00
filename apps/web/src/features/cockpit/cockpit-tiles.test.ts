import { DEFAULT_SERVICE_STANDARDS, type OperatorDashboardDto } from '@betang/core';
import { FEATURES } from '..';
import { badgeCount } from './badges';
import { cockpitTiles } from './operator-cockpit';

const figure = { allocated: 0, physical: null, ratio: null };
const dashboard: OperatorDashboardDto = {
  generatedAt: '2026-12-07T00:00:00.000Z',
  serviceStandards: DEFAULT_SERVICE_STANDARDS,
  approvals: { waiting: 5, overdue: 2 },
  provisioning: { running: 3 },
  failed: { needingAction: 1 },
  agreements: { awaitingDcHead: 4, expiringSoon: 6, expiringWithinDays: 60 },
  findings: { open: 7 },
  capacity: { observedAt: null, nodes: [], total: { vms: 0, cores: figure, memoryMiB: figure, diskGiB: figure, overcommitted: false } },
};

describe('cockpit tiles and navigation badges', () => {
  it('should link each count to the list filtered the same way', () => {
    expect(cockpitTiles(dashboard).map((t) => [t.key, t.count, t.to])).toEqual([
      ['approvals', 5, '/operator/queue'],
      ['overdue', 2, '/operator/queue?overdue=1'],
      ['provisioning', 3, '/operator/provisioning?lane=running'],
      ['failed', 1, '/operator/provisioning?lane=failed'],
      ['agreementsAwaiting', 4, '/operator/agreements?status=awaiting_dc_head'],
      ['agreementsExpiring', 6, '/operator/agreements?expiring=60'],
      ['findings', 7, '/operator/reconciliation'],
    ]);
  });

  it('should show on each badged navigation entry the same count as the tile that links there', () => {
    const tiles = new Map(cockpitTiles(dashboard).map((t) => [t.key, t]));
    const badged = FEATURES.flatMap((f) => f.nav).filter((item) => item.badges);
    expect(badged.map((item) => item.to).sort()).toEqual([
      '/operator/agreements',
      '/operator/provisioning',
      '/operator/queue',
      '/operator/reconciliation',
    ]);
    for (const item of badged)
      for (const badge of item.badges ?? []) {
        const tile = tiles.get(badge)!;
        expect(tile.to.split('?')[0]).toBe(item.to);
        expect(badgeCount(badge, dashboard)).toBe(tile.count);
      }
  });
});
