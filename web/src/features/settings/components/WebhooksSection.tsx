import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  Collapse,
  CopyButton,
  Group,
  MultiSelect,
  Paper,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconCheck,
  IconCopy,
  IconKey,
  IconList,
  IconPlayerPause,
  IconPlayerPlay,
  IconPlus,
  IconSend,
  IconTrash,
  IconWebhook,
} from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '@/api/errors';
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { EmptyState } from '@/components/ui/EmptyState';
import { ErrorState } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import {
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useRotateWebhookSecret,
  useSendWebhookTest,
  useUpdateWebhookEndpoint,
  useWebhookEndpoints,
  useWebhookEventTypes,
} from '../hooks/webhooks';
import { WebhookDeliveries } from './WebhookDeliveries';

function SecretOnce({ created, onClose }: { created: WebhookEndpointWithSecret; onClose: () => void }) {
  return (
    <Alert color="teal" variant="light" title="Copy the signing secret now" withCloseButton onClose={onClose} closeButtonLabel="Dismiss">
      <Text size="sm" mb="xs">
        This is the only time it’s shown. Verify each request with it (any Standard Webhooks library does).
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, overflowX: 'auto' }}>
          {created.secret}
        </Code>
        <CopyButton value={created.secret}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy secret'}>
              <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy secret" size="lg">
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}

function AddEndpointForm({ onCreated }: { onCreated: (created: WebhookEndpointWithSecret) => void }) {
  const eventTypes = useWebhookEventTypes();
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const allTypes = eventTypes.data?.map((t) => t.type) ?? [];
  const chosen = types ?? allTypes;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!url.trim()) return setErrors({ url: 'Enter the URL that receives the events' });
    if (chosen.length === 0) return setErrors({ event_types: 'Choose at least one event' });
    setErrors({});
    try {
      onCreated(await create.mutateAsync({ url: url.trim(), description: description.trim(), event_types: chosen }));
      setUrl('');
      setDescription('');
      setTypes(null);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors : [];
      setErrors(fields.length ? Object.fromEntries(fields.map((f) => [f.field, f.message])) : { url: errorMessage(error) });
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a webhook endpoint">
      <Stack gap="sm">
        <TextInput
          label="Endpoint URL"
          placeholder="https://hooks.example.com/duespark"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={errors.url}
          maxLength={2000}
          required
        />
        <TextInput
          label="Description"
          placeholder="e.g. Sync to our CRM"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
          maxLength={200}
        />
        <MultiSelect
          label="Events"
          description="All events by default; remove the ones this receiver doesn’t need."
          data={eventTypes.data?.map((t) => ({ value: t.type, label: t.type })) ?? []}
          value={chosen}
          onChange={setTypes}
          error={errors.event_types}
          searchable
          clearable
          hidePickedOptions
          comboboxProps={{ withinPortal: true }}
        />
        <Group>
          <Button type="submit" loading={create.isPending} leftSection={<IconPlus size={16} />}>
            Add endpoint
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function EndpointCard({ endpoint, onSecret }: { endpoint: WebhookEndpoint; onSecret: (created: WebhookEndpointWithSecret) => void }) {
  const [showLog, setShowLog] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const update = useUpdateWebhookEndpoint();
  const remove = useDeleteWebhookEndpoint();
  const rotate = useRotateWebhookSecret();
  const test = useSendWebhookTest();

  const run = async (action: () => Promise<unknown>, success: string, failure: string) => {
    try {
      await action();
      notifications.show({ color: 'teal', message: success });
    } catch (error) {
      notifications.show({ color: 'red', title: failure, message: errorMessage(error) });
    }
  };

  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <div style={{ minWidth: 0 }}>
            <Text fw={600} size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {endpoint.url}
            </Text>
            {endpoint.description && (
              <Text size="sm" c="dimmed">
                {endpoint.description}
              </Text>
            )}
          </div>
          <Badge variant="light" color={endpoint.enabled ? (endpoint.failing_since ? 'yellow' : 'teal') : 'gray'} style={{ flexShrink: 0 }}>
            {endpoint.enabled ? (endpoint.failing_since ? 'Failing' : 'Active') : 'Disabled'}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          {endpoint.event_types.length} event type{endpoint.event_types.length === 1 ? '' : 's'}: {endpoint.event_types.join(', ')}
        </Text>
        <Text size="xs" c="dimmed">
          {endpoint.last_success_at ? (
            <>
              Last delivered <RelativeTime value={endpoint.last_success_at} />
            </>
          ) : (
            'Nothing delivered yet'
          )}
          {endpoint.enabled && endpoint.failing_since && (
            <>
              {' · '}
              <Text span c="red.9" size="xs">
                failing since <RelativeTime value={endpoint.failing_since} />
              </Text>
            </>
          )}
        </Text>
        {!endpoint.enabled && endpoint.disabled_reason && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />} p="xs">
            <Text size="sm">{endpoint.disabled_reason}</Text>
          </Alert>
        )}
        <Group gap="xs" mt={4}>
          <Button size="xs" variant="light" leftSection={<IconList size={14} />} onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>
            {showLog ? 'Hide deliveries' : 'Deliveries'}
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconSend size={14} />}
            disabled={!endpoint.enabled}
            loading={test.isPending}
            onClick={() => void run(() => test.mutateAsync(endpoint.id).then(() => setShowLog(true)), 'A test event is on its way.', 'Couldn’t send a test event')}
          >
            Send test event
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconKey size={14} />}
            loading={rotate.isPending}
            onClick={() => void run(async () => onSecret(await rotate.mutateAsync(endpoint.id)), 'New secret created; the old one also signs for 24 hours.', 'Couldn’t rotate the secret')}
          >
            Rotate secret
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={endpoint.enabled ? <IconPlayerPause size={14} /> : <IconPlayerPlay size={14} />}
            loading={update.isPending}
            onClick={() =>
              void run(
                () => update.mutateAsync({ id: endpoint.id, body: { enabled: !endpoint.enabled } }),
                endpoint.enabled ? 'Endpoint disabled.' : 'Endpoint enabled.',
                'Couldn’t change the endpoint',
              )
            }
          >
            {endpoint.enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </Group>
        <Collapse in={showLog}>{showLog && <WebhookDeliveries endpointId={endpoint.id} enabled={endpoint.enabled} />}</Collapse>
      </Stack>
      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        onConfirm={() => void run(() => remove.mutateAsync(endpoint.id), 'Endpoint deleted.', 'Couldn’t delete the endpoint').then(() => setDeleting(false))}
        loading={remove.isPending}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
      >
        Events stop going to {endpoint.url}, and its delivery log is deleted.
      </ConfirmModal>
    </Paper>
  );
}

/** Settings › Webhooks: endpoints that receive signed events, with their delivery logs. */
export function WebhooksSection() {
  const endpoints = useWebhookEndpoints();
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  const [adding, setAdding] = useState(false);

  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="lg">
        <Group justify="space-between" align="flex-start">
          <div style={{ flex: '1 1 300px' }}>
            <Text fw={600}>Webhooks</Text>
            <Text size="sm" c="dimmed">
              Tell your other systems what happens in DueSpark: invoices created and paid, reminders sent, clients who unsubscribe.
              Each event is POSTed as JSON and signed the Standard Webhooks way (<Code>webhook-signature</Code>); failed deliveries are
              retried for three days.
            </Text>
          </div>
          {!adding && (
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
              Add endpoint
            </Button>
          )}
        </Group>
        {secret && <SecretOnce created={secret} onClose={() => setSecret(null)} />}
        {adding && (
          <Paper withBorder p="md" bg="var(--mantine-color-gray-0)">
            <AddEndpointForm
              onCreated={(created) => {
                setSecret(created);
                setAdding(false);
              }}
            />
          </Paper>
        )}
        {endpoints.isPending ? (
          <Text c="dimmed" size="sm">
            Loading endpoints…
          </Text>
        ) : endpoints.isError ? (
          <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
        ) : endpoints.data.length === 0 ? (
          !adding && (
            <EmptyState
              compact
              icon={<IconWebhook size={20} />}
              title="No webhook endpoints yet"
              description="Add the URL of a system that should hear about your invoices, payments and reminders."
              action={
                <Button size="sm" onClick={() => setAdding(true)} leftSection={<IconPlus size={16} />}>
                  Add endpoint
                </Button>
              }
            />
          )
        ) : (
          <Stack gap="sm">
            {endpoints.data.map((endpoint) => (
              <EndpointCard key={endpoint.id} endpoint={endpoint} onSecret={setSecret} />
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
