import { pickLanguage } from './bilingual-text';

describe('pickLanguage', () => {
  const stored = 'Templat 9000 tidak ada di node pve1.\n\nTemplate 9000 does not exist on node pve1.';

  it('should pick the Bahasa Indonesia half for id and the English half for en', () => {
    expect(pickLanguage(stored, 'id')).toBe('Templat 9000 tidak ada di node pve1.');
    expect(pickLanguage(stored, 'en')).toBe('Template 9000 does not exist on node pve1.');
  });

  it('should show a one-language or many-paragraph text whole', () => {
    expect(pickLanguage('connection refused', 'en')).toBe('connection refused');
    expect(pickLanguage('a\n\nb\n\nc', 'id')).toBe('a\n\nb\n\nc');
    expect(pickLanguage('\n\nonly english', 'id')).toBe('\n\nonly english');
  });

  it('should accept Windows line ends', () => {
    expect(pickLanguage('satu\r\n\r\ntwo', 'en')).toBe('two');
  });
});
