import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/errors';
import { IMPORT_COLUMNS, importErrorText, importTemplateCsv, rejectedImportReport } from './csvImport';

describe('CSV import template', () => {
  it('has the columns the API reads, required ones included', () => {
    const [header, ...rows] = importTemplateCsv().trim().split('\r\n');
    expect(header).toBe('number,client_name,client_email,client_company,amount,currency,issue_date,due_date,description,external_id');
    for (const required of ['number', 'amount', 'due_date']) {
      expect(IMPORT_COLUMNS.find((c) => c.name === required)?.need).toBe('required');
    }
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cells = row!.split(',');
      expect(cells).toHaveLength(IMPORT_COLUMNS.length);
      expect(cells[7]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(cells[4]).toMatch(/^\d+\.\d{2}$/);
    }
  });
});

describe('rejectedImportReport', () => {
  const report = {
    dry_run: false,
    total_rows: 3,
    valid_rows: 2,
    created: 0,
    clients_to_create: ['Acme'],
    errors: [{ line: 3, field: 'due_date', message: "'31/01/2026' is not a date in the form YYYY-MM-DD" }],
  };

  it('reads the report of a rejected import', () => {
    expect(rejectedImportReport(new ApiError(422, { error: 'ImportRejected', detail: report }))).toEqual(report);
  });

  it('ignores other errors', () => {
    expect(rejectedImportReport(new ApiError(422, { error: 'ValidationError', detail: [{ field: 'file', message: 'empty' }] }))).toBeNull();
    expect(rejectedImportReport(new TypeError('Failed to fetch'))).toBeNull();
  });
});

describe('importErrorText', () => {
  it("shows the API's message about the file instead of a generic one", () => {
    const error = new ApiError(422, {
      error: 'ValidationError',
      detail: [{ field: 'file', message: 'Missing column(s): number, amount. Known columns: number, client_email' }],
    });
    expect(error.message).toBe('Some fields need your attention.');
    expect(importErrorText(error)).toBe('Missing column(s): number, amount. Known columns: number, client_email');
    expect(importErrorText(new ApiError(413, { error: 'PayloadTooLarge', detail: 'The file is larger than 10 MB' }))).toBe(
      'The file is larger than 10 MB',
    );
    expect(importErrorText(new TypeError('Failed to fetch'))).toBe("Can't reach DueSpark. Check your connection and try again.");
  });
});
