import { parseSshPublicKey, SshPublicKeyErrorCode } from './ssh-public-key';

const NORMAL_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdKu0jhBY2vF3vm8/rJsTq+m3fNg7TGES4rNWpv+4yY budi@laptop';

/** Fastest of `rounds` timings of `repeat` parses, per parse, in ms (the minimum filters out other load). */
function costOf(input: string, repeat: number, rounds = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < repeat; i += 1) parseSshPublicKey(input);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6 / repeat);
  }
  return best;
}

// Every character class the parser's patterns and scans look at: the spaces it strips and splits
// on, line ends, control characters, base64 letters and padding, the option markers, and
// non-ASCII text the comment sanitiser rewrites.
const RUNS = [' ', '\r', '\n', ' \r', ' \n', '\r\n', '\t', '\u0000', 'A', '=', ',', '"', 'e\u0301', '\u2028'];
// Each run alone, before a stray character, after a key type, and after a stray character.
const SHAPES: Array<(run: string) => string> = [
  (run) => run,
  (run) => `${run}x`,
  (run) => `ssh-ed25519 ${run}x`,
  (run) => `x${run}`,
  (run) => `${NORMAL_KEY}${run}x`,
];

describe('parseSshPublicKey on hostile lengths', () => {
  it('parses the reference key (so the baseline measures real parsing)', () => {
    expect(parseSshPublicKey(NORMAL_KEY).ok).toBe(true);
    expect(parseSshPublicKey(`  ${NORMAL_KEY}  \r\n`).ok).toBe(true);
  });

  it('treats a long run of spaces as empty and a long line as too long, whatever it holds', () => {
    const spaces = parseSshPublicKey(' '.repeat(100_000));
    expect(spaces.ok || spaces.error.code).toBe(SshPublicKeyErrorCode.Empty);
    const long = parseSshPublicKey(`ssh-ed25519 ${' '.repeat(100_000)}x`);
    expect(long.ok || long.error.code).toBe(SshPublicKeyErrorCode.TooLong);
    const trailing = parseSshPublicKey(`${NORMAL_KEY}${' '.repeat(100_000)}\n`);
    expect(trailing.ok).toBe(true);
  });

  // A linear parser costs per character about what a normal key costs (in practice far less: a
  // hostile line is refused after one scan), whatever the input; a pattern that backtracks over
  // a run of n spaces costs ~n² (100,000 spaces blocked an API for 77 s). The budget is a ratio
  // against the per-character cost of parsing a normal key, measured here, never fixed ms.
  it('costs at most 10 times a normal key per character for 20,000- and 100,000-character runs of every class', () => {
    const normalPerChar = costOf(NORMAL_KEY, 2_000) / NORMAL_KEY.length;
    const slow: string[] = [];
    for (const length of [20_000, 100_000]) {
      for (const run of RUNS) {
        for (const [shapeIndex, shape] of SHAPES.entries()) {
          const input = shape(run.repeat(Math.ceil(length / run.length)));
          const perChar = costOf(input, 3) / input.length;
          if (perChar > 10 * normalPerChar) {
            slow.push(
              `${JSON.stringify(run)} shape ${shapeIndex} length ${input.length}: ${(perChar / normalPerChar).toFixed(0)}× a normal key per character`,
            );
          }
        }
      }
      // Fail on the shorter runs first, so a quadratic parser fails in seconds, not minutes.
      expect(slow).toEqual([]);
    }
  });
});
