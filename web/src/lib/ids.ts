import type { Id } from '@/api/types';

/** A route or query parameter as an API id: a positive integer, or undefined for anything else. */
export function parseId(value: string | null | undefined): Id | undefined {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}
