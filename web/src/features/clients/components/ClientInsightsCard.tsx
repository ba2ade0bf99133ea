import { Anchor, Badge, Button, CopyButton, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconCheck, IconCopy, IconTrendingDown, IconTrendingUp } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Id } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { InlineError } from '@/components/ui/QueryStates';
import { formatDate } from '@/lib/dates';
import { describeBehaviour, RATING_LOOK, useClientInsights, usePortalLink } from '../hooks/insights';

/** How the client pays, when each open invoice is likely paid, and the link to their portal. */
export function ClientInsightsCard({ clientId }: { clientId: Id }) {
  const insights = useClientInsights(clientId);
  const portal = usePortalLink(clientId);
  return (
    <Paper withBorder p="lg" data-testid="client-insights">
      <Title order={2} fz="md" fw={600} mb="sm">
        Payment behaviour
      </Title>
      {insights.isPending ? (
        <Skeleton h={60} />
      ) : insights.isError ? (
        <InlineError error={insights.error} onRetry={() => void insights.refetch()} />
      ) : (
        <Stack gap="sm">
          <Group gap="xs">
            <Badge color={RATING_LOOK[insights.data.behaviour.rating].color} variant="light">
              {RATING_LOOK[insights.data.behaviour.rating].label}
            </Badge>
            {insights.data.behaviour.trend.direction === 'improving' && (
              <Badge color="teal.9" variant="outline" leftSection={<IconTrendingUp size={12} />}>
                improving
              </Badge>
            )}
            {insights.data.behaviour.trend.direction === 'worsening' && (
              <Badge color="red.9" variant="outline" leftSection={<IconTrendingDown size={12} />}>
                getting later
              </Badge>
            )}
          </Group>
          {insights.data.behaviour.risk_reason ? (
            <Text size="sm" c="red.8" data-testid="risk-reason">
              {insights.data.behaviour.risk_reason}
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              {describeBehaviour(insights.data.behaviour) ?? 'No paid invoices yet, so no pattern to learn from.'}
            </Text>
          )}
          {insights.data.open_invoices.length > 0 && (
            <div>
              <Text size="xs" c="dimmed" fw={500} tt="uppercase" mb={4}>
                Likely paid
              </Text>
              <Stack gap={4}>
                {insights.data.open_invoices.map((open) => (
                  <Group key={open.invoice_id} justify="space-between" gap="xs" wrap="nowrap">
                    <Anchor component={Link} to={`/invoices/${open.invoice_id}`} size="sm">
                      {open.number}
                    </Anchor>
                    <Group gap={6} wrap="nowrap">
                      <Money amount={open.balance.amount} currency={open.balance.currency} size="sm" />
                      {open.prediction.predicted_date ? (
                        <Text size="sm" fw={500} c={open.prediction.past_usual_date ? 'orange.9' : undefined}>
                          {formatDate(open.prediction.predicted_date)}
                        </Text>
                      ) : (
                        <Text size="sm" c="dimmed" title={open.prediction.no_estimate_reason ?? undefined}>
                          no estimate
                        </Text>
                      )}
                    </Group>
                  </Group>
                ))}
              </Stack>
            </div>
          )}
        </Stack>
      )}
      <Title order={3} fz="sm" fw={600} mt="lg" mb={6}>
        Client portal
      </Title>
      {portal.isError ? (
        <InlineError error={portal.error} onRetry={() => void portal.refetch()} />
      ) : (
        <CopyButton value={portal.data?.client_portal_url ?? ''}>
          {({ copied, copy }) => (
            <Button
              size="xs"
              variant="default"
              disabled={!portal.data}
              leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              onClick={copy}
            >
              {copied ? 'Link copied' : 'Copy portal link'}
            </Button>
          )}
        </CopyButton>
      )}
      <Text size="xs" c="dimmed" mt={4}>
        Where the client sees and pays all their open invoices.
      </Text>
    </Paper>
  );
}
