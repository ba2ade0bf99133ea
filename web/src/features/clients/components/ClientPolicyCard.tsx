import { Alert, Button, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { ClientPolicy, ClientPolicyInput, Id, ReminderStep } from '@/api/types';
import { InlineError } from '@/components/ui/QueryStates';
import { describeOffset } from '@/features/invoices/activity';
import { StepsEditor } from '@/features/reminders/components/StepsEditor';
import { useClientPolicy, useSaveClientPolicy } from '@/features/reminders/hooks/queries';
import { describeFee, stepFieldPaths, stepsForApi, toStepInput, TONES } from '@/features/reminders/steps';
import { applyApiErrors } from '@/lib/forms';

type Mode = ClientPolicyInput['mode'];

const MODES: { value: Mode; label: string }[] = [
  { value: 'account', label: 'Account schedule' },
  { value: 'custom', label: 'Custom' },
  { value: 'none', label: 'No reminders' },
];

export function ClientPolicyCard({ clientId }: { clientId: Id }) {
  const policy = useClientPolicy(clientId);
  return (
    <Paper withBorder p="lg" data-testid="client-policy">
      <Title order={2} fz="md" fw={600} mb="sm">
        Reminder schedule
      </Title>
      {policy.isError ? (
        <InlineError error={policy.error} onRetry={() => void policy.refetch()} />
      ) : policy.data ? (
        <PolicyForm key={JSON.stringify(policy.data)} clientId={clientId} policy={policy.data} />
      ) : (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      )}
    </Paper>
  );
}

function toSteps(policy: ClientPolicy): ReminderStep[] {
  return policy.steps.map(toStepInput);
}

function PolicyForm({ clientId, policy }: { clientId: Id; policy: ClientPolicy }) {
  const save = useSaveClientPolicy(clientId);
  const [mode, setMode] = useState<Mode>(policy.mode);
  const [formError, setFormError] = useState<string | null>(null);
  const { control, handleSubmit, setError, formState } = useForm<{ steps: ReminderStep[] }>({ defaultValues: { steps: toSteps(policy) } });

  const submit = handleSubmit(async ({ steps }) => {
    setFormError(null);
    try {
      await save.mutateAsync({ mode, steps: mode === 'custom' ? stepsForApi(steps) : [] });
      notifications.show({ color: 'teal', message: 'The client’s reminder schedule is saved.' });
    } catch (error) {
      setFormError(applyApiErrors(error, setError, [...stepFieldPaths(steps.length), 'steps']));
    }
  });

  const tone = (key: string) => TONES.find((t) => t.value === key)?.label ?? key;
  return (
    <Stack gap="sm" component="form" onSubmit={submit} aria-label="Client reminder schedule">
      <SegmentedControl size="xs" value={mode} onChange={(value) => setMode(value as Mode)} data={MODES} fullWidth />
      {formError && <Alert color="red">{formError}</Alert>}
      {formState.errors.steps?.message && <Alert color="red">{formState.errors.steps.message}</Alert>}
      {mode === 'custom' ? (
        <StepsEditor control={control} errors={formState.errors} />
      ) : mode === 'none' ? (
        <Text size="sm" c="dimmed">
          This client gets no reminders. Pausing is the gentler option if it’s temporary.
        </Text>
      ) : (
        <Stack gap={2}>
          {policy.mode === 'account' &&
            policy.steps.map((step) => (
              <Text size="sm" key={step.step_key}>
                {tone(step.template_key)} · <Text span c="dimmed" size="sm">{describeOffset(step.offset_days)}</Text>
                {step.fee && (
                  <Text span c="dimmed" size="sm">
                    {' '}
                    · {describeFee(step.fee)}
                  </Text>
                )}
              </Text>
            ))}
          <Text size="xs" c="dimmed">
            Follows your account’s schedule (Settings → Reminders).
          </Text>
        </Stack>
      )}
      <Group justify="flex-end">
        <Button type="submit" size="xs" loading={save.isPending} disabled={mode === policy.mode && !formState.isDirty}>
          Save schedule
        </Button>
      </Group>
    </Stack>
  );
}
