import { withOwnerMarker, withoutOwnerMarker } from './ownership-marker';

describe('ownership marker of an adopted VM', () => {
  const before = { tags: ['dinkes', 'produksi'], description: 'Web lama Dinas Kesehatan.\nKontak: Pak Budi' };

  it('should add the tags and marker line provisioning writes, keeping the notes and tags people wrote', () => {
    const m = withOwnerMarker(before, 'r-1', 'DINKES');
    expect(m.tags).toEqual(['dinkes', 'produksi', 'betang', 'betang-run-r-1', 'betang-inst-dinkes']);
    expect(m.description).toBe('Web lama Dinas Kesehatan.\nKontak: Pak Budi\nbetang-run=r-1');
  });

  it('should give the same result applied twice, and replace an older marker', () => {
    const once = withOwnerMarker(before, 'r-1', 'DINKES');
    expect(withOwnerMarker(once, 'r-1', 'DINKES')).toEqual(once);
    expect(withOwnerMarker(once, 'r-2', 'DINKES').description.match(/betang-run=/g)).toHaveLength(1);
  });

  it('should give back exactly what the VM had when released', () => {
    expect(withoutOwnerMarker(withOwnerMarker(before, 'r-1', 'DINKES'))).toEqual(before);
    expect(withoutOwnerMarker(withOwnerMarker({ tags: [] }, 'r-1', 'X'))).toEqual({ tags: [], description: '' });
  });
});
