import { Anchor, Button, Group, Text } from '@mantine/core';
import { IconCash, IconSend } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { Invoice } from '@/api/types';
import { DataTable, RowLink, type DataTableProps } from '@/components/ui/DataTable';
import { Money } from '@/components/ui/Money';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { describeDue, formatDate } from '@/lib/dates';
import { describeBalance } from '@/features/invoices/balance';
import { RecordPaymentModal } from '@/features/invoices/components/RecordPaymentModal';

const column = createColumnHelper<Invoice>();

function DueCell({ invoice }: { invoice: Invoice }) {
  const live = invoice.status === 'open' || invoice.status === 'overdue' || invoice.status === 'partially_paid';
  return (
    <div>
      <Text size="sm">{formatDate(invoice.due_date)}</Text>
      {live && (
        <Text size="xs" c={invoice.status === 'overdue' ? 'red.9' : 'dimmed'}>
          {describeDue(invoice.due_date)}
        </Text>
      )}
    </div>
  );
}

export type InvoicesTableProps = Omit<DataTableProps<Invoice>, 'columns' | 'label' | 'getRowId'> & {
  label?: string;
  /** Hide the client column (on a client's own page). */
  hideClient?: boolean;
};

export function InvoicesTable({ hideClient, label = 'Invoices', ...props }: InvoicesTableProps) {
  const columns = useMemo(
    () =>
      [
        column.accessor('number', {
          header: 'Invoice',
          enableSorting: true,
          cell: ({ row }) => (
            <div>
              <RowLink to={`/invoices/${row.original.id}`}>{row.original.number}</RowLink>
              {hideClient && row.original.description && (
                <Text size="xs" c="dimmed" truncate maw={{ base: 130, sm: 260 }}>
                  {row.original.description}
                </Text>
              )}
            </div>
          ),
        }),
        hideClient
          ? null
          : column.accessor('client_name', {
              header: 'Client',
              meta: { visibleFrom: 'sm' },
              cell: ({ row }) => (
                <Text
                  component={Link}
                  to={`/clients/${row.original.client_id}`}
                  size="sm"
                  data-row-action
                  style={{ color: 'inherit', textDecoration: 'none' }}
                  truncate
                  maw={220}
                >
                  {row.original.client_name}
                </Text>
              ),
            }),
        column.accessor('status', {
          header: 'Status',
          cell: ({ getValue }) => <StatusBadge status={getValue()} />,
        }),
        column.accessor('due_date', {
          header: 'Due',
          enableSorting: true,
          meta: { visibleFrom: 'sm' },
          cell: ({ row }) => <DueCell invoice={row.original} />,
        }),
        column.accessor('amount', {
          header: 'Amount',
          enableSorting: true,
          meta: { align: 'right' },
          cell: ({ row }) => <Money amount={row.original.amount} currency={row.original.currency} size="sm" fw={500} />,
        }),
        column.accessor('balance', {
          header: 'Balance',
          meta: { align: 'right', visibleFrom: 'sm' },
          cell: ({ row }) => (
            <Text size="sm" c={row.original.status === 'paid' || row.original.status === 'void' ? 'dimmed' : undefined}>
              {describeBalance(row.original)}
            </Text>
          ),
        }),
      ].filter((c): c is NonNullable<typeof c> => c !== null),
    [hideClient],
  );

  const [paying, setPaying] = useState<Invoice | null>(null);
  return (
    <>
      <DataTable
        label={label}
        columns={columns}
        getRowId={(invoice) => invoice.id}
        renderCard={(invoice) => <InvoiceCard invoice={invoice} hideClient={hideClient} onRecordPayment={setPaying} />}
        {...props}
      />
      {paying && <RecordPaymentModal invoice={paying} opened onClose={() => setPaying(null)} />}
    </>
  );
}

const LIVE = new Set<Invoice['status']>(['open', 'overdue', 'partially_paid']);

/** An invoice at phone width: client, number, how late, balance, and the two daily actions. */
export function InvoiceCard({
  invoice,
  hideClient,
  onRecordPayment,
}: {
  invoice: Invoice;
  hideClient?: boolean;
  onRecordPayment: (invoice: Invoice) => void;
}) {
  const live = LIVE.has(invoice.status);
  return (
    <div data-testid="invoice-card">
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Text size="sm" fw={600} truncate>
            {hideClient ? invoice.number : invoice.client_name}
          </Text>
          <Text size="xs" c="dimmed">
            <Anchor component={Link} to={`/invoices/${invoice.id}`} size="xs" underline="always">
              {hideClient ? 'Open invoice' : invoice.number}
            </Anchor>
            {' · '}
            {live ? describeDue(invoice.due_date) : `Due ${formatDate(invoice.due_date)}`}
          </Text>
        </div>
        <div style={{ textAlign: 'right', flexShrink: 0 }}>
          <StatusBadge status={invoice.status} />
          <Text size="xs" mt={4}>
            {describeBalance(invoice)}
          </Text>
        </div>
      </Group>
      {live && (
        <Group gap="xs" mt="xs">
          <Button size="compact-sm" variant="light" leftSection={<IconCash size={14} />} onClick={() => onRecordPayment(invoice)}>
            Record payment
          </Button>
          <Button
            size="compact-sm"
            variant="subtle"
            component={Link}
            to={`/invoices/${invoice.id}#activity`}
            leftSection={<IconSend size={14} />}
            aria-label={`Send a reminder for ${invoice.number}`}
          >
            Send reminder
          </Button>
        </Group>
      )}
    </div>
  );
}
