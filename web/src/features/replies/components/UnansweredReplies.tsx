import { Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { QueryError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { useUnansweredReplies } from '../hooks/queries';

/**
 * Clients' replies nobody has answered yet, newest first, each linking to its invoice's timeline
 * (where the answer box is). Made for the Needs attention screen.
 */
export function UnansweredReplies({ limit = 20 }: { limit?: number }) {
  const query = useUnansweredReplies(limit);
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const items = query.data?.items ?? [];
  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="sm">
        <Title order={2} fz="md" fw={600}>
          Unanswered replies
        </Title>
        {query.data && (
          <Badge variant="light" color={query.data.total > 0 ? 'orange' : 'gray'} data-testid="unanswered-count">
            {query.data.total}
          </Badge>
        )}
      </Group>
      {query.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No client is waiting for an answer.
        </Text>
      ) : (
        <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Unanswered replies">
          {items.map((reply) => (
            <li key={reply.id}>
              <Group gap={6} wrap="wrap" align="baseline">
                <Text size="sm" fw={600}>
                  {reply.from_name || reply.from_email}
                </Text>
                <Anchor component={Link} to={`/invoices/${reply.invoice_id}`} size="sm">
                  “{reply.subject}”
                </Anchor>
                <Text size="xs" c="dimmed" component="span">
                  · <RelativeTime value={reply.received_at} />
                </Text>
              </Group>
              <Text size="sm" c="dimmed" lineClamp={2} style={{ whiteSpace: 'pre-wrap' }}>
                {reply.text}
              </Text>
            </li>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
