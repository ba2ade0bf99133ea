import { describe, expect, it } from 'vitest';
import { describePromises } from './promises';

describe('describePromises', () => {
  it('names only the outcomes there are', () => {
    expect(describePromises({ kept: 2, missed: 1, open: 0 })).toBe('2 kept · 1 missed');
    expect(describePromises({ kept: 0, missed: 0, open: 1 })).toBe('1 open');
    expect(describePromises({ kept: 0, missed: 0, open: 0 })).toBe('None yet');
  });
});
