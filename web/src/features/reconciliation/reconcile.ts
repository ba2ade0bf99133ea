/** Pure helpers of the Reconcile screen: which entries to confirm at once, labels, and the file check. */
import type { StatementEntry } from '@/api/types';

export const MAX_STATEMENT_BYTES = 10 * 1024 * 1024;
export const STATEMENT_ACCEPT = '.xml,.csv,.txt,text/xml,application/xml,text/csv';
const EXTENSIONS = ['.xml', '.csv', '.txt'];

/** A reason to refuse the file before uploading it, or null (the server checks the content). */
export function statementFileProblem(file: { name: string; size: number }): string | null {
  const name = file.name.toLowerCase();
  if (!EXTENSIONS.some((ext) => name.endsWith(ext))) {
    return `${file.name} is not a bank statement: upload a CAMT.053 (.xml) or CSV export (.csv)`;
  }
  if (file.size > MAX_STATEMENT_BYTES) return `${file.name} is larger than 10 MB`;
  if (file.size === 0) return `${file.name} is empty`;
  return null;
}

/** The open entries whose proposal is strong: what "Confirm all strong matches" sends. */
export function strongMatches(entries: StatementEntry[]): { entry_id: number }[] {
  return entries
    .filter((entry) => entry.status === 'open' && entry.proposal?.level === 'strong')
    .map((entry) => ({ entry_id: entry.id }));
}

export type Tone = { label: string; color: string };

/** The badge of a row: its proposal's strength while open, else what became of it. */
export function entryTone(entry: StatementEntry): Tone {
  switch (entry.status) {
    case 'confirmed':
      return { label: 'Confirmed', color: 'green' };
    case 'rejected':
      return { label: 'Rejected', color: 'gray' };
    case 'skipped':
      return { label: 'Skipped', color: 'gray' };
    default:
      if (!entry.proposal) return { label: 'No match', color: 'orange' };
      return {
        strong: { label: `Strong ${entry.proposal.confidence}%`, color: 'teal' },
        medium: { label: `Medium ${entry.proposal.confidence}%`, color: 'yellow' },
        weak: { label: `Weak ${entry.proposal.confidence}%`, color: 'orange' },
      }[entry.proposal.level];
  }
}

/** What the row says under its amount: the explanation, the skip reason, or what was recorded. */
export function entryExplanation(entry: StatementEntry): string {
  if (entry.status === 'skipped') return entry.skip_reason ?? 'Not a payment';
  if (entry.status === 'confirmed') {
    const unapplied = entry.unapplied_amount && Number(entry.unapplied_amount) !== 0 ? entry.unapplied_amount : null;
    const base = `Recorded ${entry.applied_amount} ${entry.currency} on ${entry.invoice_number ?? 'the invoice'}`;
    return unapplied ? `${base}; ${unapplied} ${entry.currency} unapplied` : base;
  }
  if (entry.status === 'rejected') return 'Set aside: not a payment of an invoice';
  return entry.proposal?.explanation ?? entry.match_note ?? '';
}

/** Filter tabs: what needs a decision, everything, or what was done. */
export type EntryFilter = 'open' | 'all' | 'done';

export function filterEntries(entries: StatementEntry[], filter: EntryFilter): StatementEntry[] {
  if (filter === 'all') return entries;
  if (filter === 'open') return entries.filter((entry) => entry.status === 'open');
  return entries.filter((entry) => entry.status !== 'open');
}
