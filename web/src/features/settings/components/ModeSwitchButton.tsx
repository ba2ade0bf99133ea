import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFlask, IconRocket } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { Account } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { GoLiveModal } from '@/features/onboarding/components/GoLiveModal';
import { useSwitchMode } from '../hooks/integrations';

/** "Go live" (or "Back to test mode"), always through a confirmation that says what changes. */
export function ModeSwitchButton({ account, size = 'sm' }: { account: Account; size?: string }) {
  const switchMode = useSwitchMode();
  const [confirm, setConfirm] = useState(false);
  const live = !account.test_mode;

  const onConfirm = async () => {
    try {
      await switchMode.mutateAsync(!live);
      setConfirm(false);
      notifications.show({
        color: live ? 'gray' : 'teal',
        message: live ? 'Back in test mode: reminders go to you only.' : 'You’re live: reminders now go to your clients.',
      });
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
      ) : (
        <GoLiveModal opened={confirm} onClose={() => setConfirm(false)} onConfirm={onConfirm} loading={switchMode.isPending} />
      )}
    </>
  );
}
