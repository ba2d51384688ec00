import { randomInt } from 'node:crypto';
import path from 'node:path';

/** A fuzz run's seed and the command that replays it. */
export type FuzzSeed = { seed: number; replay: string };

/**
 * The seed a fuzz test file uses: FUZZ_SEED when set (to replay a run), else a fresh random
 * 31-bit one. It is printed at once, so every run can be replayed, and `replay` is meant to go
 * into the failure message too. Throws when FUZZ_SEED is not an integer (a typo must not
 * silently fuzz with another seed).
 */
export function fuzzSeed(testFile: string): FuzzSeed {
  const raw = process.env.FUZZ_SEED;
  const seed = raw === undefined || raw.trim() === '' ? randomInt(0, 2 ** 31) : Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  const replay = `FUZZ_SEED=${seed} npx jest ${path.relative(process.cwd(), testFile)}`;
  // A warning so it shows in every reporter: the seed is what turns a failure into a repeatable one.
  console.warn(`fuzz seed ${seed}${raw ? ' (from FUZZ_SEED)' : ''}; replay with: ${replay}`);
  return { seed, replay };
}

/** A deterministic pseudo-random number in [0, 1) per call, from `seed` (a 31-bit linear congruential generator). */
export function seededRandom(seed: number): () => number {
  let state = seed % 2 ** 31;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
