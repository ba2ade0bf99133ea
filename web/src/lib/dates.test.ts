import { describe, expect, it } from 'vitest';
import { fromNow } from './dates';

describe('fromNow', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it('counts exact days instead of "in a month"', () => {
    expect(fromNow('2026-03-13T12:00:00Z', now)).toBe('in 12 days');
    expect(fromNow('2026-04-05T12:00:00Z', now)).toBe('in 35 days');
    expect(fromNow('2026-02-28T11:00:00Z', now)).toBe('1 day ago');
    expect(fromNow('2026-01-30T12:00:00Z', now)).toBe('30 days ago');
  });
  it('keeps hours and minutes below a day', () => {
    expect(fromNow('2026-03-01T15:00:00Z', now)).toBe('in 3 hours');
    expect(fromNow('2026-03-01T11:55:00Z', now)).toBe('5 minutes ago');
  });
});
