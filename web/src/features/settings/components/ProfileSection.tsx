import { Alert, Button, Divider, Group, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { isApiError } from '@/api/errors';
import type { Me } from '@/api/types';
import { useUpdateMe } from '@/features/auth/hooks/queries';
import { LIMITS, PASSWORD_HINT, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';

const nameSchema = z.object({ name: z.string().trim().min(1, 'Enter your name').max(LIMITS.personName, tooLong(LIMITS.personName)) });
const passwordSchema = z
  .object({
    current_password: z.string().min(1, 'Enter your current password'),
    new_password: z.string().min(LIMITS.passwordMin, `Use at least ${LIMITS.passwordMin} characters`).max(LIMITS.passwordMax, tooLong(LIMITS.passwordMax)),
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, { path: ['confirm'], message: 'The passwords don’t match' });

export function ProfileSection({ me }: { me: Me }) {
  const update = useUpdateMe();
  const [nameError, setNameError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const nameForm = useForm<z.infer<typeof nameSchema>>({ resolver: zodResolver(nameSchema), defaultValues: { name: me.name } });
  const pwForm = useForm<z.infer<typeof passwordSchema>>({
    resolver: zodResolver(passwordSchema),
    defaultValues: { current_password: '', new_password: '', confirm: '' },
  });

  const saveName = nameForm.handleSubmit(async (values) => {
    setNameError(null);
    try {
      const updated = await update.mutateAsync({ name: values.name.trim() });
      nameForm.reset({ name: updated.name });
      notifications.show({ color: 'teal', message: 'Profile saved.' });
    } catch (error) {
      setNameError(applyApiErrors(error, nameForm.setError, ['name']));
    }
  });

  const savePassword = pwForm.handleSubmit(async (values) => {
    setPasswordError(null);
    try {
      await update.mutateAsync({ current_password: values.current_password, new_password: values.new_password });
      pwForm.reset();
      notifications.show({ color: 'teal', message: 'Password changed.' });
    } catch (error) {
      if (isApiError(error) && (error.status === 401 || error.status === 403)) {
        pwForm.setError('current_password', { type: 'server', message: 'That isn’t your current password' }, { shouldFocus: true });
        return;
      }
      setPasswordError(applyApiErrors(error, pwForm.setError, ['current_password', 'new_password']));
    }
  });

  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="xl">
        <form onSubmit={saveName} noValidate aria-labelledby="profile-heading">
          <Stack gap="md" maw={480}>
            <div>
              <Text fw={600} id="profile-heading">
                Profile
              </Text>
              <Text size="sm" c="dimmed">
                Signed in as {me.email}
                {me.email_verified ? '' : ' (not verified yet)'}.
              </Text>
            </div>
            {nameError && (
              <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
                {nameError}
              </Alert>
            )}
            <TextInput label="Your name" autoComplete="name" error={nameForm.formState.errors.name?.message} {...nameForm.register('name')} />
            <TextInput label="Email" value={me.email} readOnly disabled description="Contact support to change the email you sign in with." />
            <Group>
              <Button type="submit" loading={nameForm.formState.isSubmitting} disabled={!nameForm.formState.isDirty}>
                Save profile
              </Button>
            </Group>
          </Stack>
        </form>
        <Divider />
        <form onSubmit={savePassword} noValidate aria-labelledby="password-heading">
          <Stack gap="md" maw={480}>
            <Text fw={600} id="password-heading">
              Change password
            </Text>
            {passwordError && (
              <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
                {passwordError}
              </Alert>
            )}
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              error={pwForm.formState.errors.current_password?.message}
              {...pwForm.register('current_password')}
            />
            <PasswordInput
              label="New password"
              description={PASSWORD_HINT}
              autoComplete="new-password"
              error={pwForm.formState.errors.new_password?.message}
              {...pwForm.register('new_password')}
            />
            <PasswordInput
              label="Confirm new password"
              autoComplete="new-password"
              error={pwForm.formState.errors.confirm?.message}
              {...pwForm.register('confirm')}
            />
            <Group>
              <Button type="submit" variant="default" loading={pwForm.formState.isSubmitting}>
                Change password
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
