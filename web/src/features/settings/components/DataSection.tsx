import { Alert, Button, Group, Modal, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '@/api/errors';
import { session } from '@/api/session';
import { downloadExport, useDeleteMe } from '../hooks/integrations';

export function DataSection() {
  const [downloading, setDownloading] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const deleteMe = useDeleteMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const onExport = async () => {
    setDownloading(true);
    try {
      await downloadExport();
    } catch (error) {
      notifications.show({ color: 'red', title: 'Export failed', message: errorMessage(error) });
    } finally {
      setDownloading(false);
    }
  };

  const onDelete = async () => {
    setDeleteError(null);
    try {
      await deleteMe.mutateAsync(password);
      session.signOut({ broadcast: true });
      queryClient.clear();
      void navigate('/signin', { replace: true });
    } catch (error) {
      setDeleteError(errorMessage(error));
    }
  };

  return (
    <Stack gap="lg">
      <Paper withBorder p="lg">
        <Title order={2} fz="md" fw={600} mb="xs">
          Export your data
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          A zip of your account: clients, invoices, payments, reminders and messages, as JSON and CSV.
        </Text>
        <Button variant="default" leftSection={<IconDownload size={16} />} loading={downloading} onClick={onExport}>
          Download export
        </Button>
      </Paper>
      <Paper withBorder p="lg" style={{ borderColor: 'var(--mantine-color-red-4)' }}>
        <Title order={2} fz="md" fw={600} mb="xs" c="red.8">
          Delete your account
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Erases your user and every account only you own, with all its clients, invoices and history. This can’t be undone;
          download an export first if you may need it.
        </Text>
        <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setDeleteOpen(true)}>
          Delete my account…
        </Button>
      </Paper>
      <Modal opened={deleteOpen} onClose={() => setDeleteOpen(false)} title={<Text fw={600}>Delete your account for good?</Text>}>
        <Stack
          component="form"
          onSubmit={(event) => {
            event.preventDefault();
            void onDelete();
          }}
        >
          <Text size="sm">Enter your password to confirm. Everything is erased at once.</Text>
          {deleteError && <Alert color="red">{deleteError}</Alert>}
          <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleteOpen(false)}>
              Keep my account
            </Button>
            <Button type="submit" color="red" loading={deleteMe.isPending} disabled={!password}>
              Delete everything
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
