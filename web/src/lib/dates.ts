import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import utc from 'dayjs/plugin/utc';

dayjs.extend(relativeTime);
dayjs.extend(utc);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date ("2026-03-01") stays that date whatever the viewer's timezone. */
function parse(value: string) {
  return DATE_ONLY.test(value) ? dayjs(value, 'YYYY-MM-DD') : dayjs(value);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = parse(value);
  return d.isValid()
    ? d.toDate().toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
    : value;
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = parse(value);
  return d.isValid()
    ? d.toDate().toLocaleString(undefined, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
    : value;
}

/**
 * "in 12 days", "3 days ago": exact whole days from a day on ("in a month" hides whether the reminder goes in
 * 25 or 45 days); below a day, "in 3 hours" / "5 minutes ago".
 */
export function fromNow(value: string, now: Date = new Date()): string {
  const then = parse(value);
  const hours = then.diff(dayjs(now), 'hour', true);
  if (Math.abs(hours) < 22) return then.from(dayjs(now));
  const days = Math.max(1, Math.round(Math.abs(hours) / 24));
  const count = `${days} ${days === 1 ? 'day' : 'days'}`;
  return hours > 0 ? `in ${count}` : `${count} ago`;
}

/** Today as "YYYY-MM-DD" in the viewer's timezone. */
export function todayISO(now: Date = new Date()): string {
  return dayjs(now).format('YYYY-MM-DD');
}

export function addDaysISO(days: number, from: Date = new Date()): string {
  return dayjs(from).add(days, 'day').format('YYYY-MM-DD');
}

/** Whole days from today until a calendar date (negative once past). */
export function daysUntil(date: string, now: Date = new Date()): number {
  return parse(date).startOf('day').diff(dayjs(now).startOf('day'), 'day');
}

export function describeDue(date: string, now: Date = new Date()): string {
  const days = daysUntil(date, now);
  if (days === 0) return 'Due today';
  if (days === 1) return 'Due tomorrow';
  if (days > 1) return `Due in ${days} days`;
  if (days === -1) return '1 day overdue';
  return `${-days} days overdue`;
}

/** An instant as a wall-clock time in a named timezone: "Tue, Mar 3, 09:00". */
export function formatInTimeZone(value: string, timeZone: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  try {
    return date.toLocaleString(undefined, {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
  } catch {
    return formatDateTime(value);
  }
}
