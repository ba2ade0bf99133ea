import {
  ActionIcon,
  Anchor,
  Button,
  Grid,
  Group,
  Menu,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconBan,
  IconCash,
  IconCircleCheck,
  IconDots,
  IconEdit,
  IconFilePlus,
} from '@tabler/icons-react';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { Id, Invoice, Payment } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { DetailList } from '@/components/ui/DetailList';
import { Money } from '@/components/ui/Money';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, NotFoundState, PageLoader, QueryError } from '@/components/ui/QueryStates';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { Timeline, type TimelineEvent } from '@/components/ui/Timeline';
import { RecordPaymentModal } from '@/features/invoices/components/RecordPaymentModal';
import { useInvoice, usePayments, useVoidInvoice } from '@/features/invoices/hooks/queries';
import { describeDue, formatDate } from '@/lib/dates';
import { parseId } from '@/lib/ids';
import { formatMoney, toMinorUnits } from '@/lib/money';

const PAYABLE = new Set(['open', 'partially_paid', 'overdue']);

function paidPercent(invoice: Invoice): number {
  try {
    const total = toMinorUnits(invoice.amount, invoice.currency);
    if (total <= 0n) return 0;
    const paid = toMinorUnits(invoice.amount_paid || '0', invoice.currency);
    return Number((paid * 1000n) / total) / 10;
  } catch {
    return 0;
  }
}

function buildEvents(invoice: Invoice, payments: Payment[]): TimelineEvent[] {
  const events: TimelineEvent[] = [
    {
      id: 'created',
      icon: <IconFilePlus size={15} />,
      color: 'gray',
      actor: 'You',
      action: `created the invoice for ${formatMoney(invoice.amount, invoice.currency)}`,
      at: invoice.created_at,
    },
    ...payments.map((payment) => ({
      id: `payment-${payment.id}`,
      icon: <IconCash size={15} />,
      color: 'teal',
      actor: 'You',
      action: `recorded a payment of ${formatMoney(payment.amount, payment.currency ?? invoice.currency)}`,
      at: payment.paid_at,
      detail: [payment.reference, payment.note].filter(Boolean).join(' · ') || undefined,
    })),
  ];
  if (invoice.paid_at) {
    events.push({ id: 'paid', icon: <IconCircleCheck size={15} />, color: 'teal', actor: 'DueSpark', action: 'marked it paid in full', at: invoice.paid_at });
  }
  if (invoice.voided_at) {
    events.push({ id: 'void', icon: <IconBan size={15} />, color: 'red', actor: 'You', action: 'voided the invoice', at: invoice.voided_at });
  }
  // Newest first; at the same instant the later step first (paid in full above the payment that did it).
  return events
    .map((event, order) => ({ event, order, time: Date.parse(event.at) }))
    .sort((a, b) => b.time - a.time || b.order - a.order)
    .map(({ event }) => event);
}

const NOT_FOUND = { what: 'invoice', backTo: '/invoices', backLabel: 'Back to invoices' } as const;

export default function InvoiceDetailRoute() {
  const invoiceId = parseId(useParams().invoiceId);
  if (invoiceId === undefined) return <NotFoundState {...NOT_FOUND} />;
  return <InvoiceDetail invoiceId={invoiceId} />;
}

function InvoiceDetail({ invoiceId }: { invoiceId: Id }) {
  const query = useInvoice(invoiceId);
  const payments = usePayments(invoiceId);
  const voidInvoice = useVoidInvoice(invoiceId);
  const [payOpen, pay] = useDisclosure(false);
  const [voidOpen, voidModal] = useDisclosure(false);
  const events = useMemo(
    () => (query.data ? buildEvents(query.data, payments.data ?? []) : []),
    [query.data, payments.data],
  );

  if (query.isPending) return <PageLoader />;
  if (query.isError)
    return (
      <QueryError
        error={query.error}
        onRetry={() => void query.refetch()}
        notFound={NOT_FOUND}
      />
    );

  const invoice = query.data;
  const payable = PAYABLE.has(invoice.status);
  const editable = invoice.status !== 'paid' && invoice.status !== 'void';
  const percent = paidPercent(invoice);

  const onVoid = async () => {
    try {
      await voidInvoice.mutateAsync();
      voidModal.close();
      notifications.show({ color: 'gray', message: `Invoice ${invoice.number} is void. No more reminders will be sent.` });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t void the invoice', message: errorMessage(error) });
    }
  };

  return (
    <>
      <PageHeader
        title={`Invoice ${invoice.number}`}
        badge={<StatusBadge status={invoice.status} size="md" />}
        description={
          <>
            Billed to{' '}
            <Anchor component={Link} to={`/clients/${invoice.client_id}`} size="sm">
              {invoice.client_name}
            </Anchor>
          </>
        }
        breadcrumbs={[{ label: 'Invoices', to: '/invoices' }]}
        actions={
          <>
            {editable && (
              <Button component={Link} to={`/invoices/${invoice.id}/edit`} variant="default" leftSection={<IconEdit size={16} />}>
                Edit
              </Button>
            )}
            {payable && (
              <Button leftSection={<IconCash size={16} />} onClick={pay.open}>
                Record payment
              </Button>
            )}
            {editable && (
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="default" size="lg" aria-label="More actions">
                    <IconDots size={18} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item color="red" leftSection={<IconBan size={16} />} onClick={voidModal.open}>
                    Void invoice
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </>
        }
      />

      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="lg">
            <Paper withBorder p="lg">
              <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="lg">
                <div>
                  <Text size="xs" c="dimmed" fw={500} tt="uppercase">
                    Amount
                  </Text>
                  <Money amount={invoice.amount} currency={invoice.currency} fz={22} fw={650} />
                </div>
                <div>
                  <Text size="xs" c="dimmed" fw={500} tt="uppercase">
                    Paid
                  </Text>
                  <Money amount={invoice.amount_paid} currency={invoice.currency} fz={22} fw={650} c="teal.9" />
                </div>
                <div>
                  <Text size="xs" c="dimmed" fw={500} tt="uppercase">
                    Balance due
                  </Text>
                  <Money
                    amount={invoice.status === 'void' ? '0' : invoice.balance}
                    currency={invoice.currency}
                    fz={22}
                    fw={650}
                    c={invoice.status === 'overdue' ? 'red.9' : undefined}
                    data-testid="invoice-balance"
                  />
                </div>
              </SimpleGrid>
              {invoice.status !== 'void' && (
                <Tooltip label={`${percent}% paid`}>
                  <Progress
                    value={percent}
                    color="teal"
                    size="sm"
                    mt="lg"
                    radius="xl"
                    aria-label={`${percent}% paid`}
                  />
                </Tooltip>
              )}
              {PAYABLE.has(invoice.status) && (
                <Text size="sm" c={invoice.status === 'overdue' ? 'red.9' : 'dimmed'} mt="sm">
                  {describeDue(invoice.due_date)} · {formatDate(invoice.due_date)}
                </Text>
              )}
            </Paper>

            <Paper withBorder p="lg">
              <Title order={2} fz="md" fw={600} mb="md">
                Payments
              </Title>
              {payments.isPending ? (
                <Text c="dimmed" size="sm">
                  Loading payments…
                </Text>
              ) : payments.isError ? (
                <InlineError error={payments.error} onRetry={() => void payments.refetch()} />
              ) : payments.data.length === 0 ? (
                <Group justify="space-between">
                  <Text c="dimmed" size="sm">
                    No payments recorded yet.
                  </Text>
                  {payable && (
                    <Button variant="light" size="xs" onClick={pay.open}>
                      Record payment
                    </Button>
                  )}
                </Group>
              ) : (
                <Table.ScrollContainer minWidth={0} type="native">
                  <Table verticalSpacing="xs" aria-label="Payments">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Date</Table.Th>
                        <Table.Th visibleFrom="sm">Method</Table.Th>
                        <Table.Th>Reference</Table.Th>
                        <Table.Th ta="right">Amount</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {payments.data.map((payment) => (
                        <Table.Tr key={payment.id}>
                          <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(payment.paid_at)}</Table.Td>
                          <Table.Td visibleFrom="sm">{payment.method === 'manual' ? 'Manual' : payment.method === 'other' ? 'Other' : payment.method}</Table.Td>
                          <Table.Td>{payment.reference ?? '—'}</Table.Td>
                          <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                            <Money amount={payment.amount} currency={payment.currency ?? invoice.currency} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Paper>

            <Paper withBorder p="lg">
              <Title order={2} fz="md" fw={600} mb="md">
                Activity
              </Title>
              <Timeline events={events} />
            </Paper>
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="lg">
            <Title order={2} fz="md" fw={600} mb="md">
              Details
            </Title>
            <DetailList
              cols={1}
              items={[
                {
                  label: 'Client',
                  value: (
                    <Anchor component={Link} to={`/clients/${invoice.client_id}`}>
                      {invoice.client_name}
                    </Anchor>
                  ),
                },
                { label: 'Issued', value: formatDate(invoice.issue_date) },
                { label: 'Due', value: formatDate(invoice.due_date) },
                ...(invoice.paid_at ? [{ label: 'Paid on', value: formatDate(invoice.paid_at) }] : []),
                ...(invoice.voided_at ? [{ label: 'Voided on', value: formatDate(invoice.voided_at) }] : []),
                { label: 'Currency', value: invoice.currency },
                ...(invoice.description
                  ? [{ label: 'Description', value: <span style={{ whiteSpace: 'pre-wrap' }}>{invoice.description}</span> }]
                  : []),
              ]}
            />
          </Paper>
        </Grid.Col>
      </Grid>

      {payable && <RecordPaymentModal invoice={invoice} opened={payOpen} onClose={pay.close} />}
      <ConfirmModal
        opened={voidOpen}
        onClose={voidModal.close}
        onConfirm={onVoid}
        loading={voidInvoice.isPending}
        title={`Void invoice ${invoice.number}?`}
        confirmLabel="Void invoice"
      >
        Voiding cancels the invoice: it stops counting toward what you’re owed and no more reminders are sent. This
        can’t be undone.
      </ConfirmModal>
    </>
  );
}
