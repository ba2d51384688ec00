import { PERSON_WRITTEN_FAILURE_CODES, bilingualReason, institutionFailureReason } from './failure-reasons';

describe('institutionFailureReason', () => {
  it('should give a humane reason by failure code, with a general one for anything else', () => {
    expect(institutionFailureReason('NO_CAPACITY').en).toMatch(/short of capacity/);
    expect(institutionFailureReason('GUEST_CONNECT_FAILED').en).toMatch(/could not be fully set up/);
    expect(institutionFailureReason('TEMPLATE_MISSING').id).toMatch(/Templat/);
    for (const code of ['PVE_TASK_FAILED', 'INTERNAL', null, undefined, 'SOMETHING_NEW']) {
      expect(institutionFailureReason(code).en).toMatch(/technical problem/);
    }
    expect(bilingualReason({ id: 'a', en: 'b' })).toBe('a\n\nb');
    expect(PERSON_WRITTEN_FAILURE_CODES.has('CHANGE_REJECTED')).toBe(true);
  });
});
