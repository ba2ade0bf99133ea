import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle, IconCircleCheck, IconMailForward } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router';
import { z } from 'zod';
import { api, unwrap } from '@/api/client';
import { applyApiErrors } from '@/lib/forms';
import { LIMITS, PASSWORD_HINT, tooLong } from '@/lib/limits';
import { AuthLayout } from './AuthLayout';

const requestSchema = z.object({ email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email address') });
const resetSchema = z.object({
  new_password: z
    .string()
    .min(LIMITS.passwordMin, `Use at least ${LIMITS.passwordMin} characters`)
    .max(LIMITS.passwordMax, tooLong(LIMITS.passwordMax)),
});

/** /reset-password asks for the email; /reset-password?token=… (the emailed link) sets the new password. */
export default function ResetPassword() {
  const token = useSearchParams()[0].get('token');
  return (
    <AuthLayout
      title={token ? 'Choose a new password' : 'Reset your password'}
      subtitle={token ? 'Then sign in with it.' : 'We’ll email you a link to choose a new one.'}
      footer={
        <Anchor component={Link} to="/signin" fw={500}>
          Back to sign in
        </Anchor>
      }
    >
      {token ? <NewPasswordForm token={token} /> : <RequestForm />}
    </AuthLayout>
  );
}

function RequestForm() {
  const request = useMutation({
    mutationFn: async (email: string) => unwrap(await api.POST('/api/auth/password-reset/request', { body: { email } })),
  });
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ email: string }>({ resolver: zodResolver(requestSchema), defaultValues: { email: '' } });
  const onSubmit = form.handleSubmit(async ({ email }) => {
    setFormError(null);
    try {
      await request.mutateAsync(email);
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ['email']));
    }
  });
  if (request.isSuccess) {
    return (
      <Alert color="teal" variant="light" icon={<IconMailForward size={18} />} role="status">
        If an account uses {form.getValues('email')}, a link to reset its password is on its way. It works once and expires
        soon.
      </Alert>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {formError && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
            {formError}
          </Alert>
        )}
        <TextInput label="Email" type="email" autoComplete="email" error={form.formState.errors.email?.message} {...form.register('email')} />
        <Button type="submit" fullWidth loading={request.isPending}>
          Email me a reset link
        </Button>
      </Stack>
    </form>
  );
}

function NewPasswordForm({ token }: { token: string }) {
  const reset = useMutation({
    mutationFn: async (new_password: string) => unwrap(await api.POST('/api/auth/password-reset', { body: { token, new_password } })),
  });
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ new_password: string }>({ resolver: zodResolver(resetSchema), defaultValues: { new_password: '' } });
  const onSubmit = form.handleSubmit(async ({ new_password }) => {
    setFormError(null);
    try {
      await reset.mutateAsync(new_password);
    } catch (error) {
      // A bad or used token comes back on the `token` field, which this form doesn't show as an input.
      setFormError(applyApiErrors(error, form.setError, ['new_password']));
    }
  });
  if (reset.isSuccess) {
    return (
      <Stack gap="md">
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} role="status">
          Your password is changed, and every other session is signed out.
        </Alert>
        <Button component={Link} to="/signin" fullWidth>
          Sign in
        </Button>
      </Stack>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {formError && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
            {formError}{' '}
            <Anchor component={Link} to="/reset-password" size="sm">
              Ask for a new link
            </Anchor>
          </Alert>
        )}
        <PasswordInput
          label="New password"
          autoComplete="new-password"
          description={PASSWORD_HINT}
          error={form.formState.errors.new_password?.message}
          {...form.register('new_password')}
        />
        <Text size="xs" c="dimmed">
          The link in your email works once.
        </Text>
        <Button type="submit" fullWidth loading={reset.isPending}>
          Set new password
        </Button>
      </Stack>
    </form>
  );
}
