import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconFlask, IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { Account } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { GoLiveModal } from '@/features/onboarding/components/GoLiveModal';
import { useSwitchMode } from '../hooks/integrations';
import { usePaymentSetup } from '../hooks/paymentSetup';

/** "Go live" (or "Back to test mode"), always through a confirmation that says what changes.
 *  Going live is refused while clients would have no way to pay; the dialog says why and where to fix it. */
export function ModeSwitchButton({ account, size = 'sm' }: { account: Account; size?: string }) {
  const switchMode = useSwitchMode();
  const live = !account.test_mode;
  const setup = usePaymentSetup(!live);
  const [confirm, setConfirm] = useState(false);
  const blockers = live ? [] : (setup.data?.go_live_blockers ?? []);
  const warnings = live ? [] : (setup.data?.go_live_warnings ?? []);

  const onConfirm = async () => {
    try {
      const result = await switchMode.mutateAsync(!live);
      setConfirm(false);
      const after = 'warnings' in result && Array.isArray(result.warnings) ? (result.warnings as string[]) : [];
      notifications.show({
        color: live ? 'gray' : 'teal',
        message: live ? 'Back in test mode: reminders go to you only.' : 'You’re live: reminders now go to your clients.',
      });
      for (const warning of after) {
        notifications.show({ color: 'orange', title: 'Live, but your clients get no email', message: warning, autoClose: false });
      }
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t switch', message: errorMessage(error) });
    }
  };

  return (
    <>
      <Button
        size={size}
        color={live ? 'gray' : undefined}
        variant={live ? 'default' : 'filled'}
        leftSection={live ? <IconFlask size={16} /> : <IconRocket size={16} />}
        onClick={() => setConfirm(true)}
      >
        {live ? 'Back to test mode' : 'Go live'}
      </Button>
      {live ? (
        <ConfirmModal
          opened={confirm}
          onClose={() => setConfirm(false)}
          onConfirm={onConfirm}
          loading={switchMode.isPending}
          danger
          title="Go back to test mode?"
          confirmLabel="Switch to test mode"
        >
          Reminders will stop going to your clients and go to you instead, until you go live again.
        </ConfirmModal>
      ) : blockers.length > 0 ? (
        <Modal opened={confirm} onClose={() => setConfirm(false)} title={<Text fw={600}>Before you go live</Text>} size="md">
          <Stack gap="md">
            {blockers.map((blocker) => (
              <Alert key={blocker} color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
                {blocker}
              </Alert>
            ))}
            <Text size="sm">How do your clients pay you?</Text>
            <Group gap="sm">
              <Button component={Link} to="/settings?tab=company" variant="light" onClick={() => setConfirm(false)}>
                Add bank details or instructions
              </Button>
              <Button component={Link} to="/settings?tab=payments" variant="light" onClick={() => setConfirm(false)}>
                Connect Stripe
              </Button>
            </Group>
          </Stack>
        </Modal>
      ) : (
        <GoLiveModal
          opened={confirm}
          onClose={() => setConfirm(false)}
          onConfirm={onConfirm}
          loading={switchMode.isPending}
          warnings={warnings}
        />
      )}
    </>
  );
}
