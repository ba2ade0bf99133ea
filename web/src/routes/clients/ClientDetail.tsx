import { ActionIcon, Alert, Anchor, Badge, Button, Grid, Group, Menu, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconDots,
  IconEdit,
  IconFileInvoice,
  IconMailOff,
  IconPlayerPause,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '@/api/errors';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { DetailList } from '@/components/ui/DetailList';
import { describePromises } from '@/features/answers/promises';
import { useClientPromises } from '@/features/answers/hooks/queries';
import { Money } from '@/components/ui/Money';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, NotFoundState, PageLoader, QueryError } from '@/components/ui/QueryStates';
import { ClientInsightsCard } from '@/features/clients/components/ClientInsightsCard';
import { ClientPolicyCard } from '@/features/clients/components/ClientPolicyCard';
import { PauseRemindersButton } from '@/features/clients/components/PauseRemindersButton';
import { useClient, useDeleteClient } from '@/features/clients/hooks/queries';
import { InvoicesTable } from '@/features/invoices/components/InvoicesTable';
import { useInvoices } from '@/features/invoices/hooks/queries';
import { INVOICE_SORTS, type Id } from '@/api/types';
import { formatDate } from '@/lib/dates';
import { parseId } from '@/lib/ids';
import { sumByCurrency } from '@/lib/money';
import { allowedSort, formatSort, parseSort, useListParams } from '@/lib/useListParams';
import { languageName, timezoneName } from '@/lib/display';

const TYPE_LABEL = { individual: 'Individual', business: 'Business', enterprise: 'Enterprise' } as const;

const NOT_FOUND = { what: 'client', backTo: '/clients', backLabel: 'Back to clients' } as const;

export default function ClientDetailRoute() {
  const clientId = parseId(useParams().clientId);
  if (clientId === undefined) return <NotFoundState {...NOT_FOUND} />;
  return <ClientDetail clientId={clientId} />;
}

function ClientDetail({ clientId }: { clientId: Id }) {
  const navigate = useNavigate();
  const query = useClient(clientId);
  const remove = useDeleteClient();
  const [confirmOpen, confirm] = useDisclosure(false);
  const { params, update, pagination } = useListParams({ sort: '-due_date', pageSize: 10 });
  const sort = allowedSort(params.sort, INVOICE_SORTS, '-due_date');
  const invoices = useInvoices({
    client_id: clientId,
    sort,
    page: params.page,
    page_size: params.pageSize,
  });
  const promises = useClientPromises(clientId);
  const outstanding = useInvoices({ client_id: clientId, status: ['open', 'partially_paid', 'overdue'], page_size: 200 });

  if (query.isPending) return <PageLoader />;
  if (query.isError)
    return (
      <QueryError
        error={query.error}
        onRetry={() => void query.refetch()}
        notFound={NOT_FOUND}
      />
    );

  const client = query.data;
  const totals = sumByCurrency(outstanding.data?.items ?? [], (i) => ({ amount: i.balance, currency: i.currency }));
  const newInvoiceUrl = `/invoices/new?client_id=${client.id}`;

  const onDelete = async () => {
    try {
      await remove.mutateAsync(client.id);
      notifications.show({ color: 'teal', message: `${client.name} was deleted.` });
      navigate('/clients', { replace: true });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t delete the client', message: errorMessage(error) });
    }
  };

  return (
    <>
      <PageHeader
        title={client.name}
        description={client.company ?? undefined}
        breadcrumbs={[{ label: 'Clients', to: '/clients' }]}
        badge={
          client.reminders_paused ? (
            <Badge color="orange" variant="light" radius="sm" style={{ textTransform: 'none' }}>
              Reminders paused
            </Badge>
          ) : null
        }
        actions={
          <>
            <PauseRemindersButton client={client} />
            <Button component={Link} to={newInvoiceUrl} leftSection={<IconPlus size={16} />}>
              New invoice
            </Button>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="default" size="lg" aria-label="More actions">
                  <IconDots size={18} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={Link} to={`/clients/${client.id}/edit`} leftSection={<IconEdit size={16} />}>
                  Edit client
                </Menu.Item>
                <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={confirm.open}>
                  Delete client
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </>
        }
      />

      {client.reminders_paused && (
        <Alert color="orange" variant="light" icon={<IconPlayerPause size={18} />} mb="lg">
          No reminders go to {client.name}
          {client.reminders_paused_until ? ` until ${formatDate(client.reminders_paused_until)}` : ' until you resume them'}.
        </Alert>
      )}

      {client.reminders_stopped_reason && (
        <Alert color="red" variant="light" icon={<IconMailOff size={18} />} mb="lg" title="Automatic reminders stopped">
          {client.reminders_stopped_reason}
        </Alert>
      )}

      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="sm">
            <Group justify="space-between">
              <Title order={2} fz="lg" fw={600}>
                Invoices
              </Title>
            </Group>
            <InvoicesTable
              label={`Invoices for ${client.name}`}
              hideClient
              data={invoices.data?.items}
              isLoading={invoices.isPending}
              error={invoices.error}
              onRetry={() => void invoices.refetch()}
              sort={parseSort(sort)}
              onSortChange={(next) => update({ sort: formatSort(next) })}
              skeletonRows={3}
              pagination={pagination(invoices.data?.total)}
              empty={{
                icon: <IconFileInvoice size={26} />,
                title: `No invoices for ${client.name} yet`,
                description: 'Add an invoice and DueSpark will remind them before and after it’s due.',
                action: (
                  <Button component={Link} to={newInvoiceUrl} leftSection={<IconPlus size={16} />}>
                    New invoice
                  </Button>
                ),
              }}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="lg">
            <Paper withBorder p="lg">
              <Text size="xs" c="dimmed" fw={500} tt="uppercase" mb={6} style={{ letterSpacing: '0.03em' }}>
                Outstanding
              </Text>
              {outstanding.isPending ? (
                <Skeleton h={30} w="60%" />
              ) : outstanding.isError ? (
                <InlineError error={outstanding.error} onRetry={() => void outstanding.refetch()} />
              ) : totals.length === 0 ? (
                <Text fw={600} fz="xl">
                  Nothing owed
                </Text>
              ) : (
                <Stack gap={4}>
                  {totals.map((t) => (
                    <Group key={t.currency} justify="space-between" gap="xs">
                      <Money amount={t.amount} currency={t.currency} fz="xl" fw={650} />
                      <Text size="xs" c="dimmed">
                        {t.count} {t.count === 1 ? 'invoice' : 'invoices'}
                      </Text>
                    </Group>
                  ))}
                </Stack>
              )}
            </Paper>
            <ClientInsightsCard clientId={client.id} />
            <ClientPolicyCard clientId={client.id} />
            <Paper withBorder p="lg">
              <Group justify="space-between" mb="md">
                <Text fw={600}>Details</Text>
                <Anchor component={Link} to={`/clients/${client.id}/edit`} size="sm">
                  Edit
                </Anchor>
              </Group>
              <DetailList
                cols={1}
                items={[
                  { label: 'Email', value: client.email ? <Anchor href={`mailto:${client.email}`}>{client.email}</Anchor> : 'No email — reminders can’t be sent' },
                  { label: 'Type', value: TYPE_LABEL[client.client_type] ?? client.client_type },
                  { label: 'Timezone', value: timezoneName(client.timezone) ?? 'Account default' },
                  { label: 'Language', value: languageName(client.locale) ?? 'Account default' },
                  { label: 'Client since', value: formatDate(client.created_at) },
                  ...(promises.data && promises.data.kept + promises.data.missed + promises.data.open > 0
                    ? [
                        {
                          label: 'Promises to pay',
                          value: promises.data.adaptation ? (
                            <Stack gap={2}>
                              <span>{describePromises(promises.data)}</span>
                              <Text size="xs" c="orange.9" data-testid="promise-adaptation">
                                {promises.data.adaptation}
                              </Text>
                            </Stack>
                          ) : (
                            describePromises(promises.data)
                          ),
                        },
                      ]
                    : []),
                  ...(client.notes ? [{ label: 'Notes', value: <span style={{ whiteSpace: 'pre-wrap' }}>{client.notes}</span> }] : []),
                ]}
              />
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>

      <ConfirmModal
        opened={confirmOpen}
        onClose={confirm.close}
        onConfirm={onDelete}
        loading={remove.isPending}
        title={`Delete ${client.name}?`}
        confirmLabel="Delete client"
      >
        The client disappears from your lists and no more reminders are sent to them. Their existing invoices are kept
        for your records.
      </ConfirmModal>
    </>
  );
}
