import { formatTags, InvalidTagError, parseTags, ZPveTags } from './tags';

describe('parseTags', () => {
  it.each([
    ['betang;run-42', ['betang', 'run-42']],
    ['run-42,betang', ['betang', 'run-42']],
    ['Betang  RUN-42 betang', ['betang', 'run-42']],
    [' ; ,betang;; ', ['betang']],
    ['', []],
  ])('should parse %j', (input, out) => {
    expect(parseTags(input)).toEqual(out);
  });

  it('should drop tokens PVE would never store (hostile input)', () => {
    expect(parseTags('ok;-bad;a/b;<script>;x\u0000y;' + 'z'.repeat(200))).toEqual(['ok']);
    expect(parseTags(undefined)).toEqual([]);
    expect(parseTags(null)).toEqual([]);
  });

  it('ZPveTags should turn absent tags into an empty list', () => {
    expect(ZPveTags.parse(undefined)).toEqual([]);
    expect(ZPveTags.parse('b;a')).toEqual(['a', 'b']);
  });
});

describe('formatTags', () => {
  it('should store tags as PVE does: lowercase, unique, sorted, ;-joined', () => {
    expect(formatTags(['run-42', 'Betang', 'betang', 'a.b+c_d'])).toBe('a.b+c_d;betang;run-42');
  });

  it.each(['', '-x', 'a b', 'a;b', 'é', 'x'.repeat(129)])('should refuse %j', (bad) => {
    expect(() => formatTags([bad])).toThrow(InvalidTagError);
  });

  it('should round-trip through parseTags', () => {
    const tags = ['betang', 'run-0f3c', 'inst-12'];
    expect(parseTags(formatTags(tags))).toEqual([...tags].sort());
  });
});
