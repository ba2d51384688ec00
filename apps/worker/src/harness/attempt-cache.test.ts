import { AttemptCache, cacheSlot } from './attempt-cache';
import { createStep, type StepScope } from './run-definition';

describe('AttemptCache', () => {
  const VMID = cacheSlot<number>('vmid');
  const CONFIG = cacheSlot<{ cores: number }>('config');

  it('should hand a value to one taker only, per slot', () => {
    const cache = new AttemptCache();
    cache.put(VMID, 100_042);
    cache.put(CONFIG, { cores: 2 });
    expect(cache.take(VMID)).toBe(100_042);
    // Taken: an in-process retry of the step that took it must read the real state again.
    expect(cache.take(VMID)).toBeUndefined();
    expect(cache.take(CONFIG)).toEqual({ cores: 2 });
  });

  it('should start empty for every attempt', () => {
    new AttemptCache().put(VMID, 1);
    expect(new AttemptCache().take(VMID)).toBeUndefined();
  });

  it('should type slots and step outputs at compile time', () => {
    const cache = new AttemptCache();
    // @ts-expect-error a number slot does not take a string
    cache.put(VMID, '100042');
    const clone = createStep<unknown, { vmid: number; node: string }>({
      key: 'clone',
      weight: 1,
      label: { id: 'x', en: 'x' },
      run: async () => ({ result: { vmid: 1, node: 'pve1' } }),
    });
    const read = (scope: StepScope<unknown>) => {
      const out = scope.output(clone);
      // @ts-expect-error the clone's output has no address
      return [out.vmid, out.node, out.address];
    };
    expect(typeof read).toBe('function');
  });
});
