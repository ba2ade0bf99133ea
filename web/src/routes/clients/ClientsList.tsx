import { Anchor, Badge, Button, Group, SegmentedControl, Text, Tooltip } from '@mantine/core';
import { IconPlayerPause, IconPlus, IconUsers } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { CLIENT_SORTS, type ClientListItem } from '@/api/types';
import { Money } from '@/components/ui/Money';
import { RATING_LOOK } from '@/features/clients/hooks/insights';
import { describeOverdueDays, otherCurrenciesLine } from '@/features/clients/worklist';
import { isZero } from '@/lib/money';
import { DataTable, RowLink } from '@/components/ui/DataTable';
import { PageHeader } from '@/components/ui/PageHeader';
import { SearchInput } from '@/components/ui/SearchInput';
import { useClients } from '@/features/clients/hooks/queries';
import { formatDate } from '@/lib/dates';
import { allowedSort, formatSort, parseSort, useListParams } from '@/lib/useListParams';


const column = createColumnHelper<ClientListItem>();

const OWES_MOST = '-outstanding';

export default function ClientsList() {
  const { params, update, pagination } = useListParams({ sort: 'name' });
  const sort = allowedSort(params.sort, CLIENT_SORTS, 'name');
  const query = useClients({ q: params.q, sort, page: params.page, page_size: params.pageSize });

  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'Name',
        enableSorting: true,
        cell: ({ row }) => (
          <div>
            <RowLink to={`/clients/${row.original.id}`}>{row.original.name}</RowLink>
            {row.original.company && (
              <Text size="xs" c="dimmed">
                {row.original.company}
              </Text>
            )}
          </div>
        ),
      }),
      column.accessor('outstanding', {
        header: 'Outstanding',
        enableSorting: true,
        meta: { align: 'right' },
        cell: ({ row }) => <OwedAmounts client={row.original} field="outstanding" />,
      }),
      column.accessor('overdue', {
        header: 'Overdue',
        enableSorting: true,
        meta: { align: 'right', visibleFrom: 'sm' },
        cell: ({ row }) => <OwedAmounts client={row.original} field="overdue" />,
      }),
      column.accessor('oldest_overdue_days', {
        id: 'oldest_overdue',
        header: 'Oldest overdue',
        enableSorting: true,
        meta: { align: 'right', visibleFrom: 'sm' },
        cell: ({ getValue }) => (
          <Text size="sm" c={getValue() === null ? 'dimmed' : undefined}>
            {describeOverdueDays(getValue())}
          </Text>
        ),
      }),
      column.accessor('payer_rating', {
        header: 'Pays',
        meta: { visibleFrom: 'md', width: 150 },
        cell: ({ getValue }) => (
          <Badge color={RATING_LOOK[getValue()].color} variant="light" radius="sm" style={{ textTransform: 'none' }}>
            {RATING_LOOK[getValue()].label}
          </Badge>
        ),
      }),
      column.accessor('reminders_paused', {
        header: 'Reminders',
        meta: { visibleFrom: 'lg' },
        cell: ({ row }) =>
          row.original.reminders_paused ? (
            <Tooltip
              label={
                row.original.reminders_paused_until
                  ? `Paused until ${formatDate(row.original.reminders_paused_until)}`
                  : 'Paused until you resume them'
              }
            >
              <Badge color="orange" variant="light" radius="sm" leftSection={<IconPlayerPause size={12} />} tabIndex={0} style={{ textTransform: 'none' }}>
                Paused
              </Badge>
            </Tooltip>
          ) : (
            <Badge color="teal" variant="dot" radius="sm" style={{ textTransform: 'none' }}>
              Active
            </Badge>
          ),
      }),
      column.accessor('created_at', {
        header: 'Added',
        enableSorting: true,
        meta: { visibleFrom: 'lg', align: 'right' },
        cell: ({ getValue }) => (
          <Text size="sm" c="dimmed">
            {formatDate(getValue())}
          </Text>
        ),
      }),
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Clients"
        description="The people and companies you invoice."
        actions={
          <Button component={Link} to="/clients/new" leftSection={<IconPlus size={16} />}>
            New client
          </Button>
        }
      />
      <DataTable
        label="Clients"
        columns={columns}
        data={query.data?.items}
        isLoading={query.isPending}
        error={query.error}
        onRetry={() => void query.refetch()}
        getRowId={(client) => client.id}
        sort={parseSort(sort)}
        onSortChange={(next) => update({ sort: formatSort(next) })}
        pagination={pagination(query.data?.total)}
        renderCard={(client) => <ClientCard client={client} />}
        toolbar={
          <Group gap="sm" justify="space-between">
            <SearchInput label="Search clients" placeholder="Name, email or company" value={params.q} onChange={(q) => update({ q })} />
            <SegmentedControl
              size="xs"
              aria-label="Order clients"
              value={sort === OWES_MOST ? OWES_MOST : sort === 'name' ? 'name' : 'other'}
              onChange={(value) => update({ sort: value === 'name' ? null : value })}
              data={[
                { value: 'name', label: 'A–Z' },
                { value: OWES_MOST, label: 'Who owes most' },
                ...(sort !== OWES_MOST && sort !== 'name' ? [{ value: 'other', label: 'Custom', disabled: true }] : []),
              ]}
            />
            {query.data && (
              <Text size="sm" c="dimmed">
                {query.data.total.toLocaleString()} {query.data.total === 1 ? 'client' : 'clients'}
              </Text>
            )}
          </Group>
        }
        empty={
          params.q
            ? {
                icon: <IconUsers size={26} />,
                title: `No clients match “${params.q}”`,
                description: 'Try another name or email.',
                action: (
                  <Anchor component="button" type="button" onClick={() => update({ q: null })}>
                    Clear search
                  </Anchor>
                ),
              }
            : {
                icon: <IconUsers size={26} />,
                title: 'Add your first client',
                description: 'Clients receive your invoices and the reminders DueSpark sends on your behalf.',
                action: (
                  <Button component={Link} to="/clients/new" leftSection={<IconPlus size={16} />}>
                    New client
                  </Button>
                ),
              }
        }
      />
    </>
  );
}

/** A client at phone width: name, what they owe, how late, and the way to their invoices. */
function ClientCard({ client }: { client: ClientListItem }) {
  const owes = client.open_invoices > 0 || client.other_currencies.length > 0;
  return (
    <div data-testid="client-card">
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <RowLink to={`/clients/${client.id}`}>{client.name}</RowLink>
          <Text size="xs" c="dimmed">
            {[
              // open_invoices counts the account's currency only: left out when the client is billed in others.
              client.open_invoices > 0 ? `${client.open_invoices} open ${client.open_invoices === 1 ? 'invoice' : 'invoices'}` : null,
              client.oldest_overdue_days !== null ? `oldest ${describeOverdueDays(client.oldest_overdue_days)}` : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </div>
        <div style={{ textAlign: 'right', flexShrink: 0 }}>
          <OwedAmounts client={client} field="outstanding" />
          {(!isZero(client.overdue, client.currency) || client.other_currencies.some((b) => !isZero(b.overdue, b.currency))) && (
            <Text size="xs" c="red.9" component="div">
              overdue: <OwedAmounts client={client} field="overdue" />
            </Text>
          )}
        </div>
      </Group>
      <Group gap="xs" mt={6} justify="space-between">
        <Badge color={RATING_LOOK[client.payer_rating].color} variant="light" radius="sm" style={{ textTransform: 'none' }}>
          {RATING_LOOK[client.payer_rating].label}
        </Badge>
        {owes && (
          <Anchor component={Link} to={`/invoices?client_id=${client.id}&tab=unpaid`} size="xs">
            Unpaid invoices
          </Anchor>
        )}
      </Group>
    </div>
  );
}

/**
 * What a client owes in the account's currency, or, when they owe nothing in it, in the currencies they do owe
 * in (a client billed in dollars in a euro account is not "€0.00"). "—" when nothing at all.
 */
function OwedAmounts({ client, field }: { client: ClientListItem; field: 'outstanding' | 'overdue' }) {
  const color = field === 'overdue' ? 'red.9' : undefined;
  const others = client.other_currencies.filter((b) => !isZero(b[field], b.currency));
  if (isZero(client[field], client.currency) && others.length > 0) {
    return (
      <div>
        {others.map((b) => (
          <div key={b.currency}>
            <Money amount={b[field]} currency={b.currency} size="sm" fw={field === 'outstanding' ? 500 : undefined} c={color} />
          </div>
        ))}
      </div>
    );
  }
  if (isZero(client[field], client.currency)) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <div>
      <Money amount={client[field]} currency={client.currency} size="sm" fw={field === 'outstanding' ? 500 : undefined} c={color} />
      {field === 'outstanding' && others.length > 0 && (
        <Text size="xs" c="dimmed">
          {otherCurrenciesLine(others)}
        </Text>
      )}
    </div>
  );
}
