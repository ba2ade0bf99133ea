import { Alert, Button, Group, NumberInput, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { AnswerSettings } from '@/api/types';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useAnswerSettings, useSaveAnswerSettings } from '@/features/answers/hooks/queries';
import { applyApiErrors } from '@/lib/forms';

const FIELDS = ['promise_limit_days', 'promise_grace_days', 'paid_claim_hold_days'] as const;

/** How clients' answers on the pay page hold reminders: how far ahead a promise may go, grace, check days. */
export function AnswerSettingsSection() {
  const settings = useAnswerSettings();
  if (settings.isPending) return <PageLoader />;
  if (settings.isError) return <QueryError error={settings.error} onRetry={() => void settings.refetch()} />;
  return <AnswerSettingsForm settings={settings.data} />;
}

function AnswerSettingsForm({ settings }: { settings: AnswerSettings }) {
  const save = useSaveAnswerSettings();
  const [formError, setFormError] = useState<string | null>(null);
  const { control, handleSubmit, setError, formState, reset } = useForm<AnswerSettings>({ defaultValues: settings });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      reset(await save.mutateAsync(values));
      notifications.show({ color: 'teal', message: 'Saved. New answers from clients follow these settings.' });
    } catch (error) {
      setFormError(applyApiErrors(error, setError, [...FIELDS]));
    }
  });
  const field = (name: (typeof FIELDS)[number], label: string, description: string, min: number, max: number) => (
    <Controller
      control={control}
      name={name}
      render={({ field: input, fieldState }) => (
        <NumberInput
          label={label}
          description={description}
          min={min}
          max={max}
          allowDecimal={false}
          suffix=" days"
          value={input.value}
          onChange={(value) => input.onChange(typeof value === 'number' ? value : Number(value))}
          error={fieldState.error?.message}
        />
      )}
    />
  );
  return (
    <Paper withBorder p="lg" component="form" onSubmit={onSubmit} aria-labelledby="answer-settings-title">
      <Stack gap="md">
        <div>
          <Title order={2} fz="md" fw={600} id="answer-settings-title">
            Client answers
          </Title>
          <Text size="sm" c="dimmed">
            On the pay page clients can promise a date, ask a question or say they already paid. Reminders wait for them.
          </Text>
        </div>
        {formError && <Alert color="red">{formError}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {field('promise_limit_days', 'Promise at most', 'How far ahead a client may promise to pay', 1, 365)}
          {field('promise_grace_days', 'Grace after a promised date', 'Reminders resume after this', 0, 30)}
          {field('paid_claim_hold_days', '“Already paid” holds for', 'Time for you to check and confirm', 1, 60)}
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} disabled={!formState.isDirty}>
            Save
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
