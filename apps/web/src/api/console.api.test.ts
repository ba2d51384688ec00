import { consoleSocketUrl } from './console.api';

describe('consoleSocketUrl', () => {
  it('uses the page origin, wss behind https, and encodes the ticket', () => {
    expect(consoleSocketUrl({ protocol: 'https:', host: 'betang.kalteng.go.id' }, '/api/v1/console/ws', 'ab-c_d')).toBe(
      'wss://betang.kalteng.go.id/api/v1/console/ws?ticket=ab-c_d',
    );
    expect(consoleSocketUrl({ protocol: 'http:', host: '127.0.0.1:3000' }, '/api/v1/console/ws', 'a+b')).toBe(
      'ws://127.0.0.1:3000/api/v1/console/ws?ticket=a%2Bb',
    );
  });
});
