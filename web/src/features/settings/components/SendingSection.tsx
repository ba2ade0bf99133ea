import { Alert, Badge, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { Account } from '@/api/types';
import { useEmailStatus } from '../hooks/integrations';
import { ModeSwitchButton } from './ModeSwitchButton';

/** Test mode vs live, and whether the server can send email at all. */
export function SendingSection({ account }: { account: Account }) {
  const email = useEmailStatus();
  const live = !account.test_mode;

  return (
    <Stack gap="lg">
      <Paper withBorder p="lg">
        <Group justify="space-between" mb="xs">
          <Title order={2} fz="md" fw={600}>
            Test mode or live
          </Title>
          <Badge color={live ? 'teal' : 'yellow'} variant="light" size="lg" data-testid="mode-badge">
            {live ? 'Live' : 'Test mode'}
          </Badge>
        </Group>
        {live ? (
          <Text size="sm">
            Reminders go to your clients on schedule. Switch back to test mode to pause real sending while you change things:
            planned reminders stay planned, and any sent meanwhile go to you instead.
          </Text>
        ) : (
          <List size="sm" spacing={4}>
            <List.Item>In test mode every reminder is sent to you, not to your clients, and marked as a test.</List.Item>
            <List.Item>Going live sends the planned reminders to your clients at their planned times. Nothing already due is sent in a burst.</List.Item>
            <List.Item>You can come back to test mode at any time.</List.Item>
          </List>
        )}
        <Group justify="flex-end" mt="md">
          <ModeSwitchButton account={account} />
        </Group>
      </Paper>
      <Paper withBorder p="lg">
        <Title order={2} fz="md" fw={600} mb="xs">
          Email delivery
        </Title>
        {email.isPending ? (
          <Text size="sm" c="dimmed">
            Checking…
          </Text>
        ) : email.data ? (
          <Alert color={email.data.ok ? 'teal' : 'red'} variant="light" data-testid="email-status">
            {email.data.ok ? `Sending through “${email.data.detail}”.` : `Email can’t be sent: ${email.data.detail}`}
          </Alert>
        ) : (
          <Text size="sm" c="dimmed">
            The server’s email status isn’t available here; ask whoever runs your DueSpark.
          </Text>
        )}
        <Text size="sm" c="dimmed" mt="xs">
          Reminders are sent as {account.sender_name || account.name} &lt;{account.sender_email || 'the server’s address'}&gt;. Change the
          sender on the Company tab.
        </Text>
      </Paper>
    </Stack>
  );
}
