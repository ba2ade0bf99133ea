import { Anchor, Badge, Tabs, Text } from '@mantine/core';
import { IconBellCheck } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import type { ReminderListItem, ReminderListQuery } from '@/api/types';
import { DataTable, RowLink } from '@/components/ui/DataTable';
import { ListTabs } from '@/components/ui/ListTabs';
import { PageHeader } from '@/components/ui/PageHeader';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { reminderTone } from '@/features/invoices/activity';
import { useReminderList } from '@/features/reminders/hooks/queries';
import { useListParams } from '@/lib/useListParams';

interface ReminderTab {
  value: string;
  label: string;
  query: Pick<ReminderListQuery, 'state' | 'sort'>;
  /** Which instant the "When" column shows. */
  when: (reminder: ReminderListItem) => string;
  empty: string;
}

const TABS: ReminderTab[] = [
  {
    value: 'upcoming',
    label: 'Upcoming',
    query: { state: ['pending', 'sending'], sort: 'scheduled_for' },
    when: (r) => r.next_attempt_at ?? r.scheduled_for,
    empty: 'Nothing planned. Reminders appear here as soon as an unpaid invoice has a due date.',
  },
  {
    value: 'sent',
    label: 'Sent',
    query: { state: ['sent'], sort: '-sent_at' },
    when: (r) => r.sent_at ?? r.scheduled_for,
    empty: 'No reminder has gone out yet.',
  },
  {
    value: 'failed',
    label: 'Failed',
    query: { state: ['failed'], sort: '-scheduled_for' },
    when: (r) => r.updated_at,
    empty: 'No failed reminders.',
  },
  {
    value: 'stopped',
    label: 'Canceled or skipped',
    query: { state: ['canceled', 'skipped'], sort: '-scheduled_for' },
    when: (r) => r.scheduled_for,
    empty: 'No canceled or skipped reminders.',
  },
];

const column = createColumnHelper<ReminderListItem>();

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function columnsFor(tab: ReminderTab) {
  return [
    column.accessor('invoice_number', {
      header: 'Invoice',
      cell: ({ row }) => (
        <div>
          <RowLink to={`/invoices/${row.original.invoice_id}`}>{row.original.invoice_number}</RowLink>
          <Text size="xs" c="dimmed" truncate maw={220}>
            <Anchor component={Link} to={`/clients/${row.original.client_id}`} c="dimmed" inherit data-row-action>
              {row.original.client_name}
            </Anchor>
          </Text>
        </div>
      ),
    }),
    column.accessor('template_key', {
      header: 'Reminder',
      cell: ({ row }) => (
        <Text size="sm">
          {capitalized(reminderTone(row.original))}
          {row.original.is_test && (
            <Badge ml="xs" size="xs" variant="light" color="gray">
              test
            </Badge>
          )}
        </Text>
      ),
    }),
    column.display({
      id: 'when',
      header: 'When',
      cell: ({ row }) => (
        <Text size="sm">
          <RelativeTime value={tab.when(row.original)} />
        </Text>
      ),
    }),
    column.accessor('explanation', {
      header: 'Why',
      meta: { visibleFrom: 'sm' },
      cell: ({ getValue }) => (
        <Text size="xs" c="dimmed" lineClamp={2} maw={360}>
          {getValue() ?? ''}
        </Text>
      ),
    }),
  ];
}

/** Every reminder of the account: what goes out next, what went out, what failed and why. */
export default function Reminders() {
  const { params, searchParams, update, pagination } = useListParams({ sort: 'scheduled_for' });
  const tab = TABS.find((t) => t.value === searchParams.get('tab')) ?? TABS[0]!;
  const query = useReminderList({ ...tab.query, page: params.page, page_size: params.pageSize });

  return (
    <>
      <PageHeader title="Reminders" description="What goes out next, what went out, and what needs a look." />
      <Tabs value={tab.value} onChange={(value) => update({ tab: value === TABS[0]!.value ? null : value })} aria-label="Reminder state">
        <ListTabs tabs={TABS} alert="failed" />
        {TABS.map((t) => (
          <Tabs.Panel key={t.value} value={t.value}>
            {t.value === tab.value && (
              <DataTable
                label={`${t.label} reminders`}
                columns={columnsFor(t)}
                data={query.data?.items}
                isLoading={query.isPending}
                error={query.error}
                onRetry={() => void query.refetch()}
                getRowId={(r) => r.id}
                empty={{ icon: <IconBellCheck size={28} />, title: t.empty }}
                pagination={pagination(query.data?.total)}
              />
            )}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
