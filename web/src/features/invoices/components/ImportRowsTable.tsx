import { Paper, Table, Text } from '@mantine/core';
import type { RowToCreate } from '../importMapping';

const SHOWN = 100;

/** The invoices an import creates, as read from the file: number, client, amount and due date. */
export function ImportRowsTable({ rows }: { rows: readonly RowToCreate[] }) {
  return (
    <Paper withBorder>
      <Text fw={600} p="md" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        {rows.length.toLocaleString()} {rows.length === 1 ? 'invoice' : 'invoices'} to create
      </Text>
      <Table.ScrollContainer minWidth={0} type="native" mah={360}>
        <Table stickyHeader verticalSpacing="xs" aria-label="Invoices to create">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Number</Table.Th>
              <Table.Th>Client</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th>Due date</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice(0, SHOWN).map((row) => (
              <Table.Tr key={row.line}>
                <Table.Td>{row.number}</Table.Td>
                <Table.Td>{row.client}</Table.Td>
                <Table.Td ta="right" className="tabular">
                  {row.amount} {row.currency}
                </Table.Td>
                <Table.Td className="tabular">{row.dueDate}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length > SHOWN && (
        <Text size="sm" c="dimmed" p="md">
          and {(rows.length - SHOWN).toLocaleString()} more
        </Text>
      )}
    </Paper>
  );
}
