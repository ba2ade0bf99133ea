import { Anchor, Box, Button, Grid, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconPlus, IconUpload } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Invoice } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { AnswersSummary } from '@/features/answers/components/AnswersSummary';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, QueryError } from '@/components/ui/QueryStates';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { useMe } from '@/features/auth/hooks/queries';
import { useClients } from '@/features/clients/hooks/queries';
import { CurrencySection } from '@/features/dashboard/components/CurrencySection';
import { MonthlyChart } from '@/features/dashboard/components/MonthlyChart';
import { orderCurrencies } from '@/features/dashboard/currencies';
import { NextReminders } from '@/features/dashboard/components/NextReminders';
import { OnboardingChecklist } from '@/features/dashboard/components/OnboardingChecklist';
import { useInsightsSummary } from '@/features/dashboard/hooks/queries';
import { usePaymentSetup } from '@/features/settings/hooks/paymentSetup';
import { useAccount } from '@/features/settings/hooks/queries';
import { useTemplateCatalog } from '@/features/templates/hooks/queries';
import { useInvoices } from '@/features/invoices/hooks/queries';
import { describeDue } from '@/lib/dates';


function greeting(name: string | undefined) {
  const hour = new Date().getHours();
  const part = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
  return name ? `${part}, ${name.split(' ')[0]}` : part;
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

export default function Dashboard() {
  const me = useMe();
  const account = useAccount();
  const paymentSetup = usePaymentSetup(Boolean(account.data?.test_mode));
  const summary = useInsightsSummary();
  const anyInvoice = useInvoices({ page: 1, page_size: 1 });
  const anyClient = useClients({ page: 1, page_size: 1 });
  const templates = useTemplateCatalog();
  const overdue = useInvoices({ status: ['overdue'], sort: 'due_date', page: 1, page_size: 5 });

  const hasInvoice = (anyInvoice.data?.total ?? 0) > 0;
  const defaultCurrency = me.data?.account.default_currency ?? account.data?.default_currency;
  // Which currency leads needs the account's default: /me and the summary are asked for together.
  const currencyKnown = defaultCurrency !== undefined || me.isError;
  const mainCurrency = summary.data ? orderCurrencies(summary.data.currencies, defaultCurrency).main?.currency : undefined;
  const previewed =
    (templates.data?.keys.some((k) => k.custom_locales.length > 0) ?? false) || (summary.data?.reminders_sent_this_month ?? 0) > 0;

  const checklist = account.data?.test_mode && anyClient.data && anyInvoice.data && (
    <OnboardingChecklist account={account.data} hasClient={anyClient.data.total > 0} hasInvoice={hasInvoice} previewed={previewed} canBePaid={paymentSetup.data?.has_way_to_pay ?? false} />
  );
  // With figures to show, they come first (the checklist follows); a new account sees where to start first.
  const hasFigures = (summary.data?.currencies.length ?? 0) > 0;

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

      <Stack gap="lg">
        {!hasFigures && checklist}
        {summary.isError ? (
          <Paper withBorder>
            <QueryError error={summary.error} onRetry={() => void summary.refetch()} />
          </Paper>
        ) : summary.isPending || !currencyKnown ? (
          <Skeleton h={260} />
        ) : summary.data.currencies.length === 0 ? (
          hasInvoice && (
            <Paper withBorder p="lg">
              <Group gap="xs">
                <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" aria-hidden />
                <Text size="sm">Nothing outstanding: every invoice is paid.</Text>
              </Group>
            </Paper>
          )
        ) : (
          <CurrencySection summary={summary.data} defaultCurrency={defaultCurrency} />
        )}

        {hasFigures && checklist}

        <AnswersSummary />

        {mainCurrency && currencyKnown && <MonthlyChart currency={mainCurrency} />}

        {hasInvoice && (
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
              <NextReminders />
            </Grid.Col>
          </Grid>
        )}
      </Stack>
    </>
  );
}
