import { ActionIcon, Anchor, Badge, Button, Card, Group, Menu, Stack, Table, Text } from '@mantine/core';
import { IconCheck, IconDots, IconX } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { StatementEntry } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { entryExplanation, entryTone } from '@/features/reconciliation/reconcile';

export interface EntryActions {
  onConfirm: (entry: StatementEntry) => void;
  onReject: (entry: StatementEntry) => void;
  onReassign: (entry: StatementEntry) => void;
  busyId: number | null;
}

function InvoiceCell({ entry }: { entry: StatementEntry }) {
  const id = entry.status === 'confirmed' ? entry.invoice_id : entry.proposal?.invoice_id;
  const number = entry.status === 'confirmed' ? entry.invoice_number : entry.proposal?.invoice_number;
  if (!id || !number) return <Text c="dimmed">—</Text>;
  return (
    <Stack gap={0}>
      <Anchor component={Link} to={`/invoices/${id}`} fw={500}>
        {number}
      </Anchor>
      {entry.status === 'open' && entry.proposal && (
        <Text size="xs" c="dimmed">
          {entry.proposal.client_name} · balance {entry.proposal.balance}
        </Text>
      )}
    </Stack>
  );
}

function RowActions({ entry, onConfirm, onReject, onReassign, busyId }: { entry: StatementEntry } & EntryActions) {
  if (entry.status === 'skipped' || entry.status === 'confirmed') return null;
  const busy = busyId === entry.id;
  return (
    <Group gap={6} wrap="nowrap" justify="flex-end">
      {entry.status === 'open' && entry.proposal && (
        <Button size="xs" leftSection={<IconCheck size={14} />} loading={busy} onClick={() => onConfirm(entry)}>
          Confirm
        </Button>
      )}
      {entry.status === 'open' && !entry.proposal && (
        <Button size="xs" variant="light" loading={busy} onClick={() => onReassign(entry)}>
          Choose invoice
        </Button>
      )}
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={`More actions for the entry of ${entry.amount}`}>
            <IconDots size={16} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => onReassign(entry)}>Assign to another invoice…</Menu.Item>
          {entry.status === 'open' && (
            <Menu.Item leftSection={<IconX size={14} />} color="red" onClick={() => onReject(entry)}>
              Reject: not an invoice payment
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
    </Group>
  );
}

function Tone({ entry }: { entry: StatementEntry }) {
  const tone = entryTone(entry);
  return (
    <Badge color={tone.color} variant="light" style={{ whiteSpace: 'nowrap' }}>
      {tone.label}
    </Badge>
  );
}

/** Desktop: a table; phone width: one card per entry, the same facts and buttons. */
export function EntriesView({ entries, ...actions }: { entries: StatementEntry[] } & EntryActions) {
  return (
    <>
      <Table.ScrollContainer minWidth={900} visibleFrom="sm">
        <Table verticalSpacing="sm" highlightOnHover data-testid="reconcile-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Booked</Table.Th>
              <Table.Th>Payer and remittance</Table.Th>
              <Table.Th ta="right">Amount</Table.Th>
              <Table.Th>Invoice</Table.Th>
              <Table.Th>Match</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((entry) => (
              <Table.Tr key={entry.id} data-testid={`entry-${entry.id}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{entry.booking_date}</Table.Td>
                <Table.Td maw={320}>
                  <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                    {entry.payer_name ?? '—'}
                  </Text>
                  <Text size="xs" c="dimmed" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                    {entry.creditor_reference ? `${entry.creditor_reference} ` : ''}
                    {entry.remittance ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Money amount={entry.amount} currency={entry.currency} />
                </Table.Td>
                <Table.Td>
                  <InvoiceCell entry={entry} />
                </Table.Td>
                <Table.Td maw={340}>
                  <Stack gap={4}>
                    <Tone entry={entry} />
                    <Text size="xs" c="dimmed">
                      {entryExplanation(entry)}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <RowActions entry={entry} {...actions} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack hiddenFrom="sm" gap="sm" data-testid="reconcile-cards">
        {entries.map((entry) => (
          <Card key={entry.id} withBorder padding="sm" data-testid={`entry-card-${entry.id}`}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                  {entry.payer_name ?? '—'}
                </Text>
                <Text size="xs" c="dimmed">
                  {entry.booking_date}
                </Text>
              </Stack>
              <Money amount={entry.amount} currency={entry.currency} fw={600} />
            </Group>
            {(entry.remittance || entry.creditor_reference) && (
              <Text size="sm" mt={4} style={{ overflowWrap: 'anywhere' }}>
                {entry.creditor_reference ? `${entry.creditor_reference} ` : ''}
                {entry.remittance ?? ''}
              </Text>
            )}
            <Group mt="xs" gap="xs">
              <Tone entry={entry} />
              <InvoiceCell entry={entry} />
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              {entryExplanation(entry)}
            </Text>
            <Group mt="xs" justify="flex-end">
              <RowActions entry={entry} {...actions} />
            </Group>
          </Card>
        ))}
      </Stack>
    </>
  );
}
