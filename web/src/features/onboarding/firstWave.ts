import type { FirstWave, ImportOptionsReport, ImportQuery, PreviewEmail } from '@/api/types';

/** The import options the review step offers, with the API's defaults (backend onboarding/import_options.py). */
export interface ImportOptions {
  startFromToday: boolean;
  dontChaseOlder: boolean;
  olderThanDays: number;
}

export const DEFAULT_IMPORT_OPTIONS: ImportOptions = { startFromToday: true, dontChaseOlder: true, olderThanDays: 90 };
export const MAX_OLDER_THAN_DAYS = 3650;

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString()} ${count === 1 ? one : many}`;

/** The query of `POST /api/invoices/import` for these options; an out-of-range day count is sent as typed (the API names it). */
export function importQuery(options: ImportOptions, dryRun: boolean): ImportQuery {
  return {
    dry_run: dryRun,
    start_from_today: options.startFromToday,
    dont_chase_older: options.dontChaseOlder,
    older_than_days: Math.trunc(options.olderThanDays),
  };
}

export function validOlderThanDays(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_OLDER_THAN_DAYS;
}

const TONES: Record<string, string> = {
  friendly: 'friendly',
  due_today: 'due today',
  firm: 'firm',
  urgent: 'urgent',
  final: 'final notice',
};

export function toneLabel(tone: string): string {
  return TONES[tone] ?? tone.replace(/_/g, ' ');
}

/** When the first wave goes: "today", or the day and time the send window opens. */
export function whenLabel(wave: FirstWave, locale?: string): string {
  if (!wave.at) return 'today';
  if (wave.today) return 'today';
  const at = new Date(wave.at);
  return `on ${at.toLocaleString(locale, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })}`;
}

/** The headline: "3 emails go to 3 clients today" or "No email goes out at once". */
export function waveHeadline(wave: FirstWave, locale?: string): string {
  if (wave.emails === 0) return 'No email goes out at once';
  const verb = wave.emails === 1 ? 'goes' : 'go';
  return `${plural(wave.emails, 'email')} ${verb} to ${plural(wave.clients, 'client')} ${whenLabel(wave, locale)}`;
}

/** "1 statement, 2 single reminders · 2 firm, 1 urgent" */
export function waveBreakdown(wave: FirstWave): string {
  if (wave.emails === 0) return '';
  const kinds = [
    wave.statements ? plural(wave.statements, 'statement') : null,
    wave.singles ? plural(wave.singles, 'single reminder') : null,
  ].filter(Boolean);
  const tones = Object.entries(wave.tones)
    .filter(([, count]) => count > 0)
    .map(([tone, count]) => `${count.toLocaleString()} ${toneLabel(tone)}`);
  return [kinds.join(', '), tones.join(', ')].filter(Boolean).join(' · ');
}

export function previewTitle(email: PreviewEmail): string {
  const what = email.kind === 'statement' ? `Statement of ${plural(email.invoice_numbers.length, 'invoice')}` : email.invoice_numbers[0];
  return `${email.client_name} — ${what} (${toneLabel(email.tone)})`;
}

/** One line per option that changes something, in words. */
export function optionEffects(options: ImportOptionsReport): string[] {
  const lines: string[] = [];
  if (options.start_from_today && options.invoices_started_later > 0) {
    lines.push(
      `${plural(options.invoices_started_later, 'invoice')}: reminders whose day has passed are skipped (${plural(options.steps_skipped, 'step')}); the first email goes at the next step.`,
    );
  }
  if (options.start_from_today && options.not_chased_no_step_left > 0) {
    lines.push(
      `${plural(options.not_chased_no_step_left, 'invoice')} had every reminder step behind them: not chased until you resume them.`,
    );
  }
  if (options.dont_chase_older && options.not_chased_old > 0) {
    lines.push(
      `${plural(options.not_chased_old, 'invoice')} more than ${options.older_than_days} days overdue: not chased until you resume them.`,
    );
  }
  return lines;
}
