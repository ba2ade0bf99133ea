import { Alert, Anchor, Box, Button, Grid, Group, Paper, SimpleGrid, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBuildingStore,
  IconCalendarDue,
  IconCircleCheck,
  IconFileInvoice,
  IconPlus,
  IconUpload,
  IconUserPlus,
} from '@tabler/icons-react';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Invoice } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, QueryError } from '@/components/ui/QueryStates';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useMe } from '@/features/auth/hooks/queries';
import { useDashboardSummary, type CurrencyTotals } from '@/features/dashboard/hooks/queries';
import { useInvoices } from '@/features/invoices/hooks/queries';
import { addDaysISO, describeDue, todayISO } from '@/lib/dates';
import { isZero } from '@/lib/money';

const AgingChart = lazy(() => import('@/features/dashboard/components/AgingChart').then((m) => ({ default: m.AgingChart })));

function greeting(name: string | undefined) {
  const hour = new Date().getHours();
  const part = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
  return name ? `${part}, ${name.split(' ')[0]}` : part;
}

function TotalCard({ label, icon, color, rows, pick, count, loading }: {
  label: string;
  icon: ReactNode;
  color: string;
  rows: CurrencyTotals[];
  pick: (row: CurrencyTotals) => string;
  count: (row: CurrencyTotals) => number | undefined;
  loading: boolean;
}) {
  return (
    <Paper withBorder p="lg">
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="dimmed" fw={500}>
          {label}
        </Text>
        <ThemeIcon variant="light" color={color} radius="md" size={30} aria-hidden>
          {icon}
        </ThemeIcon>
      </Group>
      {loading ? (
        <Skeleton h={32} w="60%" />
      ) : rows.length === 0 ? (
        <Text fz={28} fw={650} lh={1.2}>
          —
        </Text>
      ) : (
        <Stack gap={4}>
          {rows.map((row) => {
            const n = count(row);
            return (
              <Group key={row.currency} justify="space-between" align="baseline" gap="xs">
                <Money amount={pick(row)} currency={row.currency} fz={rows.length > 1 ? 22 : 28} fw={650} lh={1.2} />
                {n !== undefined && (
                  <Text size="xs" c="dimmed">
                    {n} {n === 1 ? 'invoice' : 'invoices'}
                  </Text>
                )}
              </Group>
            );
          })}
        </Stack>
      )}
    </Paper>
  );
}

function InvoiceMiniList({ title, icon, invoices, loading, error, onRetry, emptyText, viewAll }: {
  title: string;
  icon: ReactNode;
  invoices: Invoice[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  emptyText: string;
  viewAll: string;
}) {
  return (
    <Paper withBorder p="lg" h="100%">
      <Group justify="space-between" mb="md">
        <Group gap="xs">
          {icon}
          <Title order={2} fz="md" fw={600}>
            {title}
          </Title>
        </Group>
        <Anchor component={Link} to={viewAll} size="sm">
          View all
        </Anchor>
      </Group>
      {loading ? (
        <Stack gap="sm">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={36} />
          ))}
        </Stack>
      ) : error ? (
        <InlineError error={error} onRetry={onRetry} />
      ) : !invoices || invoices.length === 0 ? (
        <Group gap="xs" py="sm">
          <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" aria-hidden />
          <Text size="sm" c="dimmed">
            {emptyText}
          </Text>
        </Group>
      ) : (
        <Stack gap={0} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {invoices.map((invoice) => (
            <Group
              key={invoice.id}
              component="li"
              justify="space-between"
              wrap="nowrap"
              py="xs"
              style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
            >
              <div style={{ minWidth: 0 }}>
                <Anchor component={Link} to={`/invoices/${invoice.id}`} fw={500} size="sm" c="var(--mantine-color-text)">
                  {invoice.client_name} · {invoice.number}
                </Anchor>
                <Text size="xs" c={invoice.status === 'overdue' ? 'red.9' : 'dimmed'}>
                  {describeDue(invoice.due_date)}
                </Text>
              </div>
              <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
                <Box visibleFrom="sm">
                  <StatusBadge status={invoice.status} size="xs" />
                </Box>
                <Money amount={invoice.balance} currency={invoice.currency} size="sm" fw={600} />
              </Group>
            </Group>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function GettingStarted() {
  const steps = [
    { icon: <IconUserPlus size={18} />, title: 'Add a client', text: 'Who you bill, and where reminders go.', to: '/clients/new', cta: 'Add client' },
    { icon: <IconFileInvoice size={18} />, title: 'Add an invoice', text: 'Or import the ones you already sent.', to: '/invoices/new', cta: 'New invoice' },
    { icon: <IconBuildingStore size={18} />, title: 'Check your sender details', text: 'The name and email your clients see.', to: '/settings', cta: 'Open settings' },
  ];
  return (
    <Paper withBorder p={{ base: 'lg', sm: 'xl' }}>
      <Title order={2} fz="lg" fw={600}>
        Let’s get your first invoice paid
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        Three steps and DueSpark starts sending friendly reminders before and after due dates.
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        {steps.map((step, index) => (
          <Paper key={step.title} withBorder p="md" bg="var(--mantine-color-default-hover)">
            <Group gap="xs" mb={6}>
              <ThemeIcon variant="light" radius="xl" size={30} aria-hidden>
                {step.icon}
              </ThemeIcon>
              <Text fw={600} size="sm">
                {index + 1}. {step.title}
              </Text>
            </Group>
            <Text size="sm" c="dimmed" mb="sm">
              {step.text}
            </Text>
            <Button component={Link} to={step.to} size="xs" variant="light">
              {step.cta}
            </Button>
          </Paper>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

export default function Dashboard() {
  const me = useMe();
  const summary = useDashboardSummary();
  const anyInvoice = useInvoices({ page: 1, page_size: 1 });
  const overdue = useInvoices({ status: ['overdue'], sort: 'due_date', page: 1, page_size: 5 });
  const upcoming = useInvoices({
    status: ['open', 'partially_paid'],
    due_from: todayISO(),
    due_to: addDaysISO(7),
    sort: 'due_date',
    page: 1,
    page_size: 5,
  });

  const isNew = anyInvoice.data?.total === 0;
  const totals = summary.data?.totals ?? [];
  const overdueRows = totals.filter((t) => !isZero(t.overdue, t.currency));

  return (
    <>
      <PageHeader
        title={greeting(me.data?.name)}
        description="Here’s what your clients owe you right now."
        actions={
          <>
            <Button component={Link} to="/invoices/import" variant="default" leftSection={<IconUpload size={16} />}>
              Import
            </Button>
            <Button component={Link} to="/invoices/new" leftSection={<IconPlus size={16} />}>
              New invoice
            </Button>
          </>
        }
      />

      {isNew ? (
        <GettingStarted />
      ) : summary.isError ? (
        <Paper withBorder>
          <QueryError error={summary.error} onRetry={() => void summary.refetch()} />
        </Paper>
      ) : (
        <Stack gap="lg">
          {summary.data?.partial && (
            <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
              Totals include your first 2,000 unpaid invoices.
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
            <TotalCard
              label="Outstanding"
              icon={<IconFileInvoice size={18} />}
              color="spark"
              rows={totals}
              pick={(t) => t.outstanding}
              count={(t) => t.openCount}
              loading={summary.isPending}
            />
            <TotalCard
              label="Overdue"
              icon={<IconAlertTriangle size={18} />}
              color="red"
              rows={overdueRows}
              pick={(t) => t.overdue}
              count={(t) => t.overdueCount}
              loading={summary.isPending}
            />
          </SimpleGrid>

          <Grid gutter="lg">
            <Grid.Col span={{ base: 12, md: 6 }}>
              <InvoiceMiniList
                title="Overdue — chase these first"
                icon={<IconAlertTriangle size={18} color="var(--mantine-color-red-6)" aria-hidden />}
                invoices={overdue.data?.items}
                loading={overdue.isPending}
                error={overdue.error}
                onRetry={() => void overdue.refetch()}
                emptyText="Nothing overdue. Nice."
                viewAll="/invoices?tab=overdue&sort=due_date"
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <InvoiceMiniList
                title="Due in the next 7 days"
                icon={<IconCalendarDue size={18} color="var(--mantine-color-blue-6)" aria-hidden />}
                invoices={upcoming.data?.items}
                loading={upcoming.isPending}
                error={upcoming.error}
                onRetry={() => void upcoming.refetch()}
                emptyText="Nothing due this week."
                viewAll="/invoices?tab=unpaid&sort=due_date"
              />
            </Grid.Col>
          </Grid>

          {summary.data && summary.data.aging.length > 0 && (
            <Paper withBorder p="lg">
              <Title order={2} fz="md" fw={600} mb="md">
                Ageing of what you’re owed
              </Title>
              <Suspense fallback={<Skeleton h={220} />}>
                <AgingChart summary={summary.data} />
              </Suspense>
            </Paper>
          )}
        </Stack>
      )}
    </>
  );
}
