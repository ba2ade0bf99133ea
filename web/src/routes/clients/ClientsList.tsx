import { Anchor, Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { IconPlayerPause, IconPlus, IconUsers } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { CLIENT_SORTS, type Client } from '@/api/types';
import { DataTable, RowLink } from '@/components/ui/DataTable';
import { PageHeader } from '@/components/ui/PageHeader';
import { SearchInput } from '@/components/ui/SearchInput';
import { useClients } from '@/features/clients/hooks/queries';
import { formatDate } from '@/lib/dates';
import { allowedSort, formatSort, parseSort, useListParams } from '@/lib/useListParams';

const TYPE_LABEL: Record<Client['client_type'], string> = {
  individual: 'Individual',
  business: 'Business',
  enterprise: 'Enterprise',
};

const column = createColumnHelper<Client>();

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
      column.accessor('email', {
        header: 'Email',
        meta: { visibleFrom: 'sm' },
        cell: ({ getValue }) =>
          getValue() ? (
            <Text size="sm" truncate maw={260}>
              {getValue()}
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              No email
            </Text>
          ),
      }),
      column.accessor('client_type', {
        header: 'Type',
        meta: { visibleFrom: 'md' },
        cell: ({ getValue }) => TYPE_LABEL[getValue()] ?? getValue(),
      }),
      column.accessor('reminders_paused', {
        header: 'Reminders',
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
        meta: { visibleFrom: 'sm', align: 'right' },
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
        toolbar={
          <Group gap="sm" justify="space-between">
            <SearchInput label="Search clients" placeholder="Name, email or company" value={params.q} onChange={(q) => update({ q })} />
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
