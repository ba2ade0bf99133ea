import { Alert, Button, Checkbox, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import { useGoLivePreview } from '../hooks';
import { FirstWavePanel } from './FirstWavePanel';

/** Going live: what goes out first to clients (each email rendered), and an explicit confirmation. */
export function GoLiveModal({
  opened,
  onClose,
  onConfirm,
  loading,
  warnings = [],
}: {
  opened: boolean;
  onClose: () => void;
  onConfirm: () => void;
  loading?: boolean;
  /** What would still stop emails reaching clients (an email provider that delivers nothing). */
  warnings?: string[];
}) {
  const preview = useGoLivePreview(opened);
  const [understood, setUnderstood] = useState(false);
  const wave = preview.data;
  const close = () => {
    setUnderstood(false);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>Go live and email your clients?</Text>} size="lg">
      <Stack gap="md">
        <Text size="sm">
          From now on reminders go to your clients’ real addresses on schedule. Check your templates and sender first.
        </Text>
        {warnings.map((warning) => (
          <Alert key={warning} color="orange" variant="light" title="Your clients would get no email">
            {warning}
          </Alert>
        ))}
        {preview.isPending && (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm" c="dimmed">
              Working out what goes out first…
            </Text>
          </Group>
        )}
        {preview.isError && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
            {errorMessage(preview.error)}
          </Alert>
        )}
        {wave && <FirstWavePanel wave={{ ...wave }} title="Once you go live" />}
        {wave && wave.emails > 0 && (
          <Checkbox
            label={`I’ve read them: send ${wave.emails === 1 ? 'this email' : `these ${wave.emails.toLocaleString()} emails`} to my clients`}
            checked={understood}
            onChange={(event) => setUnderstood(event.currentTarget.checked)}
          />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} data-autofocus>
            Keep testing
          </Button>
          <Button onClick={onConfirm} loading={loading} disabled={!wave || (wave.emails > 0 && !understood)}>
            Go live
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
