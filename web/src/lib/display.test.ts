import { describe, expect, it } from 'vitest';
import { languageName, paymentMethodLabel, timezoneName } from './display';

describe('languageName', () => {
  it('names a locale code in words', () => {
    expect(languageName('de_DE', 'en')).toBe('German (Germany)');
    expect(languageName('en-GB', 'en')).toBe('British English');
    expect(languageName('fr', 'en')).toBe('French');
  });

  it('keeps nothing as nothing and an unknown code as it is', () => {
    expect(languageName(null)).toBeNull();
    expect(languageName('')).toBeNull();
    expect(languageName('not a locale!', 'en')).toBe('not a locale!');
  });
});

describe('timezoneName', () => {
  it('names a zone by its generic name and city', () => {
    expect(timezoneName('America/Los_Angeles', 'en-US')).toBe('Pacific Time (Los Angeles)');
    expect(timezoneName('Europe/Berlin', 'en-US')).toBe('Central European Time (Berlin)');
  });

  it('keeps UTC, nothing and unknown zones readable', () => {
    expect(timezoneName('UTC')).toBe('UTC');
    expect(timezoneName(null)).toBeNull();
    expect(timezoneName('Mars/Olympus_Mons')).toBe('Mars/Olympus_Mons');
  });
});

describe('paymentMethodLabel', () => {
  it('says the same words everywhere', () => {
    expect(paymentMethodLabel('manual')).toBe('Bank transfer');
    expect(paymentMethodLabel('other')).toBe('Other');
    expect(paymentMethodLabel('cash')).toBe('cash');
  });
});
