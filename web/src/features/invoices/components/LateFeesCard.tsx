import { Paper, Table, Text, Title } from '@mantine/core';
import type { Invoice } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { InlineError } from '@/components/ui/QueryStates';
import { formatDate } from '@/lib/dates';
import { useAdjustments } from '../hooks/queries';

/** The late fees and interest reminders added: one line each, how it was worked out, and the total. */
export function LateFeesCard({ invoice }: { invoice: Invoice }) {
  const adjustments = useAdjustments(invoice.id, true);
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
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(invoice.issue_date)}</Table.Td>
                <Table.Td>Invoice amount</Table.Td>
                <Table.Td ta="right">
                  <Money amount={invoice.amount} currency={invoice.currency} />
                </Table.Td>
              </Table.Tr>
              {adjustments.data.map((adjustment) => (
                <Table.Tr key={adjustment.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(adjustment.created_at)}</Table.Td>
                  <Table.Td>{adjustment.description}</Table.Td>
                  <Table.Td ta="right">
                    <Money amount={adjustment.amount} currency={adjustment.currency} />
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
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
