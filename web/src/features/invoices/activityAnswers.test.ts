import { describe, expect, it } from 'vitest';
import type { Answer, Invoice, Reminder } from '@/api/types';
import { buildActivity } from './activity';

const invoice = {
  id: 1,
  number: 'INV-1',
  client_id: 2,
  client_name: 'Acme',
  amount: '100.00',
  currency: 'EUR',
  status: 'open',
  created_at: '2026-03-01T10:00:00Z',
  paid_at: null,
  voided_at: null,
} as unknown as Invoice;

const promise = {
  id: 7,
  invoice_id: 1,
  kind: 'promise',
  status: 'missed',
  promised_date: '2026-03-20',
  currency: 'EUR',
  message: '<b>next week</b>',
  created_at: '2026-03-12T09:00:00Z',
  resolved_at: '2026-03-23T09:00:00Z',
  resolved_by: null,
  resolution_note: null,
} as unknown as Answer;

const sent = {
  id: 3,
  template_key: 'firm',
  state: 'sent',
  offset_days: 3,
  sent_at: '2026-03-11T09:00:00Z',
  scheduled_for: '2026-03-11T09:00:00Z',
  updated_at: '2026-03-11T09:00:00Z',
  is_test: false,
} as unknown as Reminder;

describe('buildActivity with client answers', () => {
  it('puts what the client said and what became of it in order with the reminders', () => {
    const items = buildActivity({ invoice, reminders: [sent], answers: [promise], timeZone: 'UTC' });
    expect(items.map((item) => [item.kind, item.actor, item.action])).toEqual([
      ['answer-decided', 'DueSpark', 'marked the promise missed and resumed reminders'],
      ['answer', 'Acme', 'promised to pay by Mar 20, 2026'],
      ['reminder-sent', 'DueSpark', 'sent the firm reminder'],
      ['created', 'You', 'created the invoice for €100.00'],
    ]);
    // The client's words are data, shown as text by the timeline.
    expect(items[1]!.detail).toBe('<b>next week</b>');
  });
});
