import { splitMinutes } from './duration';

describe('splitMinutes', () => {
  it('should split minutes into days, hours and minutes', () => {
    expect(splitMinutes(0)).toEqual({ days: 0, hours: 0, minutes: 0 });
    expect(splitMinutes(59)).toEqual({ days: 0, hours: 0, minutes: 59 });
    expect(splitMinutes(60)).toEqual({ days: 0, hours: 1, minutes: 0 });
    expect(splitMinutes(1440 + 6 * 60 + 5)).toEqual({ days: 1, hours: 6, minutes: 5 });
  });

  it('should treat negative and fractional input as whole non-negative minutes', () => {
    expect(splitMinutes(-30)).toEqual({ days: 0, hours: 0, minutes: 0 });
    expect(splitMinutes(61.9)).toEqual({ days: 0, hours: 1, minutes: 1 });
  });
});
