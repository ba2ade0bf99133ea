import { Button, Paper, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { Adjustment, Invoice } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { Money } from '@/components/ui/Money';
import { InlineError } from '@/components/ui/QueryStates';
import { formatDate } from '@/lib/dates';
import { useAdjustments, useWaiveAdjustment } from '../hooks/queries';

/** A fee can be waived while it is still owed: a paid invoice's fee is refunded as a payment instead. */
const WAIVABLE: ReadonlySet<Invoice['status']> = new Set(['open', 'overdue', 'partially_paid']);

/** The late fees and interest reminders added: one line each, how it was worked out, and the total. */
export function LateFeesCard({ invoice }: { invoice: Invoice }) {
  const adjustments = useAdjustments(invoice.id, true);
  const waive = useWaiveAdjustment(invoice.id);
  const [confirmWaive, setConfirmWaive] = useState<Adjustment | null>(null);

  const waiveConfirmed = async () => {
    if (!confirmWaive) return;
    try {
      await waive.mutateAsync(confirmWaive.id);
      notifications.show({ color: 'teal', message: 'The late fee is waived.' });
      setConfirmWaive(null);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t waive the late fee', message: errorMessage(error) });
    }
  };

  return (
    <Paper withBorder p="lg">
      <Title order={2} fz="md" fw={600} mb="md">
        Late fees and interest
      </Title>
      {adjustments.isPending ? (
        <Text c="dimmed" size="sm">
          Loading late fees…
        </Text>
      ) : adjustments.isError ? (
        <InlineError error={adjustments.error} onRetry={() => void adjustments.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={0} type="native">
          <Table verticalSpacing="xs" aria-label="Late fees and interest">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Added</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th ta="right">Amount</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(invoice.issue_date)}</Table.Td>
                <Table.Td>Invoice amount</Table.Td>
                <Table.Td ta="right">
                  <Money amount={invoice.amount} currency={invoice.currency} />
                </Table.Td>
                <Table.Td />
              </Table.Tr>
              {adjustments.data.map((adjustment) => (
                <Table.Tr key={adjustment.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(adjustment.created_at)}</Table.Td>
                  <Table.Td>
                    {adjustment.description}
                    {adjustment.waived_at && (
                      <Text size="xs" c="dimmed">
                        Waived on {formatDate(adjustment.waived_at)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right" td={adjustment.waived_at ? 'line-through' : undefined}>
                    <Money amount={adjustment.amount} currency={adjustment.currency} />
                  </Table.Td>
                  <Table.Td ta="right">
                    {!adjustment.waived_at && WAIVABLE.has(invoice.status) && (
                      <Button size="compact-xs" variant="subtle" color="gray" onClick={() => setConfirmWaive(adjustment)}>
                        Waive
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              <Table.Tr>
                <Table.Th colSpan={2}>Total</Table.Th>
                <Table.Th ta="right">
                  <Money amount={invoice.total} currency={invoice.currency} data-testid="invoice-total" />
                </Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={confirmWaive !== null}
        onClose={() => setConfirmWaive(null)}
        onConfirm={() => void waiveConfirmed()}
        title="Waive this late fee?"
        confirmLabel="Waive fee"
        loading={waive.isPending}
        danger={false}
      >
        {confirmWaive && (
          <>
            <Money amount={confirmWaive.amount} currency={confirmWaive.currency} /> comes off the invoice, and the reminder
            that added it will not add it again. The client sees the lower total in the next email and on the payment page.
          </>
        )}
      </ConfirmModal>
    </Paper>
  );
}
