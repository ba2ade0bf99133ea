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
  for (const { field, message } of fieldErrors) {
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
