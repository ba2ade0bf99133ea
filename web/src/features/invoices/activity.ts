import type { Answer, Invoice, Message, Payment, PaymentLink, Reminder, Reply } from '@/api/types';
import { daysUntil, formatDate, formatInTimeZone } from '@/lib/dates';
import { formatMoney } from '@/lib/money';

export type ActivityKind =
  | 'created'
  | 'payment'
  | 'paid'
  | 'void'
  | 'reminder-planned'
  | 'reminder-sent'
  | 'reminder-stopped'
  | 'reminder-failed'
  | 'delivery'
  | 'delivery-problem'
  | 'click'
  | 'reply'
  | 'auto-reply'
  | 'reply-answer'
  | 'answer'
  | 'answer-decided';

export interface ActivityItem {
  id: string;
  kind: ActivityKind;
  actor: string;
  action: string;
  at: string;
  detail?: string;
  /** The reminder the item is about, for its actions (send now, cancel). */
  reminder?: Reminder;
  /** Several reminders stopped for one reason, shown as this one row. */
  grouped?: Reminder[];
  /** The client's email the item is about (its text, files, and the answer box). */
  reply?: Reply;
}

export const TONE_LABELS: Record<string, string> = {
  friendly: 'friendly',
  due_today: 'due-today',
  firm: 'firm',
  urgent: 'urgent',
  final: 'final',
};

/** "friendly reminder", "final reminder": a reminder by its tone. */
export function reminderTone(reminder: Pick<Reminder, 'template_key'>): string {
  return `${TONE_LABELS[reminder.template_key] ?? reminder.template_key} reminder`;
}

export function describeOffset(days: number): string {
  if (days === 0) return 'on the due date';
  const n = Math.abs(days);
  return `${n} ${n === 1 ? 'day' : 'days'} ${days < 0 ? 'before' : 'after'} the due date`;
}

function reminderItem(reminder: Reminder, timeZone: string, now: Date): ActivityItem {
  const base = { id: `reminder-${reminder.id}`, actor: 'DueSpark', reminder };
  const tone = reminderTone(reminder);
  const test = reminder.is_test ? ' (test mode: to you, not the client)' : '';
  switch (reminder.state) {
    case 'pending':
    case 'sending':
      return {
        ...base,
        kind: 'reminder-planned',
        action:
          reminder.state === 'sending'
            ? `is sending the ${tone}`
            : Date.parse(reminder.next_attempt_at ?? reminder.scheduled_for) < now.getTime()
              ? `is about to send the ${tone}`
              : `will send the ${tone}`,
        at: reminder.next_attempt_at ?? reminder.scheduled_for,
        detail: `${formatInTimeZone(reminder.next_attempt_at ?? reminder.scheduled_for, timeZone)} client’s time (${timeZone}) · ${describeOffset(reminder.offset_days)}${reminder.attempts > 0 ? ` · retry after ${reminder.attempts} failed ${reminder.attempts === 1 ? 'attempt' : 'attempts'}` : ''}`,
      };
    case 'sent':
      return {
        ...base,
        kind: 'reminder-sent',
        action: `sent the ${tone}${test}`,
        at: reminder.sent_at ?? reminder.updated_at,
        detail: describeOffset(reminder.offset_days),
      };
    case 'failed':
      return {
        ...base,
        kind: 'reminder-failed',
        action: `couldn’t send the ${tone}`,
        at: reminder.updated_at,
        detail: reminder.explanation ?? reminder.reason ?? undefined,
      };
    default:
      return {
        ...base,
        kind: 'reminder-stopped',
        action: `${reminder.state === 'skipped' ? 'skipped' : 'canceled'} the ${tone}`,
        at: reminder.updated_at,
        detail: reminder.explanation ?? reminder.reason ?? undefined,
      };
  }
}

const REASON_WORDS: Record<string, string> = {
  paid: 'paid',
  void: 'voided',
  voided: 'voided',
};

/**
 * Reminders as timeline rows. Reminders that never went because of one event (the invoice was paid,
 * voided...) are one row, "canceled the 4 remaining reminders: paid", not one row per step.
 */
export function reminderItems(reminders: readonly Reminder[], timeZone: string, now: Date): ActivityItem[] {
  const groupKey = (r: Reminder) =>
    r.state === 'canceled' && r.reason && r.reason !== 'canceled_by_user' ? r.reason : undefined;
  const stopped = new Map<string, Reminder[]>();
  for (const reminder of reminders) {
    const key = groupKey(reminder);
    if (key) stopped.set(key, [...(stopped.get(key) ?? []), reminder]);
  }
  const items: ActivityItem[] = [];
  for (const reminder of reminders) {
    const key = groupKey(reminder);
    const group = key ? stopped.get(key)! : [];
    if (!key || group.length === 1) {
      items.push(reminderItem(reminder, timeZone, now));
      continue;
    }
    if (group[0] !== reminder) continue; // the group's row stands where its first reminder would
    const latest = group.map((r) => r.updated_at).sort().at(-1)!;
    const why = REASON_WORDS[key] ?? group[0].explanation ?? key.replaceAll('_', ' ');
    items.push({
      id: `reminders-canceled-${key}`,
      kind: 'reminder-stopped',
      actor: 'DueSpark',
      action: `canceled the ${group.length} remaining reminders: ${why}`,
      at: latest,
      detail: group.map((r) => reminderTone(r)).join(', '),
      grouped: group,
    });
  }
  return items;
}

const EVENT_WORDS: Record<string, { action: string; problem?: boolean }> = {
  delivered: { action: 'received' },
  delivery: { action: 'received' },
  open: { action: 'opened' },
  opened: { action: 'opened' },
  click: { action: 'clicked a link in' },
  clicked: { action: 'clicked a link in' },
  bounce: { action: 'bounced', problem: true },
  bounced: { action: 'bounced', problem: true },
  complaint: { action: 'marked as spam', problem: true },
  complained: { action: 'marked as spam', problem: true },
  spam_complaint: { action: 'marked as spam', problem: true },
  unsubscribed: { action: 'unsubscribed from', problem: true },
  failed: { action: 'couldn’t receive', problem: true },
};

function messageItems(message: Message): ActivityItem[] {
  return message.events.map((event, index) => {
    const words = EVENT_WORDS[event.type.toLowerCase()] ?? { action: `${event.type.replaceAll('_', ' ')}:` };
    return {
      id: `message-${message.id}-${index}`,
      kind: words.problem ? 'delivery-problem' : 'delivery',
      actor: message.to_email,
      action: `${words.action} “${message.subject}”`,
      at: event.occurred_at,
      detail: words.problem && message.error ? message.error : undefined,
    };
  });
}

function clickItems(link: PaymentLink | undefined, payer: string): ActivityItem[] {
  if (!link) return [];
  return link.clicks.by_reminder.map((group, index) => ({
    id: `clicks-${group.reminder_id ?? 'direct'}-${index}`,
    kind: 'click' as const,
    actor: payer,
    action: `opened the payment link${group.count > 1 ? ` ${group.count} times` : ''}${group.reminder_id === null ? '' : ' from a reminder'}`,
    at: group.last_clicked_at,
  }));
}

/** A client's email, and the user's answer to it, as timeline rows. */
export function replyItems(replies: readonly Reply[]): ActivityItem[] {
  return replies.flatMap((reply): ActivityItem[] => {
    const actor = reply.from_name || reply.from_email;
    if (reply.kind !== 'reply') {
      return [
        {
          id: `reply-${reply.id}`,
          kind: 'auto-reply',
          actor,
          action: `sent an automatic reply “${reply.subject}”`,
          at: reply.received_at,
          detail: reply.kind === 'bounce' ? 'A delivery report: handled as a bounce.' : 'Out of office or similar: chasing goes on.',
        },
      ];
    }
    const items: ActivityItem[] = [
      { id: `reply-${reply.id}`, kind: 'reply', actor, action: `replied “${reply.subject}”`, at: reply.received_at, reply },
    ];
    if (reply.answer) {
      items.push({
        id: `reply-answer-${reply.answer.id}`,
        kind: 'reply-answer',
        actor: 'You',
        action: `answered ${actor}`,
        at: reply.answer.created_at,
        detail: reply.answer.text,
      });
    }
    return items;
  });
}

function answerWords(answer: Answer): string {
  if (answer.kind === 'promise') return `promised to pay by ${formatDate(answer.promised_date)}`;
  if (answer.kind === 'paid_claim')
    return `said they paid on ${formatDate(answer.paid_on)}${answer.reference ? ` (reference ${answer.reference})` : ''}`;
  return answer.disputed_amount
    ? `disputed ${formatMoney(answer.disputed_amount, answer.currency)} of the invoice`
    : 'asked a question about the invoice';
}

const DECISIONS: Record<string, { actor: string; action: string }> = {
  kept: { actor: 'DueSpark', action: 'marked the promise kept: paid in time' },
  missed: { actor: 'DueSpark', action: 'marked the promise missed and resumed reminders' },
  canceled: { actor: 'You', action: 'stopped waiting for the promise' },
  resolved: { actor: 'You', action: 'resolved the question; reminders resumed' },
  confirmed: { actor: 'You', action: 'confirmed the client’s payment' },
  rejected: { actor: 'You', action: 'rejected the payment claim; reminders resumed' },
};

/** The client's answers from the pay page, and what became of them, as timeline rows. */
function answerItems(answers: readonly Answer[], payer: string): ActivityItem[] {
  return answers.flatMap((answer) => {
    const said: ActivityItem = {
      id: `answer-${answer.id}`,
      kind: 'answer',
      actor: payer,
      action: answerWords(answer),
      at: answer.created_at,
      detail: answer.message ?? undefined,
    };
    const decision = DECISIONS[answer.status];
    if (!answer.resolved_at || !decision) return [said];
    const actor = answer.resolved_by === null && decision.actor === 'You' ? 'DueSpark' : decision.actor;
    return [
      said,
      {
        id: `answer-${answer.id}-decided`,
        kind: 'answer-decided' as const,
        actor,
        action: decision.action,
        at: answer.resolved_at,
        detail: answer.resolution_note ?? undefined,
      },
    ];
  });
}

export interface ActivitySources {
  invoice: Invoice;
  payments?: Payment[];
  reminders?: Reminder[];
  messages?: Message[];
  paymentLink?: PaymentLink;
  replies?: Reply[];
  answers?: Answer[];
  /** Planned send times are shown in this timezone (the client's, else the account's). */
  timeZone: string;
  now?: Date;
}

/**
 * One feed for the invoice: what happened and what is planned, newest first (planned
 * reminders, being in the future, come first). At the same instant the later step comes first.
 */
export function buildActivity({
  invoice,
  payments = [],
  reminders = [],
  messages = [],
  paymentLink,
  replies = [],
  answers = [],
  timeZone,
  now = new Date(),
}: ActivitySources): ActivityItem[] {
  const items: ActivityItem[] = [
    {
      id: 'created',
      kind: 'created',
      actor: 'You',
      action: `created the invoice for ${formatMoney(invoice.amount, invoice.currency)}`,
      at: invoice.created_at,
    },
    ...payments.map((payment) => ({
      id: `payment-${payment.id}`,
      kind: 'payment' as const,
      actor: 'You',
      action: `recorded a payment of ${formatMoney(payment.amount, payment.currency ?? invoice.currency)}`,
      at: payment.paid_at,
      detail: [payment.reference, payment.note].filter(Boolean).join(' · ') || undefined,
    })),
    ...reminderItems(reminders, timeZone, now),
    ...messages.flatMap(messageItems),
    ...clickItems(paymentLink, invoice.client_name),
    ...replyItems(replies),
    ...answerItems(answers, invoice.client_name),
  ];
  if (invoice.paid_at) {
    items.push({ id: 'paid', kind: 'paid', actor: 'DueSpark', action: 'marked it paid in full', at: invoice.paid_at });
  }
  if (invoice.voided_at) {
    items.push({ id: 'void', kind: 'void', actor: 'You', action: 'voided the invoice', at: invoice.voided_at });
  }
  return items
    .map((item, order) => ({ item, order, time: Date.parse(item.at) }))
    .sort((a, b) => b.time - a.time || b.order - a.order)
    .map(({ item }) => item);
}

/** When the last reminder for the invoice went out, if one did. */
export function lastSentAt(reminders: readonly Reminder[]): string | undefined {
  return reminders
    .filter((r) => r.state === 'sent' && r.sent_at)
    .map((r) => r.sent_at!)
    .sort()
    .at(-1);
}

/** A final notice about to go before the invoice is even due: "Send now" warns. */
export function finalBeforeDue(reminder: Pick<Reminder, 'template_key'>, dueDate: string, now: Date = new Date()): boolean {
  return reminder.template_key === 'final' && daysUntil(dueDate, now) > 0;
}

/** The reminder that goes next: the earliest pending (or sending) one, by its next attempt or planned time. */
export function nextReminder(reminders: readonly Reminder[]): Reminder | undefined {
  const when = (r: Reminder) => Date.parse(r.next_attempt_at ?? r.scheduled_for);
  return reminders
    .filter((r) => r.state === 'pending' || r.state === 'sending')
    .slice()
    .sort((a, b) => when(a) - when(b) || a.offset_days - b.offset_days)[0];
}
