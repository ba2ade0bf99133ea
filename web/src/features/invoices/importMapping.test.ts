import { describe, expect, it } from 'vitest';
import {
  apiMapping,
  convertDate,
  detectDateFormats,
  guessMapping,
  headersAreDueSparks,
  loadMapping,
  mappingProblems,
  mappedDates,
  parseCsv,
  decodeCsv,
  rewriteCsv,
  rowsToCreate,
  skippedRowsCsv,
  saveMapping,
} from './importMapping';

describe('guessMapping', () => {
  it('maps the headers of an accounting export', () => {
    expect(guessMapping(['Invoice #', 'Customer', 'Total', 'Due Date'])).toEqual({
      number: 'Invoice #',
      client_name: 'Customer',
      amount: 'Total',
      due_date: 'Due Date',
    });
  });

  it('knows other common names', () => {
    expect(guessMapping(['Invoice No.', 'Client', 'E-mail', 'Amount due', 'Total', 'Invoice Date', 'Due', 'Memo'])).toEqual({
      number: 'Invoice No.',
      client_name: 'Client',
      client_email: 'E-mail',
      amount: 'Amount due',
      issue_date: 'Invoice Date',
      due_date: 'Due',
      description: 'Memo',
    });
  });

  it("takes DueSpark's own names first and uses a column once", () => {
    expect(guessMapping(['number', 'Client Name', 'client_email', 'amount', 'due_date', 'Date'])).toEqual({
      number: 'number',
      client_name: 'Client Name',
      client_email: 'client_email',
      amount: 'amount',
      due_date: 'due_date',
      issue_date: 'Date',
    });
  });

  it('prefers the mapping remembered for the account when the file has those headers', () => {
    const remembered = { number: 'Ref', client_name: 'Bill to', amount: 'Gross', due_date: 'Gone column' };
    expect(guessMapping(['Ref', 'Bill to', 'Gross', 'Total', 'Due Date'], remembered)).toEqual({
      number: 'Ref',
      client_name: 'Bill to',
      amount: 'Gross',
      due_date: 'Due Date',
    });
  });

  it('leaves unknown headers unmapped', () => {
    expect(guessMapping(['Foo', 'Bar'])).toEqual({});
  });
});

describe('mappingProblems', () => {
  it('names what is missing and what is used twice', () => {
    expect(mappingProblems({ number: 'A', amount: 'B' })).toEqual([
      'Choose the column with the due date.',
      'Choose the column with the client name or the client email.',
    ]);
    expect(mappingProblems({ number: 'A', client_email: 'B', amount: 'C', due_date: 'C' })).toEqual([
      '“C” is chosen for both amount and due date.',
    ]);
    expect(mappingProblems({ number: 'A', client_email: 'B', amount: 'C', due_date: 'D' })).toEqual([]);
  });
});

describe('headersAreDueSparks', () => {
  it('is true only with the required columns, written as the API reads them', () => {
    expect(headersAreDueSparks(['Number', 'client_email', 'amount', 'Due Date'])).toBe(true);
    expect(headersAreDueSparks(['Invoice #', 'Customer', 'Total', 'Due Date'])).toBe(false);
    expect(headersAreDueSparks(['number', 'amount', 'due_date'])).toBe(false);
  });
});

describe('dates', () => {
  it('converts each format to YYYY-MM-DD and refuses impossible dates', () => {
    expect(convertDate('31/01/2026', 'DD/MM/YYYY')).toBe('2026-01-31');
    expect(convertDate('1/2/2026', 'MM/DD/YYYY')).toBe('2026-01-02');
    expect(convertDate('05.03.2026', 'DD.MM.YYYY')).toBe('2026-03-05');
    expect(convertDate('2026-02-28', 'YYYY-MM-DD')).toBe('2026-02-28');
    expect(convertDate('29/02/2026', 'DD/MM/YYYY')).toBeNull();
    expect(convertDate('29/02/2028', 'DD/MM/YYYY')).toBe('2028-02-29');
    expect(convertDate('31/01/2026', 'MM/DD/YYYY')).toBeNull();
    expect(convertDate('2026-1-5', 'YYYY-MM-DD')).toBeNull();
    expect(convertDate('05.03.2026', 'DD/MM/YYYY')).toBeNull();
  });

  it('settles on the only format that reads every date', () => {
    const found = detectDateFormats(['31/01/2026', '03/04/2026', '']);
    expect(found.fitsAll).toEqual(['DD/MM/YYYY']);
    expect(found.values).toBe(2);
    expect(found.settled).toBeNull(); // shown for confirmation, not used silently
  });

  it('asks when the dates read two ways (03/04/2026)', () => {
    const found = detectDateFormats(['03/04/2026', '05/06/2026']);
    expect(found.fitsAll).toEqual(['DD/MM/YYYY', 'MM/DD/YYYY']);
    expect(found.ambiguousExample).toBe('03/04/2026');
    expect(found.settled).toBeNull();
  });

  it('needs no choice when both readings give the same dates', () => {
    const found = detectDateFormats(['12/12/2026']);
    expect(found.settled).toBe('DD/MM/YYYY');
    expect(found.ambiguousExample).toBeNull();
  });

  it('keeps YYYY-MM-DD when it reads the dates, or most of them (the others are bad rows)', () => {
    expect(detectDateFormats(['2026-03-01', '2026-03-02']).settled).toBe('YYYY-MM-DD');
    expect(detectDateFormats([]).settled).toBe('YYYY-MM-DD');
    expect(detectDateFormats(['2026-03-01', '2026-03-02', '31/03/2026']).settled).toBe('YYYY-MM-DD');
    const mixed = detectDateFormats(['31/03/2026', '30/03/2026', '2026-03-01']);
    expect(mixed.settled).toBeNull();
    expect(mixed.fitsAll).toEqual([]);
    expect(mixed.fits['DD/MM/YYYY']).toBe(2);
  });
});

describe('parseCsv', () => {
  it('reads quotes, semicolons and line numbers as the API counts them', () => {
    const table = parseCsv('\uFEFFInvoice #;Customer;Total\r\nA-1;"Acme; GmbH";1.250,00\r\n\r\n;;\r\nA-2;"Two\r\nlines";5,00\r\n');
    expect(table.delimiter).toBe(';');
    expect(table.headers).toEqual(['Invoice #', 'Customer', 'Total']);
    expect(table.records).toEqual([
      { cells: ['A-1', 'Acme; GmbH', '1.250,00'], line: 2 },
      { cells: ['A-2', 'Two\nlines', '5,00'], line: 6 },
    ]);
  });
});

describe('rewriteCsv', () => {
  const csv = 'Invoice #,Customer,Total,Due Date,Colour\nINV-7,"Lee, Sam",120.00,31/01/2026,x\nINV-8,Acme,80.00,13/13/2026,y\nINV-9,Jo,5.00,01/02/2026,z\n';
  const table = parseCsv(csv);
  const mapping = guessMapping(table.headers);

  it("writes DueSpark's headers, the mapped columns and ISO dates", () => {
    expect(mappedDates(table, mapping)).toEqual(['31/01/2026', '13/13/2026', '01/02/2026']);
    const out = rewriteCsv(table, mapping, 'DD/MM/YYYY');
    expect(out.text).toBe(
      'number,client_name,amount,due_date\nINV-7,"Lee, Sam",120.00,2026-01-31\nINV-8,Acme,80.00,13/13/2026\nINV-9,Jo,5.00,2026-02-01\n',
    );
    expect([...out.lines]).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
  });

  it('leaves out skipped rows and maps the lines back to the file', () => {
    const out = rewriteCsv(table, mapping, 'DD/MM/YYYY', new Set([3]));
    expect(out.text).toBe('number,client_name,amount,due_date\nINV-7,"Lee, Sam",120.00,2026-01-31\nINV-9,Jo,5.00,2026-02-01\n');
    expect(out.lines.get(3)).toBe(4);
  });
});

describe('remembered mapping', () => {
  it('is kept per account', () => {
    saveMapping(7, { number: 'Ref', amount: 'Gross' });
    expect(loadMapping(7)).toEqual({ number: 'Ref', amount: 'Gross' });
    expect(loadMapping(8)).toEqual({});
    expect(loadMapping(undefined)).toEqual({});
    localStorage.setItem('duespark.import-mapping.9', '{"number": 3, "nope": "x", "amount": "Sum"}');
    expect(loadMapping(9)).toEqual({ amount: 'Sum' });
  });
});

describe('rows to create and skipped rows', () => {
  const table = parseCsv('Invoice #,Customer,Email,Total,Due Date,Currency\nINV-7,Sam Lee,,120.00,31/01/2026,\nINV-8,,ap@x.example,=1+1,13/13/2026,usd\nINV-9,,jo@x.example,5.00,01/02/2026,gbp\n');
  const mapping = guessMapping(table.headers);

  it('lists the good rows with client, amount, currency and the ISO due date', () => {
    expect(rowsToCreate(table, mapping, 'DD/MM/YYYY', new Set([3]), 'EUR')).toEqual([
      { line: 2, number: 'INV-7', client: 'Sam Lee', amount: '120.00', currency: 'EUR', dueDate: '2026-01-31' },
      { line: 4, number: 'INV-9', client: 'jo@x.example', amount: '5.00', currency: 'GBP', dueDate: '2026-02-01' },
    ]);
  });

  it('writes the skipped rows as in the file, with the problem, formulas neutralized', () => {
    expect(skippedRowsCsv(table, new Map([[3, 'amount: not a number']]))).toBe(
      "Invoice #,Customer,Email,Total,Due Date,Currency,problem\r\nINV-8,,ap@x.example,'=1+1,13/13/2026,usd,amount: not a number\r\n",
    );
  });
});

describe('apiMapping and decodeCsv', () => {
  it('maps only the names the API reads itself', () => {
    expect(apiMapping(['Number', 'client_email', 'Notes', 'Due Date', 'amount'])).toEqual({
      number: 'Number',
      client_email: 'client_email',
      amount: 'amount',
      due_date: 'Due Date',
    });
  });

  it('reads UTF-8 and UTF-16 with a byte order mark, and gives up on other bytes', () => {
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from('a;b\n1;2\n').flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(decodeCsv(utf16)?.records).toEqual([{ cells: ['1', '2'], line: 2 }]);
    expect(decodeCsv(new TextEncoder().encode('Nº,x\n1,2\n'))?.headers).toEqual(['Nº', 'x']);
    expect(decodeCsv(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]))).toBeNull();
  });
});
