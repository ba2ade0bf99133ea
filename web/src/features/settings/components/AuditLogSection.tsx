import { Anchor, Badge, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { Link, useSearchParams } from 'react-router';
import type { AuditEntry, AuditQuery } from '@/api/types';
import { DataTable } from '@/components/ui/DataTable';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { describeChanges } from '../audit';
import { useAuditEntries } from '../hooks/security';

const PAGE_SIZE = 25;

/** Every action the backend records, as a person reads it. */
const ACTIONS: Record<string, string> = {
  'invoice.created': 'Invoice created',
  'invoice.edited': 'Invoice edited',
  'invoice.voided': 'Invoice voided',
  'payment.recorded': 'Payment recorded',
  'payment.refunded': 'Payment refunded',
  'fee.charged': 'Late fee charged',
  'fee.waived': 'Late fee waived',
  'template.changed': 'Template changed',
  'template.reset': 'Template reset',
  'policy.changed': 'Reminder policy changed',
  'client.paused': 'Client paused',
  'client.resumed': 'Client resumed',
  'account.went_live': 'Live sending switched on',
  'account.test_mode': 'Back to test mode',
  'account.settings_changed': 'Account settings changed',
  'account.export_requested': 'Data export downloaded',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'user.password_changed': 'Password changed',
  'user.two_factor_enabled': 'Two-factor sign-in on',
  'user.two_factor_disabled': 'Two-factor sign-in off',
  'user.recovery_code_used': 'Recovery code used',
  'user.recovery_codes_replaced': 'Recovery codes replaced',
  'user.delete_requested': 'User deletion requested',
};

const ENTITIES = ['invoice', 'client', 'policy', 'template', 'account', 'api_token', 'user'];
const ACTOR_KINDS = [
  { value: 'user', label: 'People' },
  { value: 'token', label: 'API tokens' },
  { value: 'system', label: 'DueSpark (worker, webhooks)' },
];

function EntityLink({ entry }: { entry: AuditEntry }) {
  const label = `${entry.entity_type.replace('_', ' ')}${entry.entity_id ? ` #${entry.entity_id}` : ''}`;
  const path =
    entry.entity_type === 'invoice' ? `/invoices/${entry.entity_id}` : entry.entity_type === 'client' ? `/clients/${entry.entity_id}` : null;
  return path && entry.entity_id ? (
    <Anchor component={Link} to={path} size="sm">
      {label}
    </Anchor>
  ) : (
    <Text size="sm">{label}</Text>
  );
}

function Actor({ entry }: { entry: AuditEntry }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" truncate maw={220}>
        {entry.actor_label}
      </Text>
      {entry.actor_kind !== 'user' && (
        <Badge size="xs" variant="light" color={entry.actor_kind === 'token' ? 'grape' : 'gray'}>
          {entry.actor_kind === 'token' ? 'API token' : 'system'}
        </Badge>
      )}
    </Group>
  );
}

function Changes({ entry }: { entry: AuditEntry }) {
  const lines = describeChanges(entry);
  if (lines.length === 0) return <Text size="sm" c="dimmed">—</Text>;
  return (
    <Stack gap={2}>
      {lines.slice(0, 6).map((line) => (
        <Text key={line} size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }} lineClamp={2}>
          {line}
        </Text>
      ))}
      {lines.length > 6 && <Text size="xs" c="dimmed">and {lines.length - 6} more</Text>}
    </Stack>
  );
}

const columns: ColumnDef<AuditEntry>[] = [
  { id: 'at', header: 'When', cell: ({ row }) => <RelativeTime value={row.original.at} />, meta: { width: 130 } },
  { id: 'actor', header: 'Who', cell: ({ row }) => <Actor entry={row.original} /> },
  {
    id: 'action',
    header: 'What',
    cell: ({ row }) => <Text size="sm" fw={500}>{ACTIONS[row.original.action] ?? row.original.action}</Text>,
  },
  { id: 'entity', header: 'On', cell: ({ row }) => <EntityLink entry={row.original} />, meta: { visibleFrom: 'sm' } },
  { id: 'changes', header: 'Changes', cell: ({ row }) => <Changes entry={row.original} />, meta: { visibleFrom: 'md' } },
];

function AuditCard({ entry }: { entry: AuditEntry }) {
  return (
    <Stack gap={4} p="sm">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600}>
          {ACTIONS[entry.action] ?? entry.action}
        </Text>
        <Text size="xs" c="dimmed">
          <RelativeTime value={entry.at} />
        </Text>
      </Group>
      <Group gap="xs" wrap="nowrap">
        <Actor entry={entry} />
        <Text size="sm" c="dimmed">on</Text>
        <EntityLink entry={entry} />
      </Group>
      <Changes entry={entry} />
    </Stack>
  );
}

/** The account's audit trail: filters and page live in the URL, so a view can be shared. */
export function AuditLogSection() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const query: AuditQuery = {
    page,
    page_size: PAGE_SIZE,
    action: params.get('action') || undefined,
    entity_type: params.get('entity') || undefined,
    actor_kind: (params.get('actor') as AuditQuery['actor_kind']) || undefined,
    since: from ? `${from}T00:00:00Z` : undefined,
    until: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() : undefined,
  };
  const entries = useAuditEntries(query);

  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete('page');
    setParams(next, { replace: true });
  };

  const toolbar = (
    <Group gap="sm" align="flex-end" p="sm" wrap="wrap">
      <Select
        label="What"
        placeholder="Any action"
        clearable
        searchable
        data={Object.entries(ACTIONS).map(([value, label]) => ({ value, label }))}
        value={query.action ?? null}
        onChange={(value) => setFilter('action', value)}
        w={{ base: '100%', xs: 210 }}
      />
      <Select
        label="On"
        placeholder="Anything"
        clearable
        data={ENTITIES.map((value) => ({ value, label: value.replace('_', ' ') }))}
        value={query.entity_type ?? null}
        onChange={(value) => setFilter('entity', value)}
        w={{ base: '100%', xs: 140 }}
      />
      <Select
        label="Who"
        placeholder="Anyone"
        clearable
        data={ACTOR_KINDS}
        value={query.actor_kind ?? null}
        onChange={(value) => setFilter('actor', value)}
        w={{ base: '100%', xs: 170 }}
      />
      <TextInput label="From" type="date" value={from} onChange={(e) => setFilter('from', e.currentTarget.value)} w={{ base: '47%', xs: 140 }} />
      <TextInput label="To" type="date" value={to} onChange={(e) => setFilter('to', e.currentTarget.value)} w={{ base: '47%', xs: 140 }} />
    </Group>
  );

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Every change that matters — amounts, payments, fees, voids, templates, policies, live sending, tokens and sign-in
        security — with who made it. Entries cannot be edited or deleted; they are kept for the days set on the Company tab.
      </Text>
      <DataTable
        label="Audit log"
        columns={columns}
        data={entries.data?.items}
        isLoading={entries.isPending}
        error={entries.error}
        onRetry={() => void entries.refetch()}
        getRowId={(entry) => entry.id}
        toolbar={toolbar}
        renderCard={(entry) => <AuditCard entry={entry} />}
        empty={{
          icon: <IconHistory size={22} />,
          title: 'Nothing recorded here yet',
          description: 'Changes to invoices, payments and settings appear here as they happen. Try clearing the filters.',
        }}
        pagination={
          entries.data
            ? {
                page,
                pageSize: PAGE_SIZE,
                total: entries.data.total,
                onPageChange: (next) => {
                  const nextParams = new URLSearchParams(params);
                  nextParams.set('page', String(next));
                  setParams(nextParams, { replace: true });
                },
              }
            : undefined
        }
      />
    </Stack>
  );
}
