import {
  Alert,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Spoiler,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDeviceFloppy, IconRestore } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useSearchParams } from 'react-router';
import { errorMessage } from '@/api/errors';
import type { TemplateCatalog } from '@/api/types';
import { templateRows, type TemplateRow } from '@/features/templates/templates';
import { fromFriendly, toFriendly, type FriendlyTemplate } from '@/features/templates/friendly';
import { SimpleTemplateEditor } from '@/features/templates/components/SimpleTemplateEditor';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { PageHeader } from '@/components/ui/PageHeader';
import { InlineError, PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useInvoices } from '@/features/invoices/hooks/queries';
import { TemplatePreview } from '@/features/templates/components/TemplatePreview';
import { usePreview, useResetTemplate, useSaveTemplate, useTemplate, useTemplateCatalog } from '@/features/templates/hooks/queries';
import { useAccount } from '@/features/settings/hooks/queries';
import { languageName } from '@/lib/display';
import { applyApiErrors } from '@/lib/forms';

export default function Templates() {
  const catalog = useTemplateCatalog();
  const account = useAccount();
  const [params, setParams] = useSearchParams();

  if (catalog.isPending) return <PageLoader />;
  if (catalog.isError) return <QueryError error={catalog.error} onRetry={() => void catalog.refetch()} />;

  const rows = templateRows(catalog.data);
  const key = params.get('key') ?? rows[0]?.key ?? '';
  const locales = catalog.data.keys.find((k) => k.key === key)?.default_locales ?? [];
  const locale = params.get('locale') ?? (account.data && locales.includes(account.data.locale) ? account.data.locale : locales.includes('en') ? 'en' : (locales[0] ?? 'en'));
  const select = (row: TemplateRow) => {
    const next = new URLSearchParams(params);
    next.set('key', row.key);
    next.set('locale', row.locale);
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="Email templates"
        description="What your reminders say. Write the email as text and insert details such as the client’s name or the pay link; the preview shows the email exactly as it goes out."
      />
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, xl: 3 }}>
          <Paper withBorder p="xs">
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3, xl: 1 }} spacing={2} verticalSpacing={2} component="ul" aria-label="Templates" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {catalog.data.keys.map((entry) => (
                <li key={entry.key}>
                  <Group justify="space-between" gap={4} px="xs" py={6} wrap="nowrap" bg={entry.key === key ? 'var(--mantine-color-default-hover)' : undefined} style={{ borderRadius: 6 }}>
                    <Tooltip label={entry.description} multiline w={240} openDelay={300}>
                      <Text size="sm" fw={entry.key === key ? 600 : 500} tt="capitalize">
                        {entry.key.replace('_', ' ')}
                      </Text>
                    </Tooltip>
                    <Group gap={4} wrap="wrap" justify="flex-end">
                      {rows
                        .filter((row) => row.key === entry.key)
                        .map((row) => {
                          const active = row.key === key && row.locale === locale;
                          return (
                            <Button
                              key={row.locale}
                              size="compact-xs"
                              variant={active ? 'filled' : row.custom ? 'light' : 'subtle'}
                              color={active ? undefined : row.custom ? undefined : 'gray'}
                              onClick={() => select(row)}
                              aria-current={active ? 'true' : undefined}
                              aria-label={`${entry.key.replace('_', ' ')}, ${row.locale}${row.custom ? ', edited' : ''}`}
                            >
                              {row.locale}
                            </Button>
                          );
                        })}
                    </Group>
                  </Group>
                </li>
              ))}
            </SimpleGrid>
            <Text size="xs" c="dimmed" px="xs" pt="xs">
              Tinted languages are ones you edited.
            </Text>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, xl: 9 }}>
          {key && <TemplateEditor key={`${key}-${locale}`} templateKey={key} locale={locale} catalog={catalog.data} />}
        </Grid.Col>
      </Grid>
    </>
  );
}

interface FormValues {
  subject: string;
  body: string;
}

function TemplateEditor({ templateKey, locale, catalog }: { templateKey: string; locale: string; catalog: TemplateCatalog }) {
  const template = useTemplate(templateKey, locale);
  const save = useSaveTemplate(templateKey, locale);
  const reset = useResetTemplate(templateKey, locale);
  const [params, setParams] = useSearchParams();
  const [resetOpen, setResetOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const invoices = useInvoices({ sort: '-created_at', page: 1, page_size: 50 });
  const form = useForm<FormValues>({ defaultValues: { subject: '', body: '' } });
  const { register, handleSubmit, setError, formState, watch } = form;
  const [mode, setMode] = useState<'simple' | 'advanced'>('simple');
  const [friendly, setFriendly] = useState<FriendlyTemplate | null>(null);
  const [advancedNote, setAdvancedNote] = useState<string | null>(null);

  const openSimple = (subject: string, body: string) => {
    const result = toFriendly(subject, body);
    if (result.ok) {
      setFriendly(result.template);
      setAdvancedNote(null);
      setMode('simple');
    } else {
      setAdvancedNote(result.reason);
      setMode('advanced');
    }
  };

  useEffect(() => {
    if (!template.data) return;
    form.reset({ subject: template.data.subject, body: template.data.body });
    openSimple(template.data.subject, template.data.body);
  }, [template.data, form]);

  const changeSimple = (next: FriendlyTemplate) => {
    setFriendly(next);
    const jinja = fromFriendly(next);
    form.setValue('subject', jinja.subject, { shouldDirty: true });
    form.setValue('body', jinja.body, { shouldDirty: true });
  };

  const invoiceParam = params.get('invoice');
  const invoiceId = invoiceParam && /^\d+$/.test(invoiceParam) ? Number(invoiceParam) : null;
  const subject = watch('subject');
  const body = watch('body');
  const [debouncedSubject] = useDebouncedValue(subject, 400);
  const [debouncedBody] = useDebouncedValue(body, 400);
  const previewInput = useMemo(
    () =>
      template.data
        ? { template_key: templateKey, locale, invoice_id: invoiceId, subject: debouncedSubject, body: debouncedBody }
        : null,
    [template.data, templateKey, locale, invoiceId, debouncedSubject, debouncedBody],
  );
  const preview = usePreview(previewInput);
  const languages = templateRows(catalog)
    .filter((row) => row.key === templateKey)
    .map((row) => ({ value: row.locale, label: languageName(row.locale, 'en') ?? row.locale }));
  const variables = catalog.variables.filter((v) => catalog.keys.find((k) => k.key === templateKey)?.variables.includes(v.name) ?? true);

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      await save.mutateAsync(values);
      notifications.show({ color: 'teal', message: 'Template saved. Reminders use it from now on.' });
    } catch (error) {
      setFormError(applyApiErrors(error, setError, ['subject', 'body']));
    }
  });

  const onReset = async () => {
    try {
      await reset.mutateAsync();
      setResetOpen(false);
      notifications.show({ color: 'gray', message: 'Back to the default template.' });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t reset the template', message: errorMessage(error) });
    }
  };

  if (template.isPending) return <PageLoader />;
  if (template.isError) return <InlineError error={template.error} onRetry={() => void template.refetch()} />;

  return (
    <Grid gutter="lg">
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Paper withBorder p="lg" component="form" onSubmit={onSubmit} aria-label="Template editor">
          <Group justify="space-between" mb="md">
            <Title order={2} fz="md" fw={600}>
              {templateKey.replace('_', ' ')} · {locale}
            </Title>
            <Badge variant="light" color={template.data.is_default ? 'gray' : 'indigo'} c={template.data.is_default ? undefined : 'indigo.9'}>
              {template.data.is_default ? 'Default' : 'Edited'}
            </Badge>
          </Group>
          <Stack gap="md">
            {formError && (
              <Alert color="red" title="Couldn’t save">
                {formError}
              </Alert>
            )}
            <SegmentedControl
              value={mode}
              onChange={(value) => (value === 'simple' ? openSimple(form.getValues('subject'), form.getValues('body')) : setMode('advanced'))}
              data={[
                { value: 'simple', label: 'Simple' },
                { value: 'advanced', label: 'Advanced (Markdown + Jinja)' },
              ]}
              aria-label="Editor"
            />
            {advancedNote && (
              <Alert color="gray" title="Opened in the advanced editor" data-testid="advanced-note">
                {advancedNote} The simple editor would change it, so it shows here exactly as written.
              </Alert>
            )}
            {mode === 'simple' && friendly ? (
              <SimpleTemplateEditor value={friendly} onChange={changeSimple} variables={variables} subjectError={formState.errors.subject?.message} />
            ) : (
              <>
                <TextInput label="Subject" {...register('subject', { required: 'Give the email a subject.' })} error={formState.errors.subject?.message} />
                <Textarea
                  label="Body (Markdown)"
                  autosize
                  minRows={12}
                  maxRows={28}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
                  {...register('body', { required: 'Write the email.' })}
                  error={formState.errors.body?.message}
                />
              </>
            )}
            <Group justify="space-between">
              <Button
                variant="subtle"
                color="gray"
                leftSection={<IconRestore size={16} />}
                disabled={template.data.is_default}
                onClick={() => setResetOpen(true)}
              >
                Reset to default
              </Button>
              <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={save.isPending} disabled={!formState.isDirty}>
                Save template
              </Button>
            </Group>
          </Stack>
          {mode === 'advanced' && (<>
          <Title order={3} fz="sm" fw={600} mt="lg" mb="xs">
            Variables
          </Title>
          <Spoiler maxHeight={150} showLabel="Show all variables" hideLabel="Show fewer">
          <Stack gap={6} component="dl" aria-label="Template variables" m={0}>
            {variables.map((variable) => (
              <div key={variable.name}>
                <Code component="dt">{`{{ ${variable.name} }}`}</Code>
                <Text component="dd" size="xs" c="dimmed" m={0} mt={2}>
                  {variable.description}
                  {variable.example && ` (e.g. ${variable.example})`}
                </Text>
              </div>
            ))}
          </Stack>
          </Spoiler>
          </>)}
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Stack gap="sm">
          <Group grow align="flex-start">
          <Select
            label="Language"
            data={languages}
            value={locale}
            onChange={(value) => {
              if (!value) return;
              const next = new URLSearchParams(params);
              next.set('locale', value);
              setParams(next, { replace: true });
            }}
            allowDeselect={false}
          />
          <Select
            label="Preview with"
            data={[
              { value: '', label: 'A sample invoice' },
              ...(invoices.data?.items ?? []).map((invoice) => ({
                value: String(invoice.id),
                label: `${invoice.number} · ${invoice.client_name}`,
              })),
            ]}
            value={invoiceId === null ? '' : String(invoiceId)}
            onChange={(value) => {
              const next = new URLSearchParams(params);
              if (value) next.set('invoice', value);
              else next.delete('invoice');
              setParams(next, { replace: true });
            }}
            allowDeselect={false}
            searchable
          />
          </Group>
          <TemplatePreview preview={preview.data} error={preview.error} loading={preview.isFetching} />
        </Stack>
      </Grid.Col>
      <ConfirmModal
        opened={resetOpen}
        onClose={() => setResetOpen(false)}
        onConfirm={onReset}
        loading={reset.isPending}
        title="Reset to the default template?"
        confirmLabel="Reset"
      >
        Your edits to this template ({locale}) are deleted and reminders use DueSpark’s default text again.
      </ConfirmModal>
    </Grid>
  );
}
