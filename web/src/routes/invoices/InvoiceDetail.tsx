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
import { useState } from 'react';
import { notifications } from '@mantine/notifications';
import { IconBan, IconCash, IconDots, IconEdit, IconEye } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { Id, Invoice } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { DetailList } from '@/components/ui/DetailList';
import { Money } from '@/components/ui/Money';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, NotFoundState, PageLoader, QueryError } from '@/components/ui/QueryStates';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useClient } from '@/features/clients/hooks/queries';
import { InvoiceAnswers } from '@/features/answers/components/InvoiceAnswers';
import { GetPaidCard } from '@/features/invoices/components/GetPaidCard';
import { NextEmailDialog } from '@/features/invoices/components/NextEmailDialog';
import { RecordPaymentModal } from '@/features/invoices/components/RecordPaymentModal';
import { InvoiceActivity } from '@/features/reminders/components/InvoiceActivity';
import { usePaymentLink, usePrediction } from '@/features/reminders/hooks/queries';
import { useAccount } from '@/features/settings/hooks/queries';
import { LateFeesCard } from '@/features/invoices/components/LateFeesCard';
import { DocumentsCard } from '@/features/documents/components/DocumentsCard';
import { useInvoice, usePayments, useVoidInvoice } from '@/features/invoices/hooks/queries';
import { describeDue, formatDate } from '@/lib/dates';
import { parseId } from '@/lib/ids';
import { isZero, toMinorUnits } from '@/lib/money';
import { paymentMethodLabel } from '@/lib/display';

const PAYABLE = new Set(['open', 'partially_paid', 'overdue']);

function paidPercent(invoice: Invoice): number {
  try {
    // Of what is owed in all, late fees included.
    const total = toMinorUnits(invoice.total, invoice.currency);
    if (total <= 0n) return 0;
    const paid = toMinorUnits(invoice.amount_paid || '0', invoice.currency);
    return Number((paid * 1000n) / total) / 10;
  } catch {
    return 0;
  }
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
  const [previewOpen, setPreviewOpen] = useState(false);
  const client = useClient(query.data?.client_id);
  const account = useAccount();
  const open = query.data !== undefined && PAYABLE.has(query.data.status);
  const paymentLink = usePaymentLink(invoiceId, query.data !== undefined && query.data.status !== 'void');
  // Clicks stay in the activity feed after payment; the card to copy the link is for unpaid invoices.
  const prediction = usePrediction(invoiceId, open);

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
  const hasFees = !isZero(invoice.fees || '0', invoice.currency);

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
            <Anchor component={Link} to={`/clients/${invoice.client_id}`} size="sm" underline="always">
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
              <Button variant="default" leftSection={<IconEye size={16} />} onClick={() => setPreviewOpen(true)}>
                Preview email
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
                    {hasFees ? 'Total' : 'Amount'}
                  </Text>
                  <Money amount={hasFees ? invoice.total : invoice.amount} currency={invoice.currency} fz={22} fw={650} />
                  {hasFees && (
                    <Text size="xs" c="dimmed">
                      <Money amount={invoice.amount} currency={invoice.currency} /> + <Money amount={invoice.fees} currency={invoice.currency} /> late
                      fees
                    </Text>
                  )}
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

            {hasFees && <LateFeesCard invoice={invoice} />}

            <DocumentsCard invoiceId={invoice.id} />

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
                          <Table.Td visibleFrom="sm">{paymentMethodLabel(payment.method)}</Table.Td>
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

            <InvoiceActivity
              invoice={invoice}
              payments={payments.data}
              paymentLink={paymentLink.data}
              timeZone={client.data?.timezone ?? account.data?.timezone ?? 'UTC'}
            />
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="lg">
          <InvoiceAnswers invoiceId={invoice.id} />
          {payable && (
            <GetPaidCard
              invoice={invoice}
              link={paymentLink.data}
              linkError={paymentLink.error}
              onRetryLink={() => void paymentLink.refetch()}
              prediction={prediction.data}
            />
          )}
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
                    <Anchor component={Link} to={`/clients/${invoice.client_id}`} underline="always">
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
          </Stack>
        </Grid.Col>
      </Grid>

      {payable && <RecordPaymentModal invoice={invoice} opened={payOpen} onClose={pay.close} />}
      {editable && (
        <NextEmailDialog
          invoice={invoice}
          opened={previewOpen}
          onClose={() => setPreviewOpen(false)}
          timeZone={client.data?.timezone ?? account.data?.timezone ?? 'UTC'}
        />
      )}
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
