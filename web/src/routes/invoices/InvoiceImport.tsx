import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  FileInput,
  Group,
  List,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  ThemeIcon,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconDownload,
  IconFileSpreadsheet,
  IconUpload,
} from '@tabler/icons-react';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { ImportReport } from '@/api/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { IMPORT_COLUMNS, MAX_IMPORT_BYTES, importTemplateCsv, rejectedImportReport } from '@/features/invoices/csvImport';
import { useImportInvoices } from '@/features/invoices/hooks/queries';
import { FirstWavePanel } from '@/features/onboarding/components/FirstWavePanel';
import { ImportOptionsFields } from '@/features/onboarding/components/ImportOptionsFields';
import { useResumeNotChased } from '@/features/onboarding/hooks';
import { DEFAULT_IMPORT_OPTIONS, type ImportOptions, validOlderThanDays } from '@/features/onboarding/firstWave';
import { downloadCsv } from '@/lib/csv';

const STEPS = [
  { label: 'Upload', description: 'Choose a CSV' },
  { label: 'Review', description: 'Check every row' },
  { label: 'Import', description: 'Create invoices' },
  { label: 'Done', description: undefined },
] as const;

const NEED_LABEL = { required: 'Required', either: 'Name or email', optional: 'Optional' } as const;

function Stat({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="xs" c="dimmed" fw={500} tt="uppercase">
        {label}
      </Text>
      <Text fz={26} fw={650} c={color} className="tabular">
        {value.toLocaleString()}
      </Text>
    </Paper>
  );
}

function ColumnsHelp() {
  return (
    <Table.ScrollContainer minWidth={520} type="native">
      <Table verticalSpacing={6} fz="sm" aria-label="Columns the import reads">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Column</Table.Th>
            <Table.Th>Needed</Table.Th>
            <Table.Th>What goes in it</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {IMPORT_COLUMNS.map((column) => (
            <Table.Tr key={column.name}>
              <Table.Td>
                <Code>{column.name}</Code>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={column.need === 'optional' ? 'dimmed' : undefined} fw={column.need === 'optional' ? 400 : 500}>
                  {NEED_LABEL[column.need]}
                </Text>
              </Table.Td>
              <Table.Td>{column.help}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ErrorRows({ report }: { report: ImportReport }) {
  const errors = [...report.errors].sort((a, b) => a.line - b.line);
  const badRows = report.total_rows - report.valid_rows;
  return (
    <Paper withBorder>
      <Group p="md" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <Group gap="xs">
          <IconAlertTriangle size={18} color="var(--mantine-color-red-6)" aria-hidden />
          <Text fw={600}>
            {errors.length.toLocaleString()} {errors.length === 1 ? 'problem' : 'problems'} in {badRows.toLocaleString()}{' '}
            {badRows === 1 ? 'row' : 'rows'}
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          Lines are numbered as in your spreadsheet, the header being line 1.
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={0} type="native" mah={420}>
        <Table stickyHeader verticalSpacing="xs" aria-label="Rows with problems">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={{ base: 48, sm: 80 }}>Line</Table.Th>
              <Table.Th w={{ base: 100, sm: 160 }}>Column</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {errors.map((error, index) => (
              <Table.Tr key={`${error.line}-${error.field}-${index}`}>
                <Table.Td className="tabular">{error.line}</Table.Td>
                <Table.Td>
                  {error.field ? (
                    <Badge variant="light" color="gray" radius="sm" style={{ textTransform: 'none' }}>
                      {error.field}
                    </Badge>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>{error.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function scheduleNote(result: ImportReport): string {
  const notChased = (result.options?.not_chased_old ?? 0) + (result.options?.not_chased_no_step_left ?? 0);
  const base = 'DueSpark will remind your clients on schedule.';
  if (!notChased) return base;
  return `${base} ${notChased.toLocaleString()} ${notChased === 1 ? 'invoice is' : 'invoices are'} not chased until you resume ${notChased === 1 ? 'it' : 'them'}.`;
}

export default function InvoiceImport() {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [options, setOptions] = useState<ImportOptions>(DEFAULT_IMPORT_OPTIONS);
  const [checkedOptions] = useDebouncedValue(options, 400);
  const check = useImportInvoices();
  const run = useImportInvoices();
  const resumeNotChased = useResumeNotChased();
  const optionsValid = !options.dontChaseOlder || validOlderThanDays(options.olderThanDays);

  const step = result ? 3 : run.isPending ? 2 : preview ? 1 : 0;
  // The import is all or nothing: a file with any bad row is never partly imported.
  const runError = run.isError && !rejectedImportReport(run.error) ? run.error : null;

  const chooseFile = (next: File | null) => {
    setPreview(null);
    setResult(null);
    check.reset();
    run.reset();
    setFileError(null);
    if (next && next.size > MAX_IMPORT_BYTES) {
      setFileError(`This file is larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MB. Split it into smaller files.`);
      setFile(null);
      return;
    }
    if (next && !/\.csv$/i.test(next.name) && next.type !== 'text/csv') {
      setFileError('Choose a .csv file.');
      setFile(null);
      return;
    }
    setFile(next);
  };

  const runCheck = async (with_: ImportOptions = options) => {
    if (!file) return;
    try {
      setPreview(await check.mutateAsync({ file, dryRun: true, options: with_ }));
    } catch {
      /* shown below from check.error */
    }
  };

  // The review step's preview follows the options: checked again when they change.
  const hasPreview = preview !== null;
  useEffect(() => {
    const valid = !checkedOptions.dontChaseOlder || validOlderThanDays(checkedOptions.olderThanDays);
    if (hasPreview && valid) void runCheck(checkedOptions);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the (debounced) options change
  }, [checkedOptions]);

  const runImport = async () => {
    if (!file) return;
    try {
      setResult(await run.mutateAsync({ file, dryRun: false, options }));
    } catch (error) {
      // Something changed since the check (an invoice number was taken meanwhile): show the new report.
      const report = rejectedImportReport(error);
      if (report) setPreview(report);
    }
  };

  const startOver = () => {
    setFile(null);
    chooseFile(null);
  };

  return (
    <div style={{ maxWidth: 900 }}>
      <PageHeader
        title="Import invoices"
        description="Bring in the invoices you already have from a CSV file. Nothing is saved until you confirm."
        breadcrumbs={[{ label: 'Invoices', to: '/invoices' }]}
        actions={
          <Button
            variant="default"
            leftSection={<IconDownload size={16} />}
            onClick={() => downloadCsv('duespark-import-template.csv', importTemplateCsv())}
          >
            Download template
          </Button>
        }
      />

      <Stepper active={step} size="sm" mb="xl" allowNextStepsSelect={false} aria-label="Import progress" visibleFrom="sm">
        {STEPS.map((s, index) => (
          <Stepper.Step key={s.label} label={s.label} description={s.description} loading={index === 2 && run.isPending} />
        ))}
      </Stepper>
      <Text hiddenFrom="sm" size="sm" c="dimmed" mb="md" aria-live="polite">
        Step {Math.min(step + 1, STEPS.length)} of {STEPS.length}:{' '}
        <Text span fw={600} c="var(--mantine-color-text)">
          {STEPS[Math.min(step, STEPS.length - 1)]!.label}
        </Text>
      </Text>

      {step === 0 && (
        <Stack gap="lg">
          <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
            <Stack gap="md">
              <Group gap="md" align="flex-start" wrap="nowrap">
                <ThemeIcon size={44} radius="md" variant="light" aria-hidden>
                  <IconFileSpreadsheet size={24} />
                </ThemeIcon>
                <div>
                  <Text fw={600}>Your CSV file</Text>
                  <Text size="sm" c="dimmed">
                    One invoice per line, with a header row naming the columns. Clients DueSpark doesn’t know yet are
                    created for you. Separate cells with commas, or with semicolons as European Excel does.
                  </Text>
                </div>
              </Group>
              <FileInput
                label="CSV file"
                placeholder="Choose a .csv file"
                accept=".csv,text/csv"
                clearable
                value={file}
                onChange={chooseFile}
                error={fileError}
                leftSection={<IconUpload size={16} aria-hidden />}
                maw={480}
              />
              {check.isError && (
                <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="We couldn’t read this file">
                  {errorMessage(check.error)}
                </Alert>
              )}
              {check.isPending && <Progress value={100} animated striped aria-label="Checking the file" />}
              <Group>
                <Button onClick={() => void runCheck()} disabled={!file} loading={check.isPending}>
                  Check file
                </Button>
              </Group>
            </Stack>
          </Paper>
          <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
            <Text fw={600} mb={4}>
              Columns
            </Text>
            <Text size="sm" c="dimmed" mb="sm">
              Dates are written YYYY-MM-DD. Other columns are ignored. The{' '}
              <Anchor component="button" type="button" size="sm" onClick={() => downloadCsv('duespark-import-template.csv', importTemplateCsv())}>
                template
              </Anchor>{' '}
              has them all.
            </Text>
            <ColumnsHelp />
          </Paper>
        </Stack>
      )}

      {step === 1 && preview && (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <Stat label="Rows" value={preview.total_rows} />
            <Stat label="Ready" value={preview.valid_rows} color="teal.9" />
            <Stat
              label="With problems"
              value={preview.total_rows - preview.valid_rows}
              color={preview.total_rows > preview.valid_rows ? 'red.9' : undefined}
            />
            <Stat label="New clients" value={preview.clients_to_create.length} />
          </SimpleGrid>
          {preview.clients_to_create.length > 0 && (
            <Paper withBorder p="md">
              <Text fw={600} size="sm" mb={6}>
                These clients will be created
              </Text>
              <List size="sm" spacing={2}>
                {preview.clients_to_create.slice(0, 20).map((name) => (
                  <List.Item key={name}>{name}</List.Item>
                ))}
              </List>
              {preview.clients_to_create.length > 20 && (
                <Text size="sm" c="dimmed" mt={4}>
                  and {preview.clients_to_create.length - 20} more
                </Text>
              )}
            </Paper>
          )}
          {preview.errors.length > 0 ? (
            <>
              <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="Fix these rows, then check the file again">
                DueSpark imports a file only when every row is right, so nothing is ever half-imported. Correct the
                lines below in your spreadsheet, save it as CSV and choose it again.
              </Alert>
              <ErrorRows report={preview} />
            </>
          ) : preview.total_rows === 0 ? (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
              The file has a header but no invoice rows.
            </Alert>
          ) : (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
              Every row looks good.
            </Alert>
          )}
          {preview.valid_rows > 0 && (
            <>
              <ImportOptionsFields value={options} onChange={setOptions} report={preview.options} />
              {check.isError && (
                <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
                  {errorMessage(check.error)}
                </Alert>
              )}
              {preview.first_wave && (
                <div style={{ opacity: check.isPending ? 0.6 : 1 }} aria-busy={check.isPending}>
                  <FirstWavePanel wave={preview.first_wave} title="Goes out after this import" />
                </div>
              )}
            </>
          )}
          {runError && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="The import failed">
              {errorMessage(runError)}
            </Alert>
          )}
          <Group justify="space-between">
            <Button variant="default" onClick={startOver}>
              {preview.errors.length ? 'Choose the corrected file' : 'Choose another file'}
            </Button>
            <Button
              onClick={runImport}
              disabled={preview.errors.length > 0 || preview.valid_rows === 0 || !optionsValid || check.isPending}
            >
              Import {preview.valid_rows.toLocaleString()} {preview.valid_rows === 1 ? 'invoice' : 'invoices'}
            </Button>
          </Group>
        </Stack>
      )}

      {step === 2 && (
        <Paper withBorder p="xl">
          <Stack gap="sm" aria-live="polite">
            <Text fw={600}>Importing {preview?.valid_rows.toLocaleString()} invoices…</Text>
            <Progress value={100} animated striped size="lg" aria-label="Import in progress" />
            <Text size="sm" c="dimmed">
              Keep this page open. It usually takes a few seconds.
            </Text>
          </Stack>
        </Paper>
      )}

      {step === 3 && result && (
        <Paper withBorder>
          <EmptyState
            icon={<IconCircleCheck size={26} />}
            color="teal"
            title={`${result.created.toLocaleString()} ${result.created === 1 ? 'invoice' : 'invoices'} imported`}
            description={
              result.clients_to_create.length
                ? `${result.clients_to_create.length.toLocaleString()} new ${result.clients_to_create.length === 1 ? 'client was' : 'clients were'} added. ${scheduleNote(result)}`
                : scheduleNote(result)
            }
            action={
              <Group gap="sm">
                <Button component={Link} to="/invoices">
                  View invoices
                </Button>
                {(result.options?.not_chased_old ?? 0) + (result.options?.not_chased_no_step_left ?? 0) > 0 &&
                  !resumeNotChased.isSuccess && (
                    <Button variant="default" loading={resumeNotChased.isPending} onClick={() => resumeNotChased.mutate()}>
                      Start chasing the old ones too
                    </Button>
                  )}
                <Anchor component="button" type="button" onClick={startOver} size="sm">
                  Import another file
                </Anchor>
              </Group>
            }
          />
        </Paper>
      )}
    </div>
  );
}
