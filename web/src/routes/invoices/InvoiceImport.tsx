import {
  Alert,
  Anchor,
  Badge,
  Button,
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
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { ImportReport } from '@/api/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { useImportInvoices } from '@/features/invoices/hooks/queries';
import { downloadCsv, toCsv } from '@/lib/csv';

const MAX_BYTES = 5 * 1024 * 1024;
const TEMPLATE_HEADER = ['number', 'client_name', 'client_email', 'amount', 'currency', 'issue_date', 'due_date', 'description'];

function clientsToCreateCount(report: ImportReport): number {
  const value = report.clients_to_create as unknown;
  return Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0;
}

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

function ErrorRows({ report }: { report: ImportReport }) {
  const errors = [...report.errors].sort((a, b) => a.line - b.line);
  return (
    <Paper withBorder>
      <Group p="md" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <Group gap="xs">
          <IconAlertTriangle size={18} color="var(--mantine-color-red-6)" aria-hidden />
          <Text fw={600}>
            {errors.length} {errors.length === 1 ? 'problem' : 'problems'} found
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          Rows with problems won’t be imported.
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={480} type="native" mah={420}>
        <Table stickyHeader verticalSpacing="xs" aria-label="Rows with problems">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={80}>Line</Table.Th>
              <Table.Th w={160}>Column</Table.Th>
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

export default function InvoiceImport() {
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const check = useImportInvoices();
  const run = useImportInvoices();

  const step = result ? 3 : run.isPending ? 2 : preview ? 1 : 0;

  const chooseFile = (next: File | null) => {
    setPreview(null);
    setResult(null);
    check.reset();
    run.reset();
    setFileError(null);
    if (next && next.size > MAX_BYTES) {
      setFileError('This file is larger than 5 MB. Split it into smaller files.');
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

  const runCheck = async () => {
    if (!file) return;
    try {
      setPreview(await check.mutateAsync({ file, dryRun: true }));
    } catch {
      /* shown below from check.error */
    }
  };

  const runImport = async () => {
    if (!file) return;
    try {
      setResult(await run.mutateAsync({ file, dryRun: false }));
    } catch {
      /* shown below from run.error */
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
            onClick={() =>
              downloadCsv(
                'duespark-import-template.csv',
                toCsv(TEMPLATE_HEADER, [['INV-1001', 'Acme GmbH', 'billing@acme.example', '1250.00', 'EUR', '2026-01-05', '2026-02-04', 'Website redesign']]),
              )
            }
          >
            Template
          </Button>
        }
      />

      <Stepper active={step} size="sm" mb="xl" allowNextStepsSelect={false} aria-label="Import progress">
        <Stepper.Step label="Upload" description="Choose a CSV" />
        <Stepper.Step label="Review" description="Check every row" />
        <Stepper.Step label="Import" description="Create invoices" loading={run.isPending} />
        <Stepper.Step label="Done" />
      </Stepper>

      {step === 0 && (
        <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
          <Stack gap="md">
            <Group gap="md" align="flex-start" wrap="nowrap">
              <ThemeIcon size={44} radius="md" variant="light" aria-hidden>
                <IconFileSpreadsheet size={24} />
              </ThemeIcon>
              <div>
                <Text fw={600}>Your CSV file</Text>
                <Text size="sm" c="dimmed">
                  One invoice per line, with a header row. Unknown clients are created for you. Dates as YYYY-MM-DD,
                  amounts like 1250.00.
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
              <Button onClick={runCheck} disabled={!file} loading={check.isPending}>
                Check file
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}

      {step === 1 && preview && (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <Stat label="Rows" value={preview.total_rows} />
            <Stat label="Ready" value={preview.valid_rows} color="teal.7" />
            <Stat label="With problems" value={preview.errors.length ? preview.total_rows - preview.valid_rows : 0} color={preview.errors.length ? 'red.7' : undefined} />
            <Stat label="New clients" value={clientsToCreateCount(preview)} />
          </SimpleGrid>
          {Array.isArray(preview.clients_to_create) && preview.clients_to_create.length > 0 && (
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
            <ErrorRows report={preview} />
          ) : (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
              Every row looks good.
            </Alert>
          )}
          {run.isError && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} role="alert" title="The import failed">
              {errorMessage(run.error)}
            </Alert>
          )}
          <Group justify="space-between">
            <Button variant="default" onClick={startOver}>
              Choose another file
            </Button>
            <Button onClick={runImport} disabled={preview.valid_rows === 0}>
              {preview.errors.length
                ? `Import ${preview.valid_rows.toLocaleString()} valid ${preview.valid_rows === 1 ? 'row' : 'rows'}`
                : `Import ${preview.valid_rows.toLocaleString()} ${preview.valid_rows === 1 ? 'invoice' : 'invoices'}`}
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
              result.errors.length
                ? `${result.errors.length} ${result.errors.length === 1 ? 'row was' : 'rows were'} skipped. Fix them and import them in a new file.`
                : 'DueSpark will start reminding your clients on schedule.'
            }
            action={
              <Group gap="sm">
                <Button component={Link} to="/invoices">
                  View invoices
                </Button>
                <Anchor component="button" type="button" onClick={startOver} size="sm">
                  Import another file
                </Anchor>
              </Group>
            }
          />
          {result.errors.length > 0 && (
            <div style={{ padding: 'var(--mantine-spacing-md)' }}>
              <ErrorRows report={result} />
            </div>
          )}
        </Paper>
      )}
    </div>
  );
}
