import { Badge, Button, Code, Group, Pagination, Spoiler, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh, IconSend } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { Id, WebhookDelivery } from '@/api/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { InlineError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { useResendWebhookDelivery, useWebhookDeliveries } from '../hooks/webhooks';

const STATUS_COLORS: Record<string, string> = { delivered: 'teal', failed: 'red', pending: 'yellow', sending: 'blue' };
const PAGE_SIZE = 20;

function Outcome({ delivery }: { delivery: WebhookDelivery }) {
  const answer = delivery.last_response_code ? `HTTP ${delivery.last_response_code}` : delivery.attempts ? 'No answer' : '—';
  return (
    <Tooltip label={delivery.last_response_excerpt || answer} multiline maw={360} disabled={!delivery.last_response_excerpt}>
      <div>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {answer}
        </Text>
        {delivery.last_duration_ms != null && (
          <Text c="dimmed" size="xs">
            {delivery.last_duration_ms} ms
          </Text>
        )}
      </div>
    </Tooltip>
  );
}

/** The delivery log of one endpoint: what was sent, the receiver's answer, and resend. */
export function WebhookDeliveries({ endpointId, enabled }: { endpointId: Id; enabled: boolean }) {
  const [page, setPage] = useState(1);
  const deliveries = useWebhookDeliveries(endpointId, page);
  const resend = useResendWebhookDelivery();

  const onResend = async (delivery: WebhookDelivery) => {
    try {
      await resend.mutateAsync({ endpointId, deliveryId: delivery.id });
      notifications.show({ color: 'teal', message: `${delivery.event_type} will be sent again in a few seconds.` });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t resend', message: errorMessage(error) });
    }
  };

  if (deliveries.isPending) return <Text size="sm" c="dimmed">Loading deliveries…</Text>;
  if (deliveries.isError) return <InlineError error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  if (deliveries.data.total === 0) {
    return (
      <EmptyState
        compact
        icon={<IconSend size={20} />}
        title="Nothing sent yet"
        description="Deliveries show here as events happen. Send a test event to check your receiver."
      />
    );
  }
  const pages = Math.ceil(deliveries.data.total / PAGE_SIZE);
  return (
    <>
      <Table.ScrollContainer minWidth={640} type="native">
        <Table verticalSpacing="xs" fz="sm" aria-label="Webhook deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Event</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Answer</Table.Th>
              <Table.Th>Attempts</Table.Th>
              <Table.Th>Queued</Table.Th>
              <Table.Th>
                <span className="visually-hidden">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deliveries.data.items.map((delivery) => (
              <Table.Tr key={delivery.id}>
                <Table.Td>
                  <Spoiler maxHeight={22} showLabel="Show body" hideLabel="Hide body" styles={{ control: { fontSize: 12 } }}>
                    <Text size="sm" fw={500}>
                      {delivery.event_type}
                    </Text>
                    <Code block mt={4} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxWidth: 520 }}>
                      {delivery.body}
                    </Code>
                  </Spoiler>
                </Table.Td>
                <Table.Td miw={110}>
                  <Badge size="sm" variant="light" color={STATUS_COLORS[delivery.status] ?? 'gray'}>
                    {delivery.status}
                  </Badge>
                  {delivery.status === 'pending' && delivery.next_attempt_at && delivery.attempts > 0 && (
                    <Text size="xs" c="dimmed">
                      retry <RelativeTime value={delivery.next_attempt_at} />
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Outcome delivery={delivery} />
                </Table.Td>
                <Table.Td>{delivery.attempts}</Table.Td>
                <Table.Td>
                  <RelativeTime value={delivery.created_at} />
                </Table.Td>
                <Table.Td>
                  {(delivery.status === 'delivered' || delivery.status === 'failed') && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      leftSection={<IconRefresh size={14} />}
                      onClick={() => void onResend(delivery)}
                      disabled={!enabled}
                      aria-label={`Resend ${delivery.event_type} ${delivery.event_id}`}
                    >
                      Resend
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pages > 1 && (
        <Group justify="flex-end" mt="xs">
          <Pagination size="sm" total={pages} value={page} onChange={setPage} />
        </Group>
      )}
    </>
  );
}
