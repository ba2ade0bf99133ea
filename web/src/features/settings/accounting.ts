/** What the last accounting sync changed, in words: "3 new invoices, 1 payment recorded". */
const LABELS: Record<string, [string, string]> = {
  clients_created: ['new client', 'new clients'],
  clients_matched: ['client matched', 'clients matched'],
  clients_updated: ['client updated', 'clients updated'],
  invoices_created: ['new invoice', 'new invoices'],
  invoices_matched: ['invoice matched', 'invoices matched'],
  invoices_updated: ['invoice updated', 'invoices updated'],
  invoices_voided: ['invoice voided', 'invoices voided'],
  payments_recorded: ['payment recorded', 'payments recorded'],
  payments_written_back: ['card payment written to the books', 'card payments written to the books'],
  conflicts_resolved: ['edit overruled by the books', 'edits overruled by the books'],
  errors: ['row not taken', 'rows not taken'],
};

export function syncSummary(counts: Record<string, number>): string {
  const parts = Object.entries(LABELS)
    .filter(([key]) => (counts[key] ?? 0) > 0)
    .map(([key, [one, many]]) => `${counts[key]} ${counts[key] === 1 ? one : many}`);
  return parts.length ? parts.join(', ') : 'No changes';
}
