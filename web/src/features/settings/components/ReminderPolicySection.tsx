import { Alert, Button, Chip, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import type { ReminderPolicy, ReminderStep } from '@/api/types';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { StepsEditor } from '@/features/reminders/components/StepsEditor';
import { stepFieldPaths, stepsForApi, toStepInput } from '@/features/reminders/steps';
import { useReminderPolicy, useSaveReminderPolicy } from '@/features/reminders/hooks/queries';
import { applyApiErrors } from '@/lib/forms';
import { RATE_SUFFIX_WIDTH, RateSuffix } from '@/components/ui/RateSuffix';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

interface Values {
  steps: ReminderStep[];
  send_window: { start: string; end: string; weekdays: string[] };
  late_interest_annual_rate_percent: string;
}

function formValues(policy: ReminderPolicy): Values {
  return {
    steps: policy.steps.map(toStepInput),
    send_window: { ...policy.send_window, weekdays: policy.send_window.weekdays.map(String) },
    late_interest_annual_rate_percent: policy.late_interest_annual_rate_percent,
  };
}

export function ReminderPolicySection({ timezone }: { timezone: string }) {
  const policy = useReminderPolicy();
  if (policy.isPending) return <PageLoader />;
  if (policy.isError) return <QueryError error={policy.error} onRetry={() => void policy.refetch()} />;
  return <PolicyForm policy={policy.data} timezone={timezone} />;
}

function PolicyForm({ policy, timezone }: { policy: ReminderPolicy; timezone: string }) {
  const save = useSaveReminderPolicy();
  const [formError, setFormError] = useState<string | null>(null);
  const { control, handleSubmit, setError, formState, register, reset } = useForm<Values>({ defaultValues: formValues(policy) });

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const saved = await save.mutateAsync({
        steps: stepsForApi(values.steps),
        send_window: { ...values.send_window, weekdays: values.send_window.weekdays.map(Number) },
        late_interest_annual_rate_percent: values.late_interest_annual_rate_percent.trim() || null,
      });
      reset(formValues(saved));
      notifications.show({ color: 'teal', message: 'Reminder policy saved. Planned reminders follow it from now on.' });
    } catch (error) {
      setFormError(
        applyApiErrors(error, setError, [
          ...stepFieldPaths(values.steps.length),
          'steps',
          'send_window',
          'send_window.start',
          'send_window.end',
          'send_window.weekdays',
          'late_interest_annual_rate_percent',
        ]),
      );
    }
  });

  return (
    <Paper withBorder p="lg" component="form" onSubmit={onSubmit} aria-label="Reminder policy">
      <Stack gap="lg">
        <div>
          <Title order={2} fz="md" fw={600}>
            Reminder schedule
          </Title>
          <Text size="sm" c="dimmed">
            When reminders go out, counted from each invoice’s due date, and in which tone. Clients can have their own schedule
            on their page.
          </Text>
        </div>
        {formError && <Alert color="red">{formError}</Alert>}
        {formState.errors.steps?.message && <Alert color="red">{formState.errors.steps.message}</Alert>}
        <StepsEditor control={control} errors={formState.errors} />
        <div>
          <Title order={3} fz="sm" fw={600}>
            Late fees and interest
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            Off unless a step above adds a fee. A fee is added only when that step’s email is really sent, once, and the email
            says so. Interest steps without their own rate use this statutory rate: check the one that applies to you (in the EU,
            for business clients, the central bank’s reference rate plus 8 points).
          </Text>
          <TextInput
            label="Statutory interest rate"
            w={220}
            rightSection={<RateSuffix />}
            rightSectionWidth={RATE_SUFFIX_WIDTH}
            rightSectionPointerEvents="none"
            {...register('late_interest_annual_rate_percent')}
            error={formState.errors.late_interest_annual_rate_percent?.message}
          />
        </div>
        <div>
          <Title order={3} fz="sm" fw={600}>
            Business hours
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            Reminders go out inside this window, in the client’s timezone (else yours: {timezone}).
          </Text>
          <Group gap="sm" align="flex-start">
            <TimeInput label="From" w={120} {...register('send_window.start')} error={formState.errors.send_window?.start?.message} />
            <TimeInput label="To" w={120} {...register('send_window.end')} error={formState.errors.send_window?.end?.message} />
          </Group>
          <Controller
            control={control}
            name="send_window.weekdays"
            render={({ field }) => (
              <Chip.Group multiple value={field.value} onChange={field.onChange}>
                <Group gap={6} mt="sm" aria-label="Send on these days">
                  {WEEKDAYS.map((day, i) => (
                    <Chip key={day} value={String(i + 1)} size="xs">
                      {day}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            )}
          />
          {(formState.errors.send_window?.weekdays?.message || formState.errors.send_window?.message) && (
            <Text c="red" size="xs" mt={4}>
              {formState.errors.send_window?.weekdays?.message ?? formState.errors.send_window?.message}
            </Text>
          )}
        </div>
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending} disabled={!formState.isDirty}>
            Save schedule
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
