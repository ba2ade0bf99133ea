import { describe, expect, it } from 'vitest';
import type { Invoice, Reminder } from '@/api/types';
import { buildActivity, describeOffset, finalBeforeDue, lastSentAt, nextReminder } from './activity';

const invoice = {
  id: 1,
  number: 'INV-1',
  client_id: 2,
  client_name: 'Acme',
  amount: '100.00',
  amount_paid: '0.00',
  balance: '100.00',
  currency: 'EUR',
  status: 'open',
  created_at: '2026-03-01T10:00:00Z',
  paid_at: null,
  voided_at: null,
} as unknown as Invoice;

function reminder(overrides: Partial<Reminder>): Reminder {
  return {
    id: 1,
    invoice_id: 1,
    step_key: 's',
    offset_days: -3,
    template_key: 'friendly',
    due_date: '2026-03-10',
    scheduled_for: '2026-03-07T08:00:00Z',
    state: 'pending',
    reason: null,
    explanation: null,
    attempts: 0,
    next_attempt_at: null,
    sent_at: null,
    provider_message_id: null,
    is_test: false,
    uncertain_sends: 0,
    created_at: '2026-03-01T10:00:00Z',
    updated_at: '2026-03-01T10:00:00Z',
    ...overrides,
  };
}

describe('buildActivity', () => {
  it('shows planned reminders at their local send time in the client timezone, newest first', () => {
    const items = buildActivity({
      invoice,
      reminders: [reminder({ id: 1 }), reminder({ id: 2, offset_days: 0, template_key: 'due_today', scheduled_for: '2026-03-10T08:00:00Z' })],
      timeZone: 'Europe/Paris',
      now: new Date('2026-03-08T00:00:00Z'),
    });
    expect(items.map((i) => i.id)).toEqual(['reminder-2', 'reminder-1', 'created']);
    expect(items[0].action).toBe('will send the due-today reminder');
    expect(items[1].kind).toBe('reminder-planned');
    // Its time has passed: the worker picks it up on its next run.
    expect(items[1].action).toBe('is about to send the friendly reminder');
    // 08:00 UTC is 09:00 in Paris in March (CET).
    expect(items[1].detail).toMatch(/09:00/);
    expect(items[1].detail).toContain('Europe/Paris');
    expect(items[1].detail).toContain('3 days before the due date');
  });

  it('gives the reason for skipped and canceled reminders and the detail of failed ones', () => {
    const items = buildActivity({
      invoice,
      reminders: [
        reminder({ id: 1, state: 'canceled', reason: 'invoice_paid', explanation: 'The invoice was paid.', updated_at: '2026-03-05T00:00:00Z' }),
        reminder({ id: 2, state: 'failed', explanation: 'SMTP 550 mailbox unavailable', updated_at: '2026-03-04T00:00:00Z' }),
      ],
      timeZone: 'UTC',
    });
    const canceled = items.find((i) => i.id === 'reminder-1')!;
    expect(canceled.kind).toBe('reminder-stopped');
    expect(canceled.action).toBe('canceled the friendly reminder');
    expect(canceled.detail).toBe('The invoice was paid.');
    const failed = items.find((i) => i.id === 'reminder-2')!;
    expect(failed.kind).toBe('reminder-failed');
    expect(failed.detail).toBe('SMTP 550 mailbox unavailable');
  });

  it('merges delivery events and payment-link clicks', () => {
    const items = buildActivity({
      invoice,
      messages: [
        {
          id: 9,
          to_email: 'pay@acme.test',
          subject: 'Invoice INV-1',
          error: 'Mailbox full',
          events: [
            { type: 'delivered', occurred_at: '2026-03-07T08:01:00Z', payload: {} },
            { type: 'bounced', occurred_at: '2026-03-07T08:02:00Z', payload: {} },
          ],
        } as never,
      ],
      paymentLink: {
        clicks: { total: 3, last_clicked_at: '2026-03-08T00:00:00Z', by_reminder: [{ reminder_id: 1, count: 3, last_clicked_at: '2026-03-08T00:00:00Z' }] },
      } as never,
      timeZone: 'UTC',
    });
    expect(items.map((i) => i.kind)).toEqual(['click', 'delivery-problem', 'delivery', 'created']);
    expect(items[0].action).toBe('opened the payment link 3 times from a reminder');
    expect(items[1].detail).toBe('Mailbox full');
  });
});

describe('helpers', () => {
  it('describes offsets and finds the last sent reminder', () => {
    expect(describeOffset(-1)).toBe('1 day before the due date');
    expect(describeOffset(0)).toBe('on the due date');
    expect(describeOffset(7)).toBe('7 days after the due date');
    expect(
      lastSentAt([
        reminder({ state: 'sent', sent_at: '2026-03-02T00:00:00Z' }),
        reminder({ state: 'sent', sent_at: '2026-03-05T00:00:00Z' }),
        reminder({ state: 'pending' }),
      ]),
    ).toBe('2026-03-05T00:00:00Z');
    expect(lastSentAt([])).toBeUndefined();
  });
});

describe('canceled reminders of a paid invoice', () => {
  it('are one row "canceled the 4 remaining reminders: paid", not four', () => {
    const canceled = ['friendly', 'due_today', 'firm', 'final'].map((template_key, index) =>
      reminder({
        id: 10 + index,
        template_key,
        state: 'canceled',
        reason: 'paid',
        explanation: 'The invoice was paid.',
        updated_at: '2026-03-05T12:00:00Z',
      }),
    );
    const items = buildActivity({
      invoice: { ...invoice, status: 'paid', paid_at: '2026-03-05T12:00:00Z' } as Invoice,
      reminders: canceled,
      timeZone: 'UTC',
      now: new Date('2026-03-06T00:00:00Z'),
    });
    const stopped = items.filter((i) => i.kind === 'reminder-stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0].action).toBe('canceled the 4 remaining reminders: paid');
    expect(stopped[0].detail).toBe('friendly reminder, due-today reminder, firm reminder, final reminder');
    expect(stopped[0].grouped?.map((r) => r.id)).toEqual([10, 11, 12, 13]);
    expect(items.map((i) => i.id)).toEqual(['paid', 'reminders-canceled-paid', 'created']);
  });

  it('keeps a single cancellation and ones you canceled yourself as their own rows', () => {
    const items = buildActivity({
      invoice,
      reminders: [
        reminder({ id: 1, state: 'canceled', reason: 'paid', explanation: 'The invoice was paid.' }),
        reminder({ id: 2, state: 'canceled', reason: 'canceled_by_user' }),
        reminder({ id: 3, state: 'canceled', reason: 'canceled_by_user', template_key: 'firm' }),
      ],
      timeZone: 'UTC',
      now: new Date('2026-03-06T00:00:00Z'),
    });
    expect(items.filter((i) => i.kind === 'reminder-stopped').map((i) => i.id)).toEqual([
      'reminder-3',
      'reminder-2',
      'reminder-1',
    ]);
  });
});

describe('finalBeforeDue', () => {
  it('warns for a final notice sent before the due date only', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(finalBeforeDue({ template_key: 'final' }, '2026-03-10', now)).toBe(true);
    expect(finalBeforeDue({ template_key: 'final' }, '2026-03-01', now)).toBe(false);
    expect(finalBeforeDue({ template_key: 'final' }, '2026-02-20', now)).toBe(false);
    expect(finalBeforeDue({ template_key: 'friendly' }, '2026-03-10', now)).toBe(false);
  });
});

describe('nextReminder', () => {
  it('is the earliest pending reminder, not the first template of the policy', () => {
    const reminders = [
      reminder({ id: 1, template_key: 'friendly', state: 'sent', scheduled_for: '2026-03-01T08:00:00Z' }),
      reminder({ id: 4, template_key: 'final', offset_days: 30, scheduled_for: '2026-04-09T08:00:00Z' }),
      reminder({ id: 3, template_key: 'urgent', offset_days: 14, scheduled_for: '2026-03-24T08:00:00Z' }),
      reminder({ id: 2, template_key: 'firm', state: 'canceled', scheduled_for: '2026-03-17T08:00:00Z' }),
    ];
    expect(nextReminder(reminders)?.id).toBe(3);
    // A retry moves it by its next attempt.
    reminders[2] = { ...reminders[2]!, next_attempt_at: '2026-04-20T08:00:00Z' };
    expect(nextReminder(reminders)?.template_key).toBe('final');
    expect(nextReminder([reminders[0]!])).toBeUndefined();
  });
});
