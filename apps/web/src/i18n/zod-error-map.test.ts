import { ZLoginBody } from '@betang/core';
import { z } from 'zod';
import { setLocale } from './i18n';
import { installZodErrorMap } from './zod-error-map';

const messages = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value).error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message]);

describe('the app zod error map', () => {
  beforeAll(() => installZodErrorMap());
  afterAll(() => setLocale('id', false));

  it('should word contract failures from the catalogue, in Bahasa Indonesia first', async () => {
    await setLocale('id', false);
    expect(messages(ZLoginBody, { email: 'bukan-email' })).toEqual([
      ['email', 'Alamat e-mail tidak valid.'],
      ['password', 'Wajib diisi.'],
    ]);
    expect(messages(z.object({ name: z.string().min(3), n: z.number().max(5) }), { name: 'ab', n: 9 })).toEqual([
      ['name', 'Paling sedikit 3 karakter.'],
      ['n', 'Paling besar 5.'],
    ]);
  });

  it('should follow the language switch, with English plurals', async () => {
    await setLocale('en', false);
    expect(messages(z.object({ a: z.string().min(2), b: z.string().max(1), c: z.enum(['x', 'y']) }), { a: 'x', b: 'xy', c: 'q' })).toEqual([
      ['a', 'At least 2 characters.'],
      ['b', 'At most 1 character.'],
      ['c', 'Invalid option.'],
    ]);
  });

  it('should leave a message written into a schema as it is', async () => {
    await setLocale('en', false);
    expect(messages(z.string().min(5, { error: 'Own words' }), 'x')).toEqual([['', 'Own words']]);
  });
});
