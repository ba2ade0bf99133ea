import { describe, expect, it } from 'vitest';
import { describeEmails, describeWhen, groupNextReminders } from './nextReminders';

const now = new Date(2026, 11, 3, 10, 0, 0);
let id = 0;
function row(client: [number, string], invoice: number, at: Date, offsetDays = 7) {
  id += 1;
  return {
    id,
    client_id: client[0],
    client_name: client[1],
    invoice_id: invoice,
    offset_days: offsetDays,
    scheduled_for: at.toISOString(),
    next_attempt_at: null,
  };
}
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
const sam: [number, string] = [1, 'Sam Lee'];
const ana: [number, string] = [2, 'Ana Diaz'];

describe('groupNextReminders', () => {
  it('counts one statement for a client’s overdue steps on the same day, with the invoices it lists', () => {
    const rows = Array.from({ length: 12 }, (_, i) => row(sam, 100 + i, hours(2)));
    const [group, ...rest] = groupNextReminders(rows, { now, mergeStatements: true });
    expect(rest).toEqual([]);
    expect(group).toMatchObject({ clientId: 1, clientName: 'Sam Lee', statements: 1, reminders: 0, invoices: 12, due: false });
    expect(describeEmails(group!)).toBe('1 statement, 12 invoices');
    expect(describeWhen(group!.next, now)).toBe('in 2 h');
  });

  it('counts separate reminders when the account does not merge statements, and for steps before the due date', () => {
    const rows = [row(sam, 1, hours(2)), row(sam, 2, hours(3)), row(ana, 3, hours(1), -3), row(ana, 4, hours(1), 0)];
    const groups = groupNextReminders(rows, { now, mergeStatements: false });
    expect(groups.map((g) => [g.clientName, g.statements, g.reminders, g.invoices])).toEqual([
      ['Ana Diaz', 0, 2, 2],
      ['Sam Lee', 0, 2, 2],
    ]);
    const merged = groupNextReminders(rows, { now, mergeStatements: true });
    expect(merged.map((g) => [g.clientName, g.statements, g.reminders])).toEqual([
      ['Ana Diaz', 0, 2],
      ['Sam Lee', 1, 0],
    ]);
    expect(describeEmails(merged[0]!)).toBe('2 reminders');
  });

  it('a single overdue step on a day is a reminder, not a statement; different days are different emails', () => {
    const rows = [row(sam, 1, hours(2)), row(sam, 2, hours(50)), row(sam, 3, hours(50))];
    const [group] = groupNextReminders(rows, { now, mergeStatements: true });
    expect(group).toMatchObject({ statements: 1, reminders: 1, invoices: 3 });
    expect(describeEmails(group!)).toBe('1 statement and 1 reminder, 3 invoices');
  });

  it('never shows a past moment as next: a late reminder goes out now', () => {
    const rows = [row(sam, 1, hours(-5)), row(ana, 2, hours(1))];
    const groups = groupNextReminders(rows, { now, mergeStatements: true });
    expect(groups[0]).toMatchObject({ clientName: 'Sam Lee', due: true });
    expect(groups[0]!.next.getTime()).toBe(now.getTime());
    expect(describeWhen(groups[0]!.next, now)).toBe('now (next run)');
  });

  it('uses the retry time of a reminder waiting to be retried', () => {
    const retry = { ...row(sam, 1, hours(-30)), next_attempt_at: hours(4).toISOString() };
    const [group] = groupNextReminders([retry], { now, mergeStatements: true });
    expect(group!.next.toISOString()).toBe(hours(4).toISOString());
    expect(group!.due).toBe(false);
  });
});

describe('describeWhen', () => {
  it('speaks in minutes, hours and days ahead', () => {
    expect(describeWhen(new Date(now.getTime() + 45 * 60_000), now)).toBe('in 45 min');
    expect(describeWhen(hours(23), now)).toBe('in 23 h');
    expect(describeWhen(new Date(2026, 11, 4, 12), now)).toBe('tomorrow');
    expect(describeWhen(new Date(2026, 11, 5, 9), now)).toBe('in 2 days');
    expect(describeWhen(hours(-1), now)).toBe('now (next run)');
  });
});
