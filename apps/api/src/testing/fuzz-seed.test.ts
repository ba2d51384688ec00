import { ZSubmitRequestBody } from '@betang/core';
import fc from 'fast-check';
import { defaultHints } from './route-walk';
import { fuzzSeed, seededRandom } from './fuzz-seed';
import { hostileValue, nearValid } from './zod-arbitrary';

describe('fuzz seed', () => {
  const saved = process.env.FUZZ_SEED;
  afterEach(() => {
    if (saved === undefined) delete process.env.FUZZ_SEED;
    else process.env.FUZZ_SEED = saved;
    jest.restoreAllMocks();
  });

  it('should take FUZZ_SEED, print it with the replay command, and refuse a seed that is not an integer', () => {
    const info = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    process.env.FUZZ_SEED = '424242';
    const { seed, replay } = fuzzSeed(__filename);
    expect(seed).toBe(424242);
    expect(replay).toMatch(/^FUZZ_SEED=424242 npx jest \S*fuzz-seed\.test\.ts$/);
    expect(info).toHaveBeenCalledWith(expect.stringContaining(replay));
    process.env.FUZZ_SEED = '42x';
    expect(() => fuzzSeed(__filename)).toThrow('FUZZ_SEED must be an integer');
  });

  it('should pick and print a fresh seed when FUZZ_SEED is unset', () => {
    const info = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    delete process.env.FUZZ_SEED;
    const { seed } = fuzzSeed(__filename);
    expect(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    expect(info).toHaveBeenCalledWith(expect.stringContaining(`FUZZ_SEED=${seed}`));
  });

  it('should give the same cases for the same seed', () => {
    const draw = (seed: number) => {
      const rand = seededRandom(seed);
      return Array.from({ length: 5 }, rand);
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const cases = fc.oneof(nearValid(ZSubmitRequestBody, defaultHints([])), hostileValue);
    const sample = (seed: number) => JSON.stringify(fc.sample(cases, { seed, numRuns: 20 }));
    expect(sample(2026)).toBe(sample(2026));
    expect(sample(2026)).not.toBe(sample(2027));
  });
});
