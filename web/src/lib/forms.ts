import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { errorMessage, isApiError } from '@/api/errors';

/**
 * Maps the API's field errors (`detail: [{field, message}]`, on a 422 or a 409 such as a duplicate
 * invoice number) onto react-hook-form fields.
 * Returns a message for errors that no field of the form can show (or null).
 */
export function applyApiErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly Path<T>[],
): string | null {
  if (!isApiError(error)) return errorMessage(error);
  const fieldErrors = error.fieldErrors;
  if (fieldErrors.length === 0) return error.message;
  const unmatched: string[] = [];
  let first = true;
  for (const { field, message: raw } of fieldErrors) {
    const message = humanMessage(raw);
    const name = field.replace(/^body\./, '') as Path<T>;
    if (fields.includes(name)) {
      setError(name, { type: 'server', message }, { shouldFocus: first });
      first = false;
    } else {
      unmatched.push(field && field !== '__root__' ? `${field}: ${message}` : message);
    }
  }
  return unmatched.length ? unmatched.join(' · ') : null;
}

const EMAIL_PREFIX = 'value is not a valid email address: ';

/**
 * The email validator's sentences, said the way a person would ("The part after the @-sign is a
 * special-use or reserved name that cannot be used with email." for `me@studio.local`).
 * Other messages pass through unchanged.
 */
export function humanMessage(message: string): string {
  if (!message.startsWith(EMAIL_PREFIX)) return message;
  const reason = message.slice(EMAIL_PREFIX.length);
  if (/special-use or reserved name/i.test(reason)) {
    return 'This address can’t receive email: its domain is reserved for examples or local networks. Use your real work address.';
  }
  if (/must have an @-sign/i.test(reason)) return 'An email address needs an @, like name@company.com.';
  if (/should have a period/i.test(reason)) return 'The part after the @ should be a domain, like company.com.';
  if (/does not exist|does not accept email/i.test(reason)) return 'That domain doesn’t receive email. Check the spelling.';
  return `That doesn’t look like an email address: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
}
