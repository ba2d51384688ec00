import { TERM_PING, termInput, termResize } from './term-protocol';

describe('the xterm.js ↔ termproxy framing', () => {
  it('counts input in UTF-8 bytes, as termproxy reads it', () => {
    expect(termInput('ls\r')).toBe('0:3:ls\r');
    expect(termInput('é')).toBe('0:2:é');
    expect(termInput('')).toBe('0:0:');
  });
  it('encodes a resize with its trailing colon, and the ping as one byte', () => {
    expect(termResize(80, 24)).toBe('1:80:24:');
    expect(TERM_PING).toBe('2');
  });
});
