import { Anchor, Badge, Button, CloseButton, Group, Menu, Select, Tabs, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconDownload, IconFileInvoice, IconPlus, IconUpload } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import { INVOICE_SORTS, type InvoiceStatus } from '@/api/types';
import { ListTabs } from '@/components/ui/ListTabs';
import { PageHeader } from '@/components/ui/PageHeader';
import { BulkUploadButton } from '@/features/documents/components/BulkUploadButton';
import { SearchInput } from '@/components/ui/SearchInput';
import { useClientOptions } from '@/features/clients/hooks/queries';
import { invoicesToCsv } from '@/features/invoices/csvExport';
import { InvoicesTable } from '@/features/invoices/components/InvoicesTable';
import { fetchAllInvoices, useInvoices } from '@/features/invoices/hooks/queries';
import { downloadCsv } from '@/lib/csv';
import { formatMoney } from '@/lib/money';
import { formatDate, todayISO } from '@/lib/dates';
import { parseId } from '@/lib/ids';
import { allowedSort, formatSort, parseSort, useListParams } from '@/lib/useListParams';

const TABS: { value: string; label: string; statuses: InvoiceStatus[] }[] = [
  { value: 'all', label: 'All', statuses: [] },
  { value: 'unpaid', label: 'Unpaid', statuses: ['open', 'partially_paid', 'overdue'] },
  { value: 'overdue', label: 'Overdue', statuses: ['overdue'] },
  { value: 'open', label: 'Open', statuses: ['open'] },
  { value: 'partially_paid', label: 'Partially paid', statuses: ['partially_paid'] },
  { value: 'draft', label: 'Drafts', statuses: ['draft'] },
  { value: 'paid', label: 'Paid', statuses: ['paid'] },
  { value: 'void', label: 'Void', statuses: ['void'] },
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
function isoDateParam(value: string | null): string | undefined {
  return value && ISO_DATE.test(value) ? value : undefined;
}

function describeDueRange(from: string | undefined, to: string | undefined): string {
  if (from && to) return `Due ${formatDate(from)} – ${formatDate(to)}`;
  if (from) return `Due from ${formatDate(from)}`;
  return `Due by ${formatDate(to)}`;
}

export default function InvoicesList() {
  const { params, searchParams, update, pagination } = useListParams({ sort: '-due_date' });
  const tab = TABS.find((t) => t.value === searchParams.get('tab')) ?? TABS[0]!;
  const clientId = parseId(searchParams.get('client_id'));
  const sort = allowedSort(params.sort, INVOICE_SORTS, '-due_date');
  const dueFrom = isoDateParam(searchParams.get('due_from'));
  const dueTo = isoDateParam(searchParams.get('due_to'));
  // The dashboard's "Reminders brought in" figure links here: exactly the invoices it counts.
  const recovered = searchParams.get('recovered') === 'this_month' ? ('this_month' as const) : undefined;
  const filters = { status: tab.statuses, client_id: clientId, q: params.q || undefined, sort, due_from: dueFrom, due_to: dueTo, recovered };
  const query = useInvoices({ ...filters, page: params.page, page_size: params.pageSize });
  const clients = useClientOptions();
  const [exporting, setExporting] = useState(false);

  const clientData = useMemo(() => {
    const options = (clients.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name }));
    if (clientId !== undefined && !options.some((o) => o.value === String(clientId))) {
      const known = query.data?.items.find((i) => i.client_id === clientId);
      options.unshift({ value: String(clientId), label: known?.client_name ?? 'Selected client' });
    }
    return options;
  }, [clients.data, clientId, query.data]);

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { items, truncated, total } = await fetchAllInvoices(filters);
      downloadCsv(`duespark-invoices-${tab.value}-${todayISO()}.csv`, invoicesToCsv(items));
      notifications.show({
        color: truncated ? 'orange' : 'teal',
        message: truncated
          ? `Exported the first ${items.length.toLocaleString()} of ${total.toLocaleString()} invoices. Narrow the filters to export the rest.`
          : `Exported ${items.length.toLocaleString()} ${items.length === 1 ? 'invoice' : 'invoices'}.`,
      });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Export failed', message: errorMessage(error) });
    } finally {
      setExporting(false);
    }
  };

  const filtered = Boolean(params.q || clientId !== undefined || dueFrom || dueTo);

  return (
    <>
      <PageHeader
        title="Invoices"
        description="Everything you’ve billed, and what’s still owed."
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconDownload size={16} />}
              onClick={exportCsv}
              loading={exporting}
              disabled={!query.data || query.data.total === 0}
            >
              Export CSV
            </Button>
            <BulkUploadButton />
            <Group gap={0} wrap="nowrap">
              <Button component={Link} to="/invoices/new" leftSection={<IconPlus size={16} />} style={{ borderTopRightRadius: 0, borderBottomRightRadius: 0 }}>
                New invoice
              </Button>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button aria-label="More ways to add invoices" px={8} style={{ borderTopLeftRadius: 0, borderBottomLeftRadius: 0, borderLeft: '1px solid rgba(255,255,255,0.3)' }}>
                    <IconChevronDown size={16} />
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item component={Link} to="/invoices/import" leftSection={<IconUpload size={16} />}>
                    Import from CSV
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </>
        }
      />
      <Tabs
        value={tab.value}
        onChange={(value) => update({ tab: value === 'all' ? null : value })}
        aria-label="Invoice status"
      >
        {recovered && (
          <Group mb="sm">
            <Badge
              variant="outline"
              color="teal.9"
              bg="var(--mantine-color-body)"
              size="lg"
              h="auto"
              py={4}
              style={{ whiteSpace: 'normal' }}
              tt="none"
              data-testid="recovered-filter"
              rightSection={<CloseButton size="xs" aria-label="Clear the reminders filter" onClick={() => update({ recovered: null })} />}
            >
              Paid within 7 days of a reminder this month
              {query.data?.recovered?.length ? `: ${query.data.recovered.map((r) => formatMoney(r.amount, r.currency)).join(' + ')}` : ''}
            </Badge>
          </Group>
        )}
        {(dueFrom || dueTo) && (
          <Group mb="sm">
            <Badge
              variant="light"
              size="lg"
              rightSection={
                <CloseButton size="xs" aria-label="Clear the due date filter" onClick={() => update({ due_from: null, due_to: null })} />
              }
            >
              {describeDueRange(dueFrom, dueTo)}
            </Badge>
          </Group>
        )}
        <ListTabs tabs={TABS} alert="overdue" />
        {/* One panel per tab keeps the tabs' aria-controls valid; only the current one holds the list. */}
        {TABS.map((t) => (
          <Tabs.Panel key={t.value} value={t.value}>
            {t.value === tab.value && (
              <InvoicesTable
                data={query.data?.items}
                isLoading={query.isPending}
                error={query.error}
                onRetry={() => void query.refetch()}
                sort={parseSort(sort)}
                onSortChange={(next) => update({ sort: formatSort(next) })}
                pagination={pagination(query.data?.total)}
                toolbar={
                  <Group gap="sm" wrap="wrap">
                    <SearchInput label="Search invoices" placeholder="Search number or description" value={params.q} onChange={(q) => update({ q })} />
                    <Select
                      aria-label="Filter by client"
                      placeholder="All clients"
                      data={clientData}
                      value={clientId === undefined ? null : String(clientId)}
                      onChange={(value) => update({ client_id: value })}
                      searchable
                      clearable
                      nothingFoundMessage="No client found"
                      style={{ flex: '1 1 200px' }}
                      maw={260}
                    />
                    {query.data && (
                      <Text size="sm" c="dimmed" ml="auto">
                        {query.data.total.toLocaleString()} {query.data.total === 1 ? 'invoice' : 'invoices'}
                      </Text>
                    )}
                  </Group>
                }
                empty={
                  recovered
                    ? {
                        icon: <IconFileInvoice size={26} />,
                        title: 'No payment has followed a reminder this month yet',
                        description: 'Invoices paid within 7 days after a reminder show up here.',
                        action: (
                          <Anchor component="button" type="button" onClick={() => update({ recovered: null })}>
                            Show all invoices
                          </Anchor>
                        ),
                      }
                    : filtered
                    ? {
                        icon: <IconFileInvoice size={26} />,
                        title: 'No invoices match these filters',
                        description: 'Try another search or client.',
                        action: (
                          <Anchor component="button" type="button" onClick={() => update({ q: null, client_id: null, due_from: null, due_to: null })}>
                            Clear filters
                          </Anchor>
                        ),
                      }
                    : tab.value === 'overdue'
                      ? {
                          icon: <IconFileInvoice size={26} />,
                          color: 'teal',
                          title: 'Nothing overdue',
                          description: 'Every invoice is paid or not yet due. Nice.',
                        }
                      : tab.value !== 'all'
                        ? {
                            icon: <IconFileInvoice size={26} />,
                            title: `No ${tab.label.toLowerCase()} invoices`,
                            description: 'Invoices with this status will show up here.',
                            action: (
                              <Anchor component="button" type="button" onClick={() => update({ tab: null })}>
                                Show all invoices
                              </Anchor>
                            ),
                          }
                        : {
                            icon: <IconFileInvoice size={26} />,
                            title: 'Create your first invoice',
                            description: 'Add an invoice, or import the ones you already have, and DueSpark starts the polite chasing.',
                            action: (
                              <Group gap="sm">
                                <Button component={Link} to="/invoices/new" leftSection={<IconPlus size={16} />}>
                                  New invoice
                                </Button>
                                <Button component={Link} to="/invoices/import" variant="default" leftSection={<IconUpload size={16} />}>
                                  Import CSV
                                </Button>
                              </Group>
                            ),
                          }
                }
              />
            )}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
