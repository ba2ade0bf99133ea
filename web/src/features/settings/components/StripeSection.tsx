import { Alert, Badge, Button, Code, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBrandStripe, IconDownload } from '@tabler/icons-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { errorMessage } from '@/api/errors';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { InlineError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { applyApiErrors } from '@/lib/forms';
import { useConnectStripe, useDisconnectStripe, useStripeConnection, useStripeImport } from '../hooks/integrations';

export function StripeSection() {
  const connection = useStripeConnection();
  const connect = useConnectStripe();
  const disconnect = useDisconnectStripe();
  const importer = useStripeImport();
  const [disconnectOpen, setDisconnectOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, formState, reset } = useForm({ defaultValues: { secret_key: '', webhook_secret: '' } });

  const onConnect = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await connect.mutateAsync({ secret_key: values.secret_key.trim(), webhook_secret: values.webhook_secret.trim() || null });
      reset();
      notifications.show({ color: 'teal', message: 'Stripe is connected. Clients can pay by card from the payment link.' });
    } catch (error) {
      setFormError(applyApiErrors(error, setError, ['secret_key', 'webhook_secret']));
    }
  });

  const onImport = async () => {
    try {
      const report = await importer.mutateAsync();
      notifications.show({
        color: 'teal',
        title: 'Imported from Stripe',
        message: `${report.invoices_created} new and ${report.invoices_updated} updated invoices, ${report.clients_created} new clients${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}.`,
      });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Import failed', message: errorMessage(error) });
    }
  };

  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <IconBrandStripe size={20} aria-hidden />
          <Title order={2} fz="md" fw={600}>
            Stripe
          </Title>
        </Group>
        {connection.data && (
          <Badge variant="light" color={connection.data.connected ? 'teal' : 'gray'} data-testid="stripe-status">
            {connection.data.connected ? `Connected · ${connection.data.mode ?? ''} ····${connection.data.last4 ?? ''}` : 'Not connected'}
          </Badge>
        )}
      </Group>
      {connection.isError ? (
        <InlineError error={connection.error} onRetry={() => void connection.refetch()} />
      ) : !connection.data ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : connection.data.connected ? (
        <Stack gap="sm">
          <Text size="sm">
            Clients pay by card from the payment link; payments are recorded here automatically.
            {connection.data.last_import_at && (
              <>
                {' '}
                Last import <RelativeTime value={connection.data.last_import_at} />.
              </>
            )}
          </Text>
          {!connection.data.webhook_configured && (
            <Alert color="yellow" variant="light">
              Add this webhook endpoint in Stripe so payments are recorded as they happen: <Code>{connection.data.webhook_url}</Code>
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="subtle" color="red" onClick={() => setDisconnectOpen(true)}>
              Disconnect
            </Button>
            <Button variant="default" leftSection={<IconDownload size={16} />} loading={importer.isPending} onClick={onImport}>
              Import invoices from Stripe
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm" component="form" onSubmit={onConnect} aria-label="Connect Stripe">
          <Text size="sm" c="dimmed">
            Paste a restricted or secret key from your Stripe dashboard. DueSpark checks it with Stripe before saving; it’s stored encrypted and used only for your invoices.
          </Text>
          {formError && <Alert color="red">{formError}</Alert>}
          <PasswordInput
            label="Secret key"
            placeholder="sk_live_… or rk_live_…"
            autoComplete="off"
            {...register('secret_key', { required: 'Paste your Stripe key.' })}
            error={formState.errors.secret_key?.message}
          />
          <PasswordInput
            label="Webhook signing secret (optional)"
            placeholder="whsec_…"
            autoComplete="off"
            {...register('webhook_secret')}
            error={formState.errors.webhook_secret?.message}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={connect.isPending}>
              Connect Stripe
            </Button>
          </Group>
        </Stack>
      )}
      <ConfirmModal
        opened={disconnectOpen}
        onClose={() => setDisconnectOpen(false)}
        loading={disconnect.isPending}
        title="Disconnect Stripe?"
        confirmLabel="Disconnect"
        onConfirm={async () => {
          try {
            await disconnect.mutateAsync();
            setDisconnectOpen(false);
          } catch (error) {
            notifications.show({ color: 'red', title: 'Couldn’t disconnect', message: errorMessage(error) });
          }
        }}
      >
        Payment links stop offering card payments. Invoices and payments already recorded stay.
      </ConfirmModal>
    </Paper>
  );
}
