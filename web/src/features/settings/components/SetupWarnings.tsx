import { Alert, Anchor, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCreditCardOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { usePaymentSetup, useNotices, useDismissNotice } from '../hooks/paymentSetup';

/**
 * Shown above every page while it holds: a live account whose emails reach no one or whose clients
 * cannot pay, and notices such as "a client's card payment failed" (dismissable, they come back if
 * it happens again).
 */
const NOTICE_TITLES: Record<string, string> = {
  checkout_failed: 'A client’s card payment failed',
  client_unsubscribed: 'A client stopped your reminders',
};

export function SetupWarnings({ enabled = true }: { enabled?: boolean }) {
  const setup = usePaymentSetup(enabled);
  const notices = useNotices(enabled);
  const dismiss = useDismissNotice();
  const warnings = setup.data?.warnings ?? [];
  const items = notices.data ?? [];
  if (warnings.length === 0 && items.length === 0) return null;
  return (
    <Stack gap="xs" mb="md" data-testid="setup-warnings">
      {warnings.map((warning) => (
        <Alert key={warning} color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Your clients are not reached">
          <Text size="sm">{warning}</Text>
        </Alert>
      ))}
      {items.map((notice) => (
        <Alert
          key={notice.id}
          color="red"
          variant="light"
          icon={<IconCreditCardOff size={18} />}
          title={`${NOTICE_TITLES[notice.kind] ?? 'Notice'}${notice.count > 1 ? ` (${notice.count} times)` : ''}`}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => dismiss.mutate(notice.id)}
        >
          <Text size="sm">{notice.message}</Text>
          <Anchor component={Link} to="/settings?tab=payments" size="sm">
            Open payment settings
          </Anchor>
        </Alert>
      ))}
    </Stack>
  );
}
