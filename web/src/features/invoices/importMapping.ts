/**
 * The import's column mapping and date formats, done in the browser: a file with its own headers
 * ("Invoice #, Customer, Total, Due Date") and dates (31/01/2026) is rewritten with DueSpark's
 * headers and YYYY-MM-DD dates before it is sent, so `POST /api/invoices/import` reads it as it is.
 */

import { toCsv } from '@/lib/csv';

export const FIELDS = [
  'number',
  'client_name',
  'client_email',
  'client_company',
  'amount',
  'currency',
  'issue_date',
  'due_date',
  'description',
  'external_id',
] as const;
export type Field = (typeof FIELDS)[number];
/** Which column of the file each DueSpark field reads (the header as written in the file), or none. */
export type Mapping = Partial<Record<Field, string>>;

export const FIELD_LABELS: Record<Field, string> = {
  number: 'Invoice number',
  client_name: 'Client name',
  client_email: 'Client email',
  client_company: 'Client company',
  amount: 'Amount',
  currency: 'Currency',
  issue_date: 'Issue date',
  due_date: 'Due date',
  description: 'Description',
  external_id: 'External id',
};

const DATE_FIELDS: readonly Field[] = ['issue_date', 'due_date'];

/** Headers other tools write for each field, most telling first (the field's own name before them). */
const SYNONYMS: Record<Field, readonly string[]> = {
  number: ['invoice #', 'invoice no', 'invoice number', 'invoice num', 'invoice', 'inv #', 'inv no', 'invoice id', 'no', '#'],
  client_email: ['email', 'e mail', 'client email', 'customer email', 'contact email', 'billing email', 'email address'],
  client_name: ['client', 'customer', 'client name', 'customer name', 'name', 'contact', 'contact name', 'bill to', 'billed to'],
  client_company: ['company', 'client company', 'customer company', 'organisation', 'organization', 'business'],
  amount: ['amount due', 'balance due', 'total due', 'amount', 'total', 'balance', 'invoice total', 'outstanding', 'amount outstanding', 'sum'],
  currency: ['currency', 'currency code', 'ccy', 'cur'],
  due_date: ['due date', 'due', 'due on', 'date due', 'payment due', 'pay by'],
  issue_date: ['issue date', 'invoice date', 'date', 'issued', 'date issued', 'issued on'],
  description: ['description', 'memo', 'notes', 'note', 'details', 'subject', 'item'],
  external_id: ['external id', 'id', 'reference', 'ref'],
};

/** "Invoice No." -> "invoice no", "client_email" -> "client email", "E-mail" -> "e mail". */
export function normalizeHeader(header: string): string {
  return header
    .toLowerCase()
    .replace(/[^a-z0-9#]+/g, ' ')
    .trim();
}

/** The header as the API reads it (backend importer._reader): trimmed, lower case, spaces as _. */
function apiHeader(header: string): string {
  return header.trim().toLowerCase().replace(/ /g, '_');
}

/** Whether the API reads these headers as they are (its required columns are all there). */
export function headersAreDueSparks(headers: readonly string[]): boolean {
  const names = new Set(headers.map(apiHeader));
  return ['number', 'amount', 'due_date'].every((n) => names.has(n)) && (names.has('client_name') || names.has('client_email'));
}

/**
 * Guesses which header each field reads: the mapping remembered for the account first (when the file
 * has that header), then DueSpark's own name, then common synonyms. A header is used once.
 */
export function guessMapping(headers: readonly string[], remembered: Mapping = {}): Mapping {
  const mapping: Mapping = {};
  const taken = new Set<string>();
  const take = (field: Field, header: string) => {
    mapping[field] = header;
    taken.add(header);
  };
  for (const field of FIELDS) {
    const wanted = remembered[field];
    if (wanted && headers.includes(wanted) && !taken.has(wanted)) take(field, wanted);
  }
  for (const field of FIELDS) {
    if (mapping[field]) continue;
    const found = headers.find((h) => !taken.has(h) && apiHeader(h) === field);
    if (found !== undefined) take(field, found);
  }
  for (const field of FIELDS) {
    if (mapping[field]) continue;
    for (const synonym of SYNONYMS[field]) {
      const found = headers.find((h) => !taken.has(h) && normalizeHeader(h) === synonym);
      if (found !== undefined) {
        take(field, found);
        break;
      }
    }
  }
  return mapping;
}

/** What is missing or wrong in a mapping, as sentences; empty when the file can be read. */
export function mappingProblems(mapping: Mapping): string[] {
  const problems: string[] = [];
  for (const field of ['number', 'amount', 'due_date'] as const) {
    if (!mapping[field]) problems.push(`Choose the column with the ${FIELD_LABELS[field].toLowerCase()}.`);
  }
  if (!mapping.client_name && !mapping.client_email) problems.push('Choose the column with the client name or the client email.');
  const used = new Map<string, Field>();
  for (const field of FIELDS) {
    const header = mapping[field];
    if (!header) continue;
    const other = used.get(header);
    if (other) problems.push(`“${header}” is chosen for both ${FIELD_LABELS[other].toLowerCase()} and ${FIELD_LABELS[field].toLowerCase()}.`);
    else used.set(header, field);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Dates

export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const DATE_PATTERNS: Record<DateFormat, { re: RegExp; order: ['y' | 'm' | 'd', 'y' | 'm' | 'd', 'y' | 'm' | 'd'] }> = {
  'YYYY-MM-DD': { re: /^(\d{4})-(\d{2})-(\d{2})$/, order: ['y', 'm', 'd'] },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: ['d', 'm', 'y'] },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: ['m', 'd', 'y'] },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: ['d', 'm', 'y'] },
};

/** The date written in `format`, as YYYY-MM-DD; null when it isn't one (31/02/2026, 13/13/2026). */
export function convertDate(value: string, format: DateFormat): string | null {
  const { re, order } = DATE_PATTERNS[format];
  const match = re.exec(value.trim());
  if (!match) return null;
  const parts = { y: 0, m: 0, d: 0 };
  order.forEach((part, index) => (parts[part] = Number(match[index + 1])));
  const { y, m, d } = parts;
  if (m < 1 || m > 12 || d < 1) return null;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > daysInMonth || y < 1) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export interface DateDetection {
  /** The non-empty dates of the file's date columns. */
  values: number;
  /** Formats every date fits: one means certain, more means the person must choose (03/04/2026). */
  fitsAll: DateFormat[];
  /** How many dates each format reads, for when none reads them all. */
  fits: Record<DateFormat, number>;
  /** A date that reads differently in the formats that fit (to show when asking). */
  ambiguousExample: string | null;
  /** The format to use without asking: YYYY-MM-DD when it reads the dates (or most of them, the rest being bad rows). */
  settled: DateFormat | null;
}

export function detectDateFormats(dates: readonly string[]): DateDetection {
  const values = dates.map((d) => d.trim()).filter(Boolean);
  const fits = Object.fromEntries(DATE_FORMATS.map((f) => [f, 0])) as Record<DateFormat, number>;
  for (const value of values) {
    for (const format of DATE_FORMATS) if (convertDate(value, format)) fits[format] += 1;
  }
  const fitsAll = DATE_FORMATS.filter((f) => fits[f] === values.length);
  let ambiguousExample: string | null = null;
  if (fitsAll.length > 1) {
    ambiguousExample =
      values.find((v) => new Set(fitsAll.map((f) => convertDate(v, f))).size > 1) ?? null;
  }
  const best = Math.max(...DATE_FORMATS.map((f) => fits[f]));
  let settled: DateFormat | null = null;
  if (values.length === 0 || fitsAll.includes('YYYY-MM-DD')) settled = 'YYYY-MM-DD';
  else if (fitsAll.length === 0 && fits['YYYY-MM-DD'] === best) settled = 'YYYY-MM-DD';
  // Formats that fit give the same dates (every value is like 12/12/2026): nothing to choose.
  else if (fitsAll.length > 1 && ambiguousExample === null) settled = fitsAll[0]!;
  return { values: values.length, fitsAll, fits, ambiguousExample, settled };
}

/** "03/04/2026" read in a format, for a person: "3 April 2026". */
export function describeDate(value: string, format: DateFormat): string {
  const iso = convertDate(value, format);
  if (!iso) return value;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the file

export interface CsvRecord {
  cells: string[];
  /** The line the record ends on, counted as the API counts (Python's csv line_num): the header is line 1. */
  line: number;
}

export interface CsvTable {
  delimiter: string;
  headers: string[];
  records: CsvRecord[];
}

/** Parses CSV as the API does: the delimiter is the most frequent of , ; tab on the first line. */
export function parseCsv(text: string): CsvTable {
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const firstLine = text.split('\n', 1)[0] ?? '';
  let delimiter = ',';
  let most = -1;
  for (const candidate of [',', ';', '\t']) {
    const count = firstLine.split(candidate).length - 1;
    if (count > most) {
      most = count;
      delimiter = candidate;
    }
  }
  const rows: CsvRecord[] = [];
  let line = 1;
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let rowHasContent = false;
  const endRecord = () => {
    rows.push({ cells: rowHasContent ? [...cells, cell] : [], line });
    cells = [];
    cell = '';
    rowHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\r' || ch === '\n') {
          if (ch === '\r' && text[i + 1] === '\n') i++;
          cell += '\n';
          line++;
        } else cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === '') {
      inQuotes = true;
      rowHasContent = true;
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      rowHasContent = true;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else {
      cell += ch;
      rowHasContent = true;
    }
  }
  if (rowHasContent || cells.length || cell) endRecord();
  const [header, ...records] = rows;
  return { delimiter, headers: header ? header.cells.map((h) => h.trim()) : [], records: records.filter((r) => r.cells.some((c) => c.trim())) };
}

/** The cell of `record` under `header` (trimmed), '' when the column is not there. */
export function cellOf(table: CsvTable, record: CsvRecord, header: string | undefined): string {
  if (!header) return '';
  const index = table.headers.indexOf(header);
  return index < 0 ? '' : (record.cells[index] ?? '').trim();
}

/** The dates of the mapped date columns, to detect their format. */
export function mappedDates(table: CsvTable, mapping: Mapping): string[] {
  return DATE_FIELDS.flatMap((field) => (mapping[field] ? table.records.map((r) => cellOf(table, r, mapping[field])) : []));
}

function quoteCell(text: string, delimiter: string): string {
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface Rewritten {
  text: string;
  /** The line of each record in the rewritten text -> its line in the person's file. */
  lines: Map<number, number>;
}

/**
 * The file as the API reads it: DueSpark's headers, the mapped columns only, dates as YYYY-MM-DD
 * (a date that doesn't fit `format` is sent as it is, for the API to report on its row), the file's
 * own delimiter (a ; file keeps its 1.250,00 amounts). Records on `skipLines` are left out.
 */
export function rewriteCsv(
  table: CsvTable,
  mapping: Mapping,
  format: DateFormat,
  skipLines: ReadonlySet<number> = new Set(),
): Rewritten {
  const fields = FIELDS.filter((f) => mapping[f]);
  const out = [fields.join(table.delimiter)];
  const lines = new Map<number, number>();
  let line = 1;
  for (const record of table.records) {
    if (skipLines.has(record.line)) continue;
    const cells = fields.map((field) => {
      const value = cellOf(table, record, mapping[field]);
      if (DATE_FIELDS.includes(field) && value && format !== 'YYYY-MM-DD') return convertDate(value, format) ?? value;
      return value;
    });
    const text = cells.map((c) => quoteCell(c, table.delimiter)).join(table.delimiter);
    line += 1 + (text.match(/\n/g)?.length ?? 0);
    lines.set(line, record.line);
    out.push(text);
  }
  return { text: out.join('\n') + '\n', lines };
}

// ---------------------------------------------------------------------------------------------
// Remembered per account

const storageKey = (accountId: number) => `duespark.import-mapping.${accountId}`;

export function loadMapping(accountId: number | undefined): Mapping {
  if (accountId === undefined) return {};
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey(accountId)) ?? '{}') as unknown;
    if (!saved || typeof saved !== 'object') return {};
    return Object.fromEntries(
      Object.entries(saved).filter(([field, header]) => (FIELDS as readonly string[]).includes(field) && typeof header === 'string'),
    ) as Mapping;
  } catch {
    return {};
  }
}

export function saveMapping(accountId: number | undefined, mapping: Mapping) {
  if (accountId === undefined) return;
  try {
    localStorage.setItem(storageKey(accountId), JSON.stringify(mapping));
  } catch {
    /* private mode or full storage: the mapping is guessed again next time */
  }
}

/** The columns the API reads under their own names (a file sent as it is): no synonyms. */
export function apiMapping(headers: readonly string[]): Mapping {
  const mapping: Mapping = {};
  for (const field of FIELDS) {
    const found = headers.find((h) => apiHeader(h) === field);
    if (found !== undefined) mapping[field] = found;
  }
  return mapping;
}

/** Reads a file's bytes as the API does (UTF-8, or UTF-16 with a byte order mark); null when it can't. */
export function decodeCsv(bytes: Uint8Array): CsvTable | null {
  try {
    const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
    const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    if (text.includes('\u0000')) return null;
    const table = parseCsv(text);
    return table.headers.some(Boolean) ? table : null;
  } catch {
    return null;
  }
}

export async function readCsvFile(file: Blob): Promise<CsvTable | null> {
  try {
    return decodeCsv(new Uint8Array(await file.arrayBuffer()));
  } catch {
    return null;
  }
}

export interface RowToCreate {
  line: number;
  number: string;
  client: string;
  amount: string;
  currency: string;
  dueDate: string;
}

/** The rows an import creates (the file's rows without the bad ones), as a person checks them. */
export function rowsToCreate(
  table: CsvTable,
  mapping: Mapping,
  format: DateFormat,
  badLines: ReadonlySet<number>,
  defaultCurrency: string,
): RowToCreate[] {
  return table.records
    .filter((record) => !badLines.has(record.line))
    .map((record) => {
      const due = cellOf(table, record, mapping.due_date);
      return {
        line: record.line,
        number: cellOf(table, record, mapping.number),
        client: cellOf(table, record, mapping.client_name) || cellOf(table, record, mapping.client_email),
        amount: cellOf(table, record, mapping.amount),
        currency: (cellOf(table, record, mapping.currency) || defaultCurrency).toUpperCase(),
        dueDate: convertDate(due, format) ?? due,
      };
    });
}

/** The skipped rows as the person wrote them, with a last column saying what is wrong, to fix and import again. */
export function skippedRowsCsv(table: CsvTable, problems: ReadonlyMap<number, string>): string {
  return toCsv(
    [...table.headers, 'problem'],
    table.records
      .filter((record) => problems.has(record.line))
      .map((record) => [...table.headers.map((_, index) => record.cells[index] ?? ''), problems.get(record.line)!]),
  );
}
