import { PveError } from './pve-error';
import { validateParams } from './params';
import type { ParamSchema } from './params';

const schema: ParamSchema = {
  vmid: { type: 'integer', minimum: 100, maximum: 999999999 },
  full: { type: 'boolean', optional: true },
  size: { type: 'string', optional: true, pattern: /\+?\d+(\.\d+)?[KMGT]?/ },
  format: { type: 'string', optional: true, enum: ['raw', 'qcow2'] },
  'net[n]': { type: 'string', optional: true },
  command: { type: 'string', array: true, optional: true },
};

function errorsOf(raw: Record<string, string | string[]>): Record<string, string> {
  try {
    validateParams(schema, raw);
  } catch (e) {
    if (e instanceof PveError) return e.errors ?? {};
    throw e;
  }
  throw new Error('no error');
}

describe('validateParams (PVE JSONSchema subset)', () => {
  test('types values and expands name[n] keys', () => {
    expect(validateParams(schema, { vmid: '100', full: '1', net3: 'virtio', command: ['ls', '-l'] })).toEqual({
      vmid: 100,
      full: 1,
      net3: 'virtio',
      command: ['ls', '-l'],
    });
  });

  test('collects every problem in one 400', () => {
    expect(errorsOf({ vmid: '99', full: 'yes', size: '10 G', format: 'vdi', nope: 'x' })).toEqual({
      vmid: 'value must have a minimum value of 100',
      full: "type check ('boolean') failed - got 'yes'",
      size: 'value does not match the regex pattern',
      format: "value 'vdi' does not have a value in the enumeration 'raw, qcow2'",
      nope: 'property is not defined in schema and the schema does not allow additional properties',
    });
    expect(errorsOf({})).toEqual({ vmid: 'property is missing and it is not optional' });
  });

  test('hostile values: arrays for scalars, injection-looking strings, huge numbers', () => {
    expect(errorsOf({ vmid: ['100', '101'] })).toEqual({ vmid: "type check ('integer') failed - got ARRAY" });
    expect(errorsOf({ vmid: '100; rm -rf /' }).vmid).toMatch(/^type check/);
    expect(errorsOf({ vmid: '1e3' }).vmid).toMatch(/^type check/);
    expect(errorsOf({ vmid: '9999999999' }).vmid).toBe('value must have a maximum value of 999999999');
    expect(errorsOf({ vmid: '100', size: '+1G\n' }).size).toBe('value does not match the regex pattern');
  });
});
