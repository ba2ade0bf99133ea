import { errorMessage, isApiError } from '@/api/errors';
import type { ImportReport } from '@/api/types';
import { toCsv } from '@/lib/csv';

/** Largest file the API takes (backend invoices/importer.py MAX_IMPORT_BYTES). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

export interface ImportColumn {
  name: string;
  /** 'either': client_name or client_email must be there (both is fine). */
  need: 'required' | 'either' | 'optional';
  help: string;
}

/** The columns `POST /api/invoices/import` reads, in the order the template uses. */
export const IMPORT_COLUMNS: readonly ImportColumn[] = [
  { name: 'number', need: 'required', help: 'Your invoice number, unique in your account' },
  { name: 'client_name', need: 'either', help: 'Who you bill; without an email, matches a client by name' },
  { name: 'client_email', need: 'either', help: 'Where reminders go; matches a client by email' },
  { name: 'client_company', need: 'optional', help: 'Company of a client the import creates' },
  { name: 'amount', need: 'required', help: '1250.00 (1.250,00 in files separated by ;)' },
  { name: 'currency', need: 'optional', help: 'ISO code such as EUR; your default currency if empty' },
  { name: 'issue_date', need: 'optional', help: 'YYYY-MM-DD; the due date if empty' },
  { name: 'due_date', need: 'required', help: 'YYYY-MM-DD' },
  { name: 'description', need: 'optional', help: 'Shown to your client in reminders' },
  { name: 'external_id', need: 'optional', help: 'The id in your accounting tool; an import never repeats one' },
];

export const IMPORT_TEMPLATE_ROWS: readonly (readonly string[])[] = [
  ['INV-1001', 'Acme GmbH', 'billing@acme.example', 'Acme GmbH', '1250.00', 'EUR', '2026-01-05', '2026-02-04', 'Website redesign', ''],
  ['INV-1002', 'Jo Rivera', 'jo@rivera.example', '', '480.50', '', '', '2026-02-15', 'Logo refresh', 'XERO-2211'],
];

/** A CSV the import accepts as it is: the header and two example rows. */
export function importTemplateCsv(): string {
  return toCsv(
    IMPORT_COLUMNS.map((column) => column.name),
    IMPORT_TEMPLATE_ROWS,
  );
}

/**
 * A real import is all or nothing: when any row is bad the API answers
 * 422 {"error": "ImportRejected", "detail": <the report>}. Returns that report, or null.
 */
export function rejectedImportReport(error: unknown): ImportReport | null {
  if (!isApiError(error) || error.code !== 'ImportRejected') return null;
  const detail = error.detail as Partial<ImportReport> | null;
  if (!detail || typeof detail !== 'object' || !Array.isArray(detail.errors)) return null;
  return detail as ImportReport;
}

/**
 * The API's own words about a file it refused ("Missing column(s): due_date. Known columns: ..."),
 * not the generic "Some fields need your attention": the import has no form fields to mark.
 */
export function importErrorText(error: unknown): string {
  if (isApiError(error)) {
    const messages = error.fieldErrors.map((item) => item.message).filter(Boolean);
    if (messages.length) return messages.join(' ');
  }
  return errorMessage(error);
}
