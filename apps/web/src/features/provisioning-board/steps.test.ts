import { STEP_LABELS, stepLabel } from './steps';

describe('stepLabel', () => {
  it('should label every worker step, a run not started yet, and an unknown step', () => {
    expect(stepLabel('clone')).toBe('opBoard.step.clone');
    expect(stepLabel('await-agent')).toBe('opBoard.step.awaitAgent');
    expect(stepLabel(null)).toBe('opBoard.step.waiting');
    expect(stepLabel('defragment-universe')).toBe('opBoard.step.other');
  });

  it('should list the steps in the order the worker walks them, each once', () => {
    const keys = STEP_LABELS.map(([key]) => key);
    expect(keys.slice(0, 3)).toEqual(['reserve', 'place', 'clone']);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
