import { describe, expect, it } from 'vitest';
import { invoicesToCsv } from '@/features/invoices/csvExport';
import { makeInvoice } from '@/test/fixtures';
import { neutralizeCell, toCsv } from './csv';

describe('CSV export', () => {
  it.each([
    ['=HYPERLINK("http://evil")', `'=HYPERLINK("http://evil")`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['Acme = best', 'Acme = best'],
    ['plain', 'plain'],
  ])('neutralizes %j', (input, expected) => {
    expect(neutralizeCell(input)).toBe(expected);
  });

  it('quotes separators, quotes and newlines', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', null]])).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n',
    );
  });

  it('neutralizes formula cells inside quoted cells too', () => {
    expect(toCsv(['a'], [['=1,2']])).toBe('a\r\n"\'=1,2"\r\n');
  });

  it('exports invoices with hostile client names neutralized', () => {
    const invoice = makeInvoice({
      client_name: '=cmd|\' /C calc\'!A0',
      number: 'INV-1',
      amount: '1250.00',
      balance: '1250.00',
      due_date: '2026-01-31',
      description: '@risky',
    });
    const lines = invoicesToCsv([invoice]).trim().split('\r\n');
    expect(lines[0]).toBe('number,client,status,currency,amount,fees,amount_paid,balance,issue_date,due_date,paid_at,description');
    expect(lines[1]).toBe(`INV-1,'=cmd|' /C calc'!A0,Open,EUR,1250.00,0.00,0.00,1250.00,2026-01-01,2026-01-31,,'@risky`);
  });
});
