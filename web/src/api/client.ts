import createClient from 'openapi-fetch';
import { ApiError } from './errors';
import { API_BASE_URL, API_CREDENTIALS, authFetch } from './http';
import type { paths } from './schema';

/** Typed client generated from the OpenAPI document (src/api/schema.d.ts, `npm run gen-api`). */
export const api = createClient<paths>({ baseUrl: API_BASE_URL, fetch: authFetch, credentials: API_CREDENTIALS });

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the data of a successful call, or throws an ApiError. */
export function unwrap<T>(result: FetchResult<T>): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, result.error);
  }
  return result.data as T;
}
