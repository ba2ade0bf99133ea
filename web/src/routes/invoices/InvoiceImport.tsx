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
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { ImportReport } from '@/api/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { useMe } from '@/features/auth/hooks/queries';
import { ColumnMappingStep } from '@/features/invoices/components/ColumnMappingStep';
import { ImportRowsTable } from '@/features/invoices/components/ImportRowsTable';
import {
  IMPORT_COLUMNS,
  MAX_IMPORT_BYTES,
  importErrorText,
  importTemplateCsv,
  rejectedImportReport,
} from '@/features/invoices/csvImport';
import {
  type CsvTable,
  type DateFormat,
  type Mapping,
  apiMapping,
  detectDateFormats,
  guessMapping,
  headersAreDueSparks,
  loadMapping,
  mappedDates,
  readCsvFile,
  rewriteCsv,
  rowsToCreate,
  saveMapping,
  skippedRowsCsv,
} from '@/features/invoices/importMapping';
import { useImportInvoices } from '@/features/invoices/hooks/queries';
import { FirstWavePanel } from '@/features/onboarding/components/FirstWavePanel';
import { ImportOptionsFields } from '@/features/onboarding/components/ImportOptionsFields';
import { useResumeNotChased } from '@/features/onboarding/hooks';
import { DEFAULT_IMPORT_OPTIONS, type ImportOptions, validOlderThanDays } from '@/features/onboarding/firstWave';
import { downloadCsv } from '@/lib/csv';

const STEPS = [
  { label: 'Upload', description: 'Choose a CSV' },
  { label: 'Columns', description: 'Match columns and dates' },
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

function ErrorRows({ report, fieldLabel }: { report: ImportReport; fieldLabel: (field: string) => string }) {
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
                      {fieldLabel(error.field)}
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

/** What was sent to the API: the person's file, or its rewrite (lines mapped back to the person's file). */
interface Sent {
  file: File;
  lines: Map<number, number> | null;
}

/** The report in the person's terms: their line numbers, their date format. */
function inFileTerms(report: ImportReport, sent: Sent, format: DateFormat): ImportReport {
  return {
    ...report,
    errors: report.errors.map((error) => ({
      ...error,
      line: sent.lines?.get(error.line) ?? error.line,
      message:
        format !== 'YYYY-MM-DD' && (error.field === 'due_date' || error.field === 'issue_date')
          ? error.message.replace('in the form YYYY-MM-DD', `in the form ${format}`)
          : error.message,
    })),
  };
}

export default function InvoiceImport() {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [options, setOptions] = useState<ImportOptions>(DEFAULT_IMPORT_OPTIONS);
  const [checkedOptions] = useDebouncedValue(options, 400);
  // The file as read in the browser (null when it can't be: it is then sent as it is).
  const [table, setTable] = useState<CsvTable | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [dateFormat, setDateFormat] = useState<DateFormat | null>('YYYY-MM-DD');
  const [mappingOpen, setMappingOpen] = useState(false);
  // Whether the file is sent rewritten (DueSpark's headers, ISO dates): once the columns step was shown.
  const [rewriting, setRewriting] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);
  const check = useImportInvoices();
  const run = useImportInvoices();
  const resumeNotChased = useResumeNotChased();
  const me = useMe();
  const accountId = me.data?.account.id;
  const optionsValid = !options.dontChaseOlder || validOlderThanDays(options.olderThanDays);
  const detection = useMemo(() => detectDateFormats(table ? mappedDates(table, mapping) : []), [table, mapping]);
  const format = dateFormat ?? 'YYYY-MM-DD';

  const step = result ? 4 : run.isPending ? 3 : preview ? 2 : mappingOpen ? 1 : 0;
  // A real import is all or nothing: a file with any bad row is refused (its bad rows can be left out).
  const runError = run.isError && !rejectedImportReport(run.error) ? run.error : null;

  const fieldLabel = (field: string) => (rewriting && mapping[field as keyof Mapping]) || field;

  // The rows with problems, by their line in the person's file, and what is wrong with each.
  const problems = useMemo(() => {
    const byLine = new Map<number, string>();
    for (const error of preview?.errors ?? []) {
      const text = error.field ? `${fieldLabel(error.field)}: ${error.message}` : error.message;
      byLine.set(error.line, byLine.has(error.line) ? `${byLine.get(error.line)}; ${text}` : text);
    }
    return byLine;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fieldLabel follows mapping and rewriting
  }, [preview, mapping, rewriting]);
  const badRows = preview ? preview.total_rows - preview.valid_rows : 0;
  // Leaving the bad rows out needs every one of them named (the report keeps the first 1,000 problems).
  const canSkip = !!preview && !!table && badRows > 0 && preview.valid_rows > 0 && problems.size === badRows;
  const rows = useMemo(
    () => (table && preview ? rowsToCreate(table, mapping, format, new Set(problems.keys()), me.data?.account.default_currency ?? '') : null),
    [table, preview, mapping, format, problems, me.data?.account.default_currency],
  );

  const chooseFile = (next: File | null) => {
    setPreview(null);
    setResult(null);
    setTable(null);
    setSent(null);
    setMappingOpen(false);
    setRewriting(false);
    setDateFormat('YYYY-MM-DD');
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

  /** The file to send: the person's own, or rewritten with DueSpark's headers, ISO dates and without `skip`. */
  const prepare = (skip: ReadonlySet<number> = new Set(), rewrite = rewriting): Sent | null => {
    if (!file) return null;
    if (!table || (!rewrite && skip.size === 0)) return { file, lines: null };
    const out = rewriteCsv(table, rewrite ? mapping : apiMapping(table.headers), format, skip);
    return { file: new File([out.text], file.name, { type: 'text/csv' }), lines: out.lines };
  };

  const runCheck = async (target: Sent | null = sent, with_: ImportOptions = options, fmt: DateFormat = format) => {
    if (!target) return;
    setSent(target);
    try {
      const report = await check.mutateAsync({ file: target.file, dryRun: true, options: with_ });
      setPreview(inFileTerms(report, target, fmt));
      setMappingOpen(false);
    } catch {
      /* shown below from check.error */
    }
  };

  /** Reads the file in the browser: its own headers or non-ISO dates open the columns step first. */
  const checkFile = async () => {
    if (!file) return;
    check.reset();
    const read = await readCsvFile(file);
    setTable(read);
    if (read && (!headersAreDueSparks(read.headers) || detectDateFormats(mappedDates(read, apiMapping(read.headers))).settled !== 'YYYY-MM-DD')) {
      const guessed = headersAreDueSparks(read.headers) ? apiMapping(read.headers) : guessMapping(read.headers, loadMapping(accountId));
      const found = detectDateFormats(mappedDates(read, guessed));
      setMapping(guessed);
      // One format reading every date is offered (and shown); dates that read two ways wait for the person.
      setDateFormat(found.settled ?? (found.fitsAll.length === 1 ? found.fitsAll[0]! : null));
      setRewriting(true);
      setMappingOpen(true);
      return;
    }
    if (read) setMapping(apiMapping(read.headers));
    setDateFormat('YYYY-MM-DD');
    setRewriting(false);
    await runCheck({ file, lines: null }, options, 'YYYY-MM-DD');
  };

  const confirmMapping = async () => {
    saveMapping(accountId, mapping);
    await runCheck(prepare(new Set(), true));
  };

  // The review step's preview follows the options: checked again when they change.
  const hasPreview = preview !== null;
  useEffect(() => {
    const valid = !checkedOptions.dontChaseOlder || validOlderThanDays(checkedOptions.olderThanDays);
    if (hasPreview && valid) void runCheck(sent, checkedOptions);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the (debounced) options change
  }, [checkedOptions]);

  const runImport = async (skipBad: boolean) => {
    const target = prepare(skipBad ? new Set(problems.keys()) : new Set());
    if (!target) return;
    try {
      setResult(await run.mutateAsync({ file: target.file, dryRun: false, options }));
    } catch (error) {
      // Something changed since the check (an invoice number was taken meanwhile): show the new report.
      const report = rejectedImportReport(error);
      if (report) setPreview(inFileTerms(report, target, format));
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
          <Stepper.Step key={s.label} label={s.label} description={s.description} loading={index === 3 && run.isPending} />
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
                  {importErrorText(check.error)}
                </Alert>
              )}
              {check.isPending && <Progress value={100} animated striped aria-label="Checking the file" />}
              <Group>
                <Button onClick={() => void checkFile()} disabled={!file} loading={check.isPending}>
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
              Your spreadsheet’s own column names and dates (31/01/2026, 01/31/2026, 31.01.2026) are fine: you match
              them to these in the next step. Other columns are ignored. The{' '}
              <Anchor component="button" type="button" size="sm" onClick={() => downloadCsv('duespark-import-template.csv', importTemplateCsv())}>
                template
              </Anchor>{' '}
              has them all.
            </Text>
            <ColumnsHelp />
          </Paper>
        </Stack>
      )}

      {step === 1 && table && (
        <Stack gap="lg">
          <ColumnMappingStep
            table={table}
            mapping={mapping}
            onMappingChange={setMapping}
            dateFormat={dateFormat}
            onDateFormatChange={setDateFormat}
            detection={detection}
            onBack={startOver}
            onContinue={() => void confirmMapping()}
            busy={check.isPending}
          />
          {check.isError && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="We couldn’t read this file">
              {importErrorText(check.error)}
            </Alert>
          )}
        </Stack>
      )}

      {step === 2 && preview && (
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
              <Alert
                color="red"
                variant="light"
                icon={<IconAlertTriangle size={18} />}
                title={canSkip ? 'Fix these rows, or import the others without them' : 'Fix these rows, then check the file again'}
              >
                {canSkip
                  ? 'Correct the lines below in your spreadsheet and upload it again, or import the good rows now and leave these out: download them to fix and import later.'
                  : 'Correct the lines below in your spreadsheet, save it as CSV and choose it again.'}
                {canSkip && table && (
                  <Group mt="sm">
                    <Button
                      variant="default"
                      size="xs"
                      leftSection={<IconDownload size={14} />}
                      onClick={() =>
                        downloadCsv(`${(file?.name ?? 'import').replace(/\.csv$/i, '')}-skipped-rows.csv`, skippedRowsCsv(table, problems))
                      }
                    >
                      Download the {badRows.toLocaleString()} skipped {badRows === 1 ? 'row' : 'rows'}
                    </Button>
                  </Group>
                )}
              </Alert>
              <ErrorRows report={preview} fieldLabel={fieldLabel} />
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
          {rows && rows.length > 0 && <ImportRowsTable rows={rows} />}
          {preview.valid_rows > 0 && (
            <>
              <ImportOptionsFields value={options} onChange={setOptions} report={preview.options} />
              {check.isError && (
                <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
                  {importErrorText(check.error)}
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
              {importErrorText(runError)}
            </Alert>
          )}
          <Group justify="space-between">
            <Group gap="sm">
              <Button variant="default" onClick={startOver}>
                {preview.errors.length ? 'Fix and re-upload' : 'Choose another file'}
              </Button>
              {rewriting && (
                <Button variant="subtle" onClick={() => { setPreview(null); check.reset(); setMappingOpen(true); }}>
                  Change columns
                </Button>
              )}
            </Group>
            {preview.errors.length > 0 ? (
              <Button
                onClick={() => void runImport(true)}
                disabled={!canSkip || !optionsValid || check.isPending}
              >
                Import the {preview.valid_rows.toLocaleString()} good {preview.valid_rows === 1 ? 'row' : 'rows'} and skip{' '}
                {badRows.toLocaleString()}
              </Button>
            ) : (
              <Button
                onClick={() => void runImport(false)}
                disabled={preview.valid_rows === 0 || !optionsValid || check.isPending}
              >
                Import {preview.valid_rows.toLocaleString()} {preview.valid_rows === 1 ? 'invoice' : 'invoices'}
              </Button>
            )}
          </Group>
        </Stack>
      )}

      {step === 3 && (
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

      {step === 4 && result && (
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
