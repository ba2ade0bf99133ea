import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { StatementEntry } from '@/api/types';
import { InlineError } from '@/components/ui/QueryStates';
import { useInvoices } from '@/features/invoices/hooks/queries';

interface ReassignModalProps {
  entry: StatementEntry | null;
  onClose: () => void;
  onChoose: (invoiceId: number) => void;
  busy: boolean;
}

/** Confirm an entry as the payment of another open invoice, found by number or client. */
export function ReassignModal({ entry, onClose, onChoose, busy }: ReassignModalProps) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const [q] = useDebouncedValue(search, 250);
  const invoices = useInvoices(
    { q: q || undefined, status: ['open', 'overdue', 'partially_paid'], page_size: 50, sort: 'due_date' },
    { enabled: entry !== null },
  );
  const options = (invoices.data?.items ?? [])
    .filter((invoice) => invoice.currency === entry?.currency)
    .map((invoice) => ({
      value: String(invoice.id),
      label: `${invoice.number} · ${invoice.client_name} · ${invoice.balance} ${invoice.currency}`,
    }));
  return (
    <Modal opened={entry !== null} onClose={onClose} title="Assign to another invoice" size="lg">
      {entry && (
        <Stack>
          <Text size="sm">
            {entry.amount} {entry.currency} from {entry.payer_name ?? 'an unknown payer'} on {entry.booking_date}. At
            most the invoice's balance is recorded; the rest stays unapplied.
          </Text>
          <Select
            label="Open invoice"
            placeholder="Search by number or client"
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            data={options}
            value={chosen}
            onChange={setChosen}
            nothingFoundMessage={invoices.isFetching ? 'Searching…' : `No open ${entry.currency} invoice found`}
            data-autofocus
          />
          {invoices.error && <InlineError error={invoices.error} onRetry={() => void invoices.refetch()} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button disabled={chosen === null} loading={busy} onClick={() => chosen && onChoose(Number(chosen))}>
              Confirm payment
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
