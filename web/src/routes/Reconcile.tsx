import { Alert, Button, Group, Paper, Select, SegmentedControl, Skeleton, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBuildingBank, IconChecks } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { StatementEntry } from '@/api/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { QueryError } from '@/components/ui/QueryStates';
import { DropZone } from '@/features/documents/components/DropZone';
import { EntriesView } from '@/features/reconciliation/components/EntriesView';
import { ReassignModal } from '@/features/reconciliation/components/ReassignModal';
import {
  useBulkConfirm,
  useConfirmEntry,
  useRejectEntry,
  useStatement,
  useStatements,
  useUploadStatement,
} from '@/features/reconciliation/hooks/queries';
import {
  STATEMENT_ACCEPT,
  type EntryFilter,
  filterEntries,
  statementFileProblem,
  strongMatches,
} from '@/features/reconciliation/reconcile';

const FILTERS: { value: EntryFilter; label: string }[] = [
  { value: 'open', label: 'To decide' },
  { value: 'done', label: 'Done' },
  { value: 'all', label: 'All' },
];

export default function Reconcile() {
  const [params, setParams] = useSearchParams();
  const statements = useStatements();
  const chosen = Number(params.get('statement')) || statements.data?.[0]?.id || null;
  const filter = (params.get('show') as EntryFilter | null) ?? 'open';
  const detail = useStatement(chosen);
  const upload = useUploadStatement();
  const confirm = useConfirmEntry();
  const reject = useRejectEntry();
  const bulk = useBulkConfirm();
  const [reassigning, setReassigning] = useState<StatementEntry | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busyId = confirm.isPending ? (confirm.variables?.entryId ?? null) : reject.isPending ? reject.variables : null;

  const setParam = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set(key, value);
      return next;
    });

  const onFiles = (files: File[]) => {
    const file = files[0];
    const why = statementFileProblem(file);
    setProblem(why);
    if (why) return;
    upload.mutate(file, {
      onSuccess: (result) => {
        setParam('statement', String(result.statement.id));
        const s = result.statement;
        notifications.show({
          color: result.duplicate ? 'gray' : 'teal',
          message: result.duplicate
            ? `${file.name} was imported before: nothing new.`
            : `${s.entries_new} new ${s.entries_new === 1 ? 'entry' : 'entries'} from ${file.name}` +
              (s.entries_new < s.entries_in_file ? ` (${s.entries_in_file - s.entries_new} already imported)` : ''),
        });
      },
      onError: (error) => setProblem(errorMessage(error)),
    });
  };

  const done = (message: string) => notifications.show({ color: 'teal', message });
  const failed = (title: string) => (error: unknown) =>
    notifications.show({ color: 'red', title, message: errorMessage(error) });

  const entries = detail.data?.entries ?? [];
  const strong = strongMatches(entries);
  const shown = filterEntries(entries, filter);

  return (
    <>
      <PageHeader
        title="Reconcile"
        description="Upload a bank statement (CAMT.053 or your bank's CSV export): each payment is matched to the invoice it pays, with the reasons."
      />
      <Stack>
        <DropZone
          onFiles={onFiles}
          disabled={upload.isPending}
          accept={STATEMENT_ACCEPT}
          testId="statement-dropzone"
          label={upload.isPending ? 'Reading the statement…' : 'Drop a bank statement here, or choose a file'}
          hint="CAMT.053 (.xml) or CSV, at most 10 MB. Importing the same file again adds nothing."
        />
        {problem && (
          <Alert color="red" title="The statement was not imported" withCloseButton onClose={() => setProblem(null)}>
            {problem}
          </Alert>
        )}
        {statements.error && <QueryError error={statements.error} onRetry={() => void statements.refetch()} />}
        {statements.data && statements.data.length === 0 && (
          <EmptyState
            icon={<IconBuildingBank size={28} />}
            title="No bank statement yet"
            description="Export the last weeks from your online banking as CAMT.053 or CSV and drop the file above."
          />
        )}
        {statements.data && statements.data.length > 0 && (
          <Paper withBorder p="sm">
            <Group justify="space-between" gap="sm" wrap="wrap">
              <Select
                aria-label="Statement"
                data={statements.data.map((s) => ({
                  value: String(s.id),
                  label: `${s.file_name} · ${s.created_at.slice(0, 10)} · ${s.open} to decide`,
                }))}
                value={chosen ? String(chosen) : null}
                onChange={(value) => value && setParam('statement', value)}
                allowDeselect={false}
                style={{ flex: '1 1 260px' }}
              />
              <SegmentedControl
                data={FILTERS}
                value={filter}
                onChange={(value) => setParam('show', value)}
                aria-label="Show entries"
              />
              <Button
                leftSection={<IconChecks size={16} />}
                disabled={strong.length === 0}
                loading={bulk.isPending}
                onClick={() =>
                  bulk.mutate(strong, {
                    onSuccess: (result) =>
                      result.failed
                        ? notifications.show({
                            color: 'orange',
                            message: `${result.confirmed} confirmed; ${result.failed} not: ${result.results
                              .filter((r) => !r.ok)
                              .map((r) => r.error)
                              .join('; ')}`,
                          })
                        : done(`${result.confirmed} payments recorded.`),
                    onError: failed('Couldn’t confirm the matches'),
                  })
                }
              >
                Confirm all strong matches ({strong.length})
              </Button>
            </Group>
          </Paper>
        )}
        {detail.isLoading && <Skeleton h={240} />}
        {detail.error && <QueryError error={detail.error} onRetry={() => void detail.refetch()} />}
        {detail.data && (
          <>
            <Text size="sm" c="dimmed" data-testid="statement-summary">
              {detail.data.statement.entries_in_file} entries in the file: {detail.data.statement.open} to decide,{' '}
              {detail.data.statement.confirmed} confirmed, {detail.data.statement.rejected} rejected,{' '}
              {detail.data.statement.skipped} skipped (debits, reversals).
            </Text>
            {shown.length === 0 ? (
              <EmptyState
                compact
                icon={<IconChecks size={24} />}
                title={filter === 'open' ? 'Nothing left to decide' : 'No entries here'}
                description="Every payment of this statement has been confirmed or set aside."
              />
            ) : (
              <EntriesView
                entries={shown}
                busyId={busyId}
                onConfirm={(entry) =>
                  confirm.mutate(
                    { entryId: entry.id },
                    {
                      onSuccess: (out) => done(`Recorded ${out.applied_amount} ${out.currency} on ${out.invoice_number}.`),
                      onError: failed('Couldn’t confirm the payment'),
                    },
                  )
                }
                onReject={(entry) => reject.mutate(entry.id, { onError: failed('Couldn’t reject the entry') })}
                onReassign={setReassigning}
              />
            )}
          </>
        )}
      </Stack>
      <ReassignModal
        entry={reassigning}
        busy={confirm.isPending}
        onClose={() => setReassigning(null)}
        onChoose={(invoiceId) =>
          reassigning &&
          confirm.mutate(
            { entryId: reassigning.id, invoiceId },
            {
              onSuccess: (out) => {
                setReassigning(null);
                done(`Recorded ${out.applied_amount} ${out.currency} on ${out.invoice_number}.`);
              },
              onError: failed('Couldn’t confirm the payment'),
            },
          )
        }
      />
    </>
  );
}
