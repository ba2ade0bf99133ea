import { describe, expect, it } from 'vitest';
import type { Invoice, Reply } from '@/api/types';
import { buildActivity, replyItems } from './activity';

const invoice = {
  id: 1,
  number: 'INV-1',
  client_name: 'Globex',
  amount: '100.00',
  currency: 'EUR',
  status: 'open',
  created_at: '2026-03-01T10:00:00Z',
  paid_at: null,
  voided_at: null,
} as unknown as Invoice;

function reply(overrides: Partial<Reply>): Reply {
  return {
    id: 7,
    kind: 'reply',
    invoice_id: 1,
    invoice_ids: [1],
    client_id: 2,
    from_email: 'john@globex.test',
    from_name: 'John Smith',
    subject: 'Re: Invoice INV-1',
    text: 'Paid yesterday.',
    html: null,
    attachments: [],
    received_at: '2026-03-12T09:00:00Z',
    answered_at: null,
    answer: null,
    ...overrides,
  };
}

describe('replies in the invoice feed', () => {
  it('shows a reply by its sender, and the answer after it', () => {
    const answered = reply({
      answered_at: '2026-03-12T11:00:00Z',
      answer: { id: 9, text: 'Thanks!\n', status: 'queued', created_at: '2026-03-12T11:00:00Z' },
    });
    const items = buildActivity({ invoice, replies: [answered], timeZone: 'UTC' });
    expect(items.map((i) => [i.kind, i.actor, i.action])).toEqual([
      ['reply-answer', 'You', 'answered John Smith'],
      ['reply', 'John Smith', 'replied “Re: Invoice INV-1”'],
      ['created', 'You', 'created the invoice for €100.00'],
    ]);
    expect(items[1]!.reply?.id).toBe(7);
  });

  it('an out-of-office is an automatic reply with no answer box, named by address when nameless', () => {
    const [item] = replyItems([reply({ kind: 'auto_reply', from_name: null, subject: 'Automatic reply: INV-1' })]);
    expect(item).toMatchObject({
      kind: 'auto-reply',
      actor: 'john@globex.test',
      action: 'sent an automatic reply “Automatic reply: INV-1”',
      detail: 'Out of office or similar: chasing goes on.',
    });
    expect(item!.reply).toBeUndefined();
  });
});
