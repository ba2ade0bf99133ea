import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/errors';
import { applyApiErrors, humanMessage } from './forms';

describe('applyApiErrors', () => {
  it('maps 422 field errors onto form fields and returns the rest', () => {
    const setError = vi.fn();
    const error = new ApiError(422, {
      error: 'ValidationError',
      detail: [
        { field: 'amount', message: 'Must be positive' },
        { field: 'client_id', message: 'Unknown client' },
        { field: 'lines.0.qty', message: 'Too many' },
      ],
    });
    const rest = applyApiErrors(error, setError, ['amount', 'client_id', 'number']);
    expect(setError).toHaveBeenCalledWith('amount', { type: 'server', message: 'Must be positive' }, { shouldFocus: true });
    expect(setError).toHaveBeenCalledWith('client_id', { type: 'server', message: 'Unknown client' }, { shouldFocus: false });
    expect(rest).toBe('lines.0.qty: Too many');
  });

  it('maps a 409 on a field (a duplicate invoice number) onto that field', () => {
    const setError = vi.fn();
    const error = new ApiError(409, {
      error: 'Conflict',
      detail: [{ field: 'number', message: "Invoice number 'INV-7' is already used" }],
    });
    expect(error.message).toBe("Invoice number 'INV-7' is already used");
    expect(applyApiErrors(error, setError, ['number', 'amount'])).toBeNull();
    expect(setError).toHaveBeenCalledWith('number', { type: 'server', message: "Invoice number 'INV-7' is already used" }, { shouldFocus: true });
  });

  it('returns the message of errors without fields', () => {
    const setError = vi.fn();
    expect(applyApiErrors(new ApiError(409, { error: 'Conflict', detail: 'Number already used' }), setError, [])).toBe(
      'Number already used',
    );
    expect(setError).not.toHaveBeenCalled();
  });
});

describe('humanMessage', () => {
  it('says a reserved-domain address in plain words', () => {
    const raw =
      'value is not a valid email address: The part after the @-sign is a special-use or reserved name that cannot be used with email.';
    expect(humanMessage(raw)).toBe(
      'This address can’t receive email: its domain is reserved for examples or local networks. Use your real work address.',
    );
    const setError = vi.fn();
    const error = new ApiError(422, { error: 'ValidationError', detail: [{ field: 'body.email', message: raw }] });
    expect(applyApiErrors(error, setError, ['email'])).toBeNull();
    expect(setError).toHaveBeenCalledWith('email', { type: 'server', message: humanMessage(raw) }, { shouldFocus: true });
  });

  it('words the other validator sentences and keeps every other message', () => {
    expect(humanMessage('value is not a valid email address: An email address must have an @-sign.')).toBe(
      'An email address needs an @, like name@company.com.',
    );
    expect(humanMessage('value is not a valid email address: The part after the @-sign is not valid. It should have a period.')).toBe(
      'The part after the @ should be a domain, like company.com.',
    );
    expect(humanMessage('value is not a valid email address: Something new.')).toBe('That doesn’t look like an email address: something new.');
    expect(humanMessage('Must be positive')).toBe('Must be positive');
  });
});
