import { Anchor, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconBell, IconCircleCheck } from '@tabler/icons-react';
import { Link } from 'react-router';
import { InlineError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { reminderTone } from '@/features/invoices/activity';
import { useNextReminders } from '../hooks/queries';

/** Pending reminders of the next 7 days, soonest first. */
export function NextReminders() {
  const next = useNextReminders();
  return (
    <Paper withBorder p="lg" h="100%">
      <Group gap="xs" mb="md">
        <IconBell size={18} color="var(--mantine-color-indigo-6)" aria-hidden />
        <Title order={2} fz="md" fw={600}>
          Next reminders
        </Title>
      </Group>
      {next.error ? (
        <InlineError error={next.error} onRetry={next.refetch} />
      ) : next.isPending ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading the next reminders">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={32} />
          ))}
        </Stack>
      ) : next.rows.length === 0 ? (
        <Group gap="xs" py="sm">
          <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" aria-hidden />
          <Text size="sm" c="dimmed">
            No reminders planned for the next 7 days.
          </Text>
        </Group>
      ) : (
        <Stack gap={0} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Next reminders">
          {next.rows.map((reminder) => (
            <Group key={reminder.id} component="li" justify="space-between" wrap="nowrap" py="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
              <div style={{ minWidth: 0 }}>
                <Anchor component={Link} to={`/invoices/${reminder.invoice_id}`} size="sm" fw={500} c="var(--mantine-color-text)">
                  {reminder.client_name} · {reminder.invoice_number}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {reminderTone(reminder)}
                </Text>
              </div>
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                <RelativeTime value={reminder.next_attempt_at ?? reminder.scheduled_for} />
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      {next.more > 0 && (
        <Text size="xs" c="dimmed" mt="xs">
          and {next.more} more this week
        </Text>
      )}
    </Paper>
  );
}
