import { Alert, Button, Group, List, NativeSelect, Paper, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle, IconCalendar } from '@tabler/icons-react';
import {
  type CsvTable,
  DATE_FORMATS,
  type DateDetection,
  type DateFormat,
  FIELD_LABELS,
  FIELDS,
  type Field,
  type Mapping,
  cellOf,
  convertDate,
  describeDate,
  mappingProblems,
} from '../importMapping';

const NONE = '';
const NEED: Partial<Record<Field, string>> = {
  number: 'Required',
  amount: 'Required',
  due_date: 'Required',
  client_name: 'Name or email',
  client_email: 'Name or email',
};

function formatLabel(format: DateFormat, detection: DateDetection): string {
  const fits = detection.fits[format];
  if (detection.values === 0) return format;
  if (fits === detection.values) return `${format} (reads all ${detection.values} dates)`;
  return `${format} (reads ${fits} of ${detection.values} dates)`;
}

/**
 * Which column of the person's file holds each DueSpark field, and how its dates are written.
 * Nothing is chosen silently: a guessed column shows in its select, and dates that read two ways
 * (03/04/2026) leave the format empty until the person picks one.
 */
export function ColumnMappingStep({
  table,
  mapping,
  onMappingChange,
  dateFormat,
  onDateFormatChange,
  detection,
  onBack,
  onContinue,
  busy,
}: {
  table: CsvTable;
  mapping: Mapping;
  onMappingChange: (next: Mapping) => void;
  dateFormat: DateFormat | null;
  onDateFormatChange: (next: DateFormat | null) => void;
  detection: DateDetection;
  onBack: () => void;
  onContinue: () => void;
  busy: boolean;
}) {
  const headers = [...new Set(table.headers.filter(Boolean))];
  const first = table.records[0];
  const problems = mappingProblems(mapping);
  if (!dateFormat) problems.push('Choose how the dates in your file are written.');
  const hasDates = detection.values > 0;
  const example = detection.ambiguousExample;
  const firstDate = table.records.map((r) => cellOf(table, r, mapping.due_date)).find(Boolean);

  return (
    <Stack gap="lg">
      <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
        <Text component="h2" fw={600} fz="lg" mb={4}>
          Match your columns
        </Text>
        <Text size="sm" c="dimmed" mb="md">
          Tell DueSpark which column of your file holds what. The guesses are filled in; change any that are wrong.
          Columns left out are not imported. DueSpark remembers your choice for the next import.
        </Text>
        <Table.ScrollContainer minWidth={560} type="native">
          <Table verticalSpacing={6} aria-label="Match your columns">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>DueSpark field</Table.Th>
                <Table.Th>Column in your file</Table.Th>
                <Table.Th>First row</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {FIELDS.map((field) => {
                const sample = first ? cellOf(table, first, mapping[field]) : '';
                return (
                  <Table.Tr key={field}>
                    <Table.Td>
                      <Text size="sm" fw={NEED[field] ? 500 : 400}>
                        {FIELD_LABELS[field]}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {NEED[field] ?? 'Optional'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        aria-label={`Column for ${FIELD_LABELS[field]}`}
                        value={mapping[field] ?? NONE}
                        onChange={(event) => {
                          const value = event.currentTarget.value;
                          const next = { ...mapping };
                          if (value === NONE) delete next[field];
                          else next[field] = value;
                          onMappingChange(next);
                        }}
                        data={[{ value: NONE, label: '— Not in my file —' }, ...headers.map((h) => ({ value: h, label: h }))]}
                        maw={260}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={sample ? undefined : 'dimmed'} lineClamp={1} maw={220}>
                        {sample || '—'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      {hasDates && (
        <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
          <Group gap="xs" mb={4}>
            <IconCalendar size={18} aria-hidden />
            <Text component="h2" fw={600} fz="lg">
              Dates
            </Text>
          </Group>
          <Text size="sm" c="dimmed" mb="md">
            DueSpark checked the {detection.values} dates of your file against each format.{' '}
            {detection.fitsAll.length === 1
              ? `Only ${detection.fitsAll[0]} reads them all.`
              : detection.fitsAll.length === 0
                ? 'No format reads them all: rows whose date doesn’t fit the one you choose are shown as problems.'
                : ''}
          </Text>
          {example && detection.fitsAll.length > 1 && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} mb="md" title="Your dates read two ways">
              {example} could be {detection.fitsAll.map((f) => `${describeDate(example, f)} (${f})`).join(' or ')}. Choose how
              your file writes dates.
            </Alert>
          )}
          <NativeSelect
            label="How your dates are written"
            value={dateFormat ?? NONE}
            onChange={(event) => onDateFormatChange((event.currentTarget.value || null) as DateFormat | null)}
            data={[
              { value: NONE, label: 'Choose a format' },
              ...DATE_FORMATS.map((f) => ({ value: f, label: formatLabel(f, detection), disabled: detection.fits[f] === 0 })),
            ]}
            maw={360}
          />
          {dateFormat && firstDate && (
            <Text size="sm" mt="xs" data-testid="date-example">
              The first due date, {firstDate}, is read as{' '}
              <Text span fw={600}>
                {convertDate(firstDate, dateFormat) ? describeDate(firstDate, dateFormat) : 'not a date'}
              </Text>
              .
            </Text>
          )}
        </Paper>
      )}

      {problems.length > 0 && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Before checking the rows">
          <List size="sm" spacing={2}>
            {problems.map((problem) => (
              <List.Item key={problem}>{problem}</List.Item>
            ))}
          </List>
        </Alert>
      )}

      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>
          Choose another file
        </Button>
        <Button onClick={onContinue} disabled={problems.length > 0} loading={busy}>
          Check {table.records.length.toLocaleString()} {table.records.length === 1 ? 'row' : 'rows'}
        </Button>
      </Group>
    </Stack>
  );
}
