import type { ReminderListItem } from '@/api/types';

type Row = Pick<ReminderListItem, 'id' | 'client_id' | 'client_name' | 'invoice_id' | 'offset_days' | 'scheduled_for' | 'next_attempt_at'>;

export interface ClientReminders {
  clientId: number;
  clientName: string;
  /** Statement emails: a client's overdue steps due the same day, sent as one email (when the account merges them). */
  statements: number;
  /** Single reminder emails. */
  reminders: number;
  /** Distinct invoices these emails are about. */
  invoices: number;
  /** When the first of them goes out; never before `now` (a late one goes out on the next run). */
  next: Date;
  /** True when the first one was due already and waits for the next run. */
  due: boolean;
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/**
 * Pending reminders grouped per client, soonest client first: how many emails go out (a statement
 * counts once however many invoices it lists, as the engine merges them: the overdue steps of one
 * client due the same local day) and when the first one goes. A moment already past is "now".
 */
export function groupNextReminders(rows: readonly Row[], { now, mergeStatements }: { now: Date; mergeStatements: boolean }): ClientReminders[] {
  const byClient = new Map<number, { name: string; rows: { row: Row; at: Date }[] }>();
  for (const row of rows) {
    const planned = new Date(row.next_attempt_at ?? row.scheduled_for);
    const at = planned.getTime() < now.getTime() ? now : planned;
    const entry = byClient.get(row.client_id) ?? { name: row.client_name, rows: [] };
    entry.rows.push({ row, at });
    byClient.set(row.client_id, entry);
  }
  const groups: ClientReminders[] = [];
  for (const [clientId, { name, rows: items }] of byClient) {
    const statementDays = new Map<string, number>();
    let reminders = 0;
    for (const { row, at } of items) {
      if (mergeStatements && row.offset_days > 0) {
        const day = localDay(at);
        statementDays.set(day, (statementDays.get(day) ?? 0) + 1);
      } else {
        reminders += 1;
      }
    }
    let statements = 0;
    for (const count of statementDays.values()) {
      if (count > 1) statements += 1;
      else reminders += 1;
    }
    const next = new Date(Math.min(...items.map(({ at }) => at.getTime())));
    groups.push({
      clientId,
      clientName: name,
      statements,
      reminders,
      invoices: new Set(items.map(({ row }) => row.invoice_id)).size,
      next,
      due: next.getTime() <= now.getTime(),
    });
  }
  return groups.sort((a, b) => a.next.getTime() - b.next.getTime() || a.clientName.localeCompare(b.clientName));
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 statement, 12 invoices" / "2 reminders" / "1 statement and 1 reminder, 3 invoices". */
export function describeEmails(group: Pick<ClientReminders, 'statements' | 'reminders' | 'invoices'>): string {
  const parts = [];
  if (group.statements) parts.push(plural(group.statements, 'statement'));
  if (group.reminders) parts.push(plural(group.reminders, 'reminder'));
  const emails = parts.join(' and ');
  const emailCount = group.statements + group.reminders;
  return group.invoices > emailCount ? `${emails}, ${plural(group.invoices, 'invoice')}` : emails;
}

/** "now", "in 45 min", "in 2 h", "tomorrow", "in 3 days": never a past moment. */
export function describeWhen(at: Date, now: Date): string {
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now (next run)';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} h`;
  const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOfDay(at) - startOfDay(now)) / 86_400_000);
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}
