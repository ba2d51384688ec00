import { definedFields } from './patch';

describe('definedFields', () => {
  it('should keep values (null, 0, false and empty strings included) and drop only undefined', () => {
    expect(definedFields({ name: 'Baru', address: null, cores: 0, active: false, note: '', gone: undefined })).toEqual({
      name: 'Baru',
      address: null,
      cores: 0,
      active: false,
      note: '',
    });
  });

  it('should answer undefined when nothing is left to write (no UPDATE without SET)', () => {
    expect(definedFields({})).toBeUndefined();
    expect(definedFields({ name: undefined, address: undefined })).toBeUndefined();
  });
});
