export interface FieldError {
  field: string;
  message: string;
}

interface ErrorBody {
  error?: string;
  detail?: unknown;
}

function isFieldError(item: unknown): item is FieldError {
  return (
    !!item &&
    typeof item === 'object' &&
    typeof (item as FieldError).field === 'string' &&
    typeof (item as FieldError).message === 'string'
  );
}

/**
 * An error answered by the API: `{"error": "<Name>", "detail": ...}`. `detail` is a message, a list
 * of `{field, message}` (422 validation, 409 conflicts such as a duplicate invoice number), or an
 * object (the report of a rejected import).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: unknown;

  constructor(status: number, body: unknown) {
    const parsed = (body && typeof body === 'object' ? body : {}) as ErrorBody;
    const code = typeof parsed.error === 'string' ? parsed.error : `HTTP${status}`;
    super(ApiError.describe(status, code, parsed.detail));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = parsed.detail ?? (typeof body === 'string' ? body : undefined);
  }

  /** The field errors, `[{field: "amount", message: "..."}]` (422 and 409). */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.detail) ? this.detail.filter(isFieldError) : [];
  }

  get isNotFound() {
    return this.status === 404;
  }

  get isForbidden() {
    return this.status === 403;
  }

  private static describe(status: number, code: string, detail: unknown): string {
    if (typeof detail === 'string' && detail) return detail;
    const fieldMessages = Array.isArray(detail) ? detail.filter(isFieldError).map((item) => item.message) : [];
    if (status !== 422 && fieldMessages.length > 0) return fieldMessages.join(' ');
    if (status === 422) return 'Some fields need your attention.';
    if (status === 403) return "You don't have permission to do that.";
    if (status === 404) return "We couldn't find that.";
    if (status === 409) return 'That conflicts with the current state. Reload and try again.';
    if (status >= 500) return 'DueSpark had a problem on its side. Please try again.';
    return code;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Can't reach DueSpark. Check your connection and try again.";
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
