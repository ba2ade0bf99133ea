import { Button, Group, Popover, Stack, Text } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { useState } from 'react';
import type { Client } from '@/api/types';
import { errorMessage } from '@/api/errors';
import { formatDate } from '@/lib/dates';
import { useClientPause } from '@/features/reminders/hooks/queries';

/** Pause (optionally until a date) or resume reminders for one client; planned reminders are held, not dropped. */
export function PauseRemindersButton({ client }: { client: Client }) {
  const update = useClientPause(client.id);
  const [opened, setOpened] = useState(false);
  const [until, setUntil] = useState<string | null>(null);

  const save = async (paused: boolean, pausedUntil: string | null) => {
    try {
      await update.mutateAsync({ paused, until: pausedUntil });
      setOpened(false);
      notifications.show({
        color: paused ? 'orange' : 'teal',
        message: paused
          ? `Reminders to ${client.name} are paused${pausedUntil ? ` until ${formatDate(pausedUntil)}` : ''}.`
          : `Reminders to ${client.name} are back on.`,
      });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t update reminders', message: errorMessage(error) });
    }
  };

  if (client.reminders_paused) {
    return (
      <Button variant="default" leftSection={<IconPlayerPlay size={16} />} loading={update.isPending} onClick={() => save(false, null)}>
        Resume reminders
      </Button>
    );
  }

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow shadow="md" trapFocus>
      <Popover.Target>
        <Button variant="default" leftSection={<IconPlayerPause size={16} />} onClick={() => setOpened((o) => !o)}>
          Pause reminders
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="sm" w={260}>
          <Text size="sm">No reminder emails will go to {client.name} while paused.</Text>
          <DateInput
            label="Resume automatically on"
            placeholder="Only when I resume"
            valueFormat="MMM D, YYYY"
            clearable
            minDate={new Date()}
            value={until}
            onChange={(value) => setUntil(value || null)}
            popoverProps={{ withinPortal: false }}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="subtle" color="gray" size="xs" onClick={() => setOpened(false)}>
              Cancel
            </Button>
            <Button size="xs" color="orange" loading={update.isPending} onClick={() => save(true, until)}>
              Pause
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
