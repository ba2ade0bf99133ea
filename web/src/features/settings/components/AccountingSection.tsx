import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBook2, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { components } from '@/api/schema';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { InlineError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { syncSummary } from '../accounting';
import { useAccountingIntegrations, useConnectAccounting, useDisconnectAccounting, useSyncAccounting } from '../hooks/accounting';
import { WriteBackForm } from './WriteBackForm';

type Integration = components['schemas']['IntegrationOut'];

const STATUS: Record<Integration['status'], { color: string; label: string }> = {
  connected: { color: 'teal', label: 'Connected' },
  needs_reconnect: { color: 'red', label: 'Needs reconnecting' },
  disconnected: { color: 'gray', label: 'Disconnected' },
  not_connected: { color: 'gray', label: 'Not connected' },
};
const MAX_SHOWN_ERRORS = 10;

function IntegrationCard({ item }: { item: Integration }) {
  const connect = useConnectAccounting();
  const sync = useSyncAccounting();
  const disconnect = useDisconnectAccounting();
  const [confirmOpen, setConfirmOpen] = useState(false);
  const status = STATUS[item.status];
  const onError = (title: string) => (error: unknown) => notifications.show({ color: 'red', title, message: errorMessage(error) });

  return (
    <Paper withBorder p="lg" data-testid={`integration-${item.provider}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <IconBook2 size={20} aria-hidden />
          <Title order={2} fz="md" fw={600}>
            {item.label}
          </Title>
        </Group>
        <Badge variant="light" color={status.color} data-testid={`integration-${item.provider}-status`}>
          {item.organisation && item.status === 'connected' ? `${status.label} · ${item.organisation}` : status.label}
        </Badge>
      </Group>
      <Stack gap="sm">
        {!item.configured ? (
          <Text size="sm" c="dimmed">
            Not available on this server: its operator has not set up a {item.label} app.
          </Text>
        ) : item.status === 'connected' ? (
          <Text size="sm">
            {item.syncing ? 'Syncing now. ' : ''}
            {item.last_sync_finished_at ? (
              <>
                Last sync <RelativeTime value={item.last_sync_finished_at} />: {syncSummary(item.counts)}.
              </>
            ) : (
              'The first sync imports your customers and open invoices.'
            )}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            Invoices, payments, credit notes and voids in {item.label} follow here by themselves, every 15 minutes.
          </Text>
        )}
        {item.last_error && (
          <Alert color={item.status === 'needs_reconnect' ? 'red' : 'yellow'} variant="light">
            {item.last_error}
          </Alert>
        )}
        {item.errors.length > 0 && (
          <Table striped withTableBorder fz="sm" aria-label={`Rows ${item.label} could not take`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Record</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {item.errors.slice(0, MAX_SHOWN_ERRORS).map((row) => (
                <Table.Tr key={`${row.kind}:${row.external_id}`}>
                  <Table.Td>
                    {row.kind} {row.external_id}
                  </Table.Td>
                  <Table.Td>{row.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {item.configured && item.status === 'connected' && <WriteBackForm item={item} />}
        {item.configured && (
          <Group gap="sm">
            {item.status === 'connected' ? (
              <>
                <Button
                  variant="light"
                  leftSection={<IconRefresh size={16} />}
                  loading={sync.isPending}
                  disabled={item.syncing}
                  onClick={() => sync.mutate(item.provider, { onError: onError('Sync failed') })}
                >
                  Sync now
                </Button>
                <Button variant="subtle" color="red" onClick={() => setConfirmOpen(true)}>
                  Disconnect
                </Button>
              </>
            ) : (
              <Button loading={connect.isPending} onClick={() => connect.mutate(item.provider, { onError: onError('Could not connect') })}>
                {item.status === 'needs_reconnect' ? `Reconnect ${item.label}` : `Connect ${item.label}`}
              </Button>
            )}
          </Group>
        )}
      </Stack>
      <ConfirmModal
        opened={confirmOpen}
        onClose={() => setConfirmOpen(false)}
        title={`Disconnect ${item.label}?`}
        confirmLabel="Disconnect"
        loading={disconnect.isPending}
        onConfirm={() =>
          disconnect.mutate(item.provider, { onSuccess: () => setConfirmOpen(false), onError: onError('Could not disconnect') })
        }
      >
        Syncing stops. The clients and invoices it brought in stay; connecting the same books again continues where it left off.
      </ConfirmModal>
    </Paper>
  );
}

export function AccountingSection() {
  const integrations = useAccountingIntegrations();
  if (integrations.isError) return <InlineError error={integrations.error} onRetry={() => void integrations.refetch()} />;
  if (!integrations.data)
    return (
      <Text size="sm" c="dimmed">
        Loading…
      </Text>
    );
  return (
    <Stack gap="lg">
      {integrations.data.items.map((item) => (
        <IntegrationCard key={item.provider} item={item} />
      ))}
    </Stack>
  );
}
