import { Anchor, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconBell, IconCircleCheck } from '@tabler/icons-react';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { InlineError } from '@/components/ui/QueryStates';
import { useReminderPolicy } from '@/features/reminders/hooks/queries';
import { formatDateTime } from '@/lib/dates';
import { useNextReminders } from '../hooks/queries';
import { describeEmails, describeWhen, groupNextReminders } from '../nextReminders';

const CLIENTS_SHOWN = 8;

/** Pending reminders of the next 7 days grouped per client ("Sam Lee: 1 statement, 12 invoices · in 2 h"), soonest first. */
export function NextReminders() {
  const next = useNextReminders();
  const policy = useReminderPolicy();
  const mergeStatements = policy.data?.merge_statements ?? true;
  const groups = useMemo(() => groupNextReminders(next.rows, { now: new Date(), mergeStatements }), [next.rows, mergeStatements]);
  const now = new Date();
  return (
    <Paper withBorder p="lg" h="100%">
      <Group justify="space-between" mb="md">
        <Group gap="xs">
          <IconBell size={18} color="var(--mantine-color-indigo-6)" aria-hidden />
          <Title order={2} fz="md" fw={600}>
            Next reminders
          </Title>
        </Group>
        <Anchor component={Link} to="/reminders" size="sm">
          View all
        </Anchor>
      </Group>
      {next.error ? (
        <InlineError error={next.error} onRetry={next.refetch} />
      ) : next.isPending ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading the next reminders">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={32} />
          ))}
        </Stack>
      ) : groups.length === 0 ? (
        <Group gap="xs" py="sm">
          <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" aria-hidden />
          <Text size="sm" c="dimmed">
            No reminders planned for the next 7 days.
          </Text>
        </Group>
      ) : (
        <Stack gap={0} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Next reminders per client" data-testid="next-reminders">
          {groups.slice(0, CLIENTS_SHOWN).map((group) => (
            <Group key={group.clientId} component="li" justify="space-between" wrap="nowrap" py="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
              <div style={{ minWidth: 0 }}>
                <Anchor component={Link} to={`/clients/${group.clientId}`} size="sm" fw={500} c="var(--mantine-color-text)">
                  {group.clientName}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {describeEmails(group)}
                </Text>
              </div>
              <Text size="xs" c={group.due ? 'var(--mantine-color-text)' : 'dimmed'} fw={group.due ? 600 : undefined} style={{ flexShrink: 0 }} title={formatDateTime(group.next.toISOString())}>
                <time dateTime={group.next.toISOString()}>{describeWhen(group.next, now)}</time>
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      {(groups.length > CLIENTS_SHOWN || next.more > 0) && (
        <Text size="xs" c="dimmed" mt="xs">
          {groups.length > CLIENTS_SHOWN ? `and ${groups.length - CLIENTS_SHOWN} more clients this week` : 'and more this week'}
        </Text>
      )}
    </Paper>
  );
}
