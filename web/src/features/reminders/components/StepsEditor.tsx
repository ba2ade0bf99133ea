import { ActionIcon, Button, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { Controller, useFieldArray, useWatch, type Control, type FieldErrors } from 'react-hook-form';
import type { ReminderStep } from '@/api/types';
import { describeOffset } from '@/features/invoices/activity';
import { TONES } from '../steps';
import { FeeInput } from './FeeInput';

export interface StepsFormValues {
  steps: ReminderStep[];
}

/** Reminder steps: when (days from the due date), in which tone, and any late fee (after the due date only);
 * add, remove, reorder. */
export function StepsEditor<T extends StepsFormValues>({ control, errors }: { control: Control<T>; errors: FieldErrors<T> }) {
  const typed = control as unknown as Control<StepsFormValues>;
  const { fields, append, remove, move } = useFieldArray({ control: typed, name: 'steps' });
  const stepErrors = (errors as FieldErrors<StepsFormValues>).steps;
  return (
    <Stack gap="xs">
      {fields.length === 0 && (
        <Text size="sm" c="dimmed">
          No steps: no reminders are sent.
        </Text>
      )}
      {fields.map((field, index) => (
        <Stack key={field.id} gap={4} data-testid={`step-${index}`}>
          <Group align="flex-start" gap={4} wrap="nowrap">
            <Controller
              control={typed}
              name={`steps.${index}.offset_days`}
              render={({ field: input }) => (
                <NumberInput
                  aria-label={`Step ${index + 1} offset in days`}
                  w={{ base: 84, sm: 110 }}
                  style={{ flexShrink: 0 }}
                  allowDecimal={false}
                  value={input.value}
                  onChange={(value) => input.onChange(typeof value === 'number' ? value : Number(value) || 0)}
                  suffix=" d"
                  error={stepErrors?.[index]?.offset_days?.message}
                  description={describeOffset(input.value ?? 0)}
                  inputWrapperOrder={['input', 'description', 'error']}
                />
              )}
            />
            <Controller
              control={typed}
              name={`steps.${index}.template_key`}
              render={({ field: input }) => (
                <Select
                  aria-label={`Step ${index + 1} tone`}
                  data={TONES}
                  value={input.value}
                  onChange={(value) => value && input.onChange(value)}
                  allowDeselect={false}
                  // Grows into the room a phone has, so "Final notice" is not cut off.
                  style={{ flex: '1 1 0', minWidth: 0, maxWidth: 170 }}
                  error={stepErrors?.[index]?.template_key?.message}
                />
              )}
            />
            <ActionIcon variant="subtle" color="gray" mt={6} aria-label={`Move step ${index + 1} up`} disabled={index === 0} onClick={() => move(index, index - 1)}>
              <IconArrowUp size={16} />
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              color="gray"
              mt={6}
              aria-label={`Move step ${index + 1} down`}
              disabled={index === fields.length - 1}
              onClick={() => move(index, index + 1)}
            >
              <IconArrowDown size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" mt={6} aria-label={`Remove step ${index + 1}`} onClick={() => remove(index)}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
          <Controller
            control={typed}
            name={`steps.${index}.fee`}
            render={({ field: input }) => (
              <StepFee index={index} control={typed} value={input.value} onChange={input.onChange} errors={stepErrors?.[index]?.fee} />
            )}
          />
        </Stack>
      ))}
      <div>
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          onClick={() => {
            const last = fields.at(-1)?.offset_days ?? -4;
            append({ offset_days: last + 3, template_key: last + 3 > 0 ? 'firm' : 'friendly', fee: null });
          }}
        >
          Add step
        </Button>
      </div>
    </Stack>
  );
}

/** The fee row under a step: only steps after the due date may add one (a fee before it is no late fee). */
function StepFee({
  index,
  control,
  value,
  onChange,
  errors,
}: {
  index: number;
  control: Control<StepsFormValues>;
  value: ReminderStep['fee'];
  onChange: (fee: ReminderStep['fee']) => void;
  errors: Parameters<typeof FeeInput>[0]['errors'];
}) {
  const offset = useWatch({ control, name: `steps.${index}.offset_days` });
  if ((offset ?? 0) <= 0) {
    return errors?.message ? (
      <Text c="red" size="xs">
        {errors.message}
      </Text>
    ) : null;
  }
  return <FeeInput label={`Step ${index + 1}`} value={value} onChange={onChange} errors={errors} />;
}
