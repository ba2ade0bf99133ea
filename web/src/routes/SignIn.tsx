import { Alert, Anchor, Button, Checkbox, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { isApiError } from '@/api/errors';
import { safeNext, useLogin, useRestoreSession } from '@/features/auth/hooks/queries';
import { applyApiErrors } from '@/lib/forms';
import { AuthLayout } from './AuthLayout';

const schema = z.object({
  email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email address'),
  password: z.string().min(1, 'Enter your password'),
  code: z.string().trim().max(64, 'A code is at most 64 characters').optional(),
  remember_device: z.boolean().optional(),
});
type Values = z.infer<typeof schema>;

export default function SignIn() {
  const [searchParams] = useSearchParams();
  const next = safeNext(searchParams.get('next'));
  const navigate = useNavigate();
  // A reload of this page with a live refresh cookie goes straight back into the app.
  const signedIn = useRestoreSession().status === 'signed-in';
  const login = useLogin();
  const [formError, setFormError] = useState<string | null>(null);
  // Set once the password was right and the account has two-factor sign-in: the form asks for the code.
  const [needsCode, setNeedsCode] = useState(false);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { email: '', password: '', code: '', remember_device: false },
  });

  if (signedIn && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      if (needsCode && !values.code) {
        form.setError('code', { message: 'Enter the 6-digit code from your authenticator app' });
        return;
      }
      await login.mutateAsync(needsCode ? values : { email: values.email, password: values.password });
      navigate(next, { replace: true });
    } catch (error) {
      if (isApiError(error) && error.code === 'TwoFactorRequired') {
        setNeedsCode(true);
      } else if (isApiError(error) && error.status === 401) {
        setFormError(needsCode ? 'That code, email or password is wrong.' : 'That email and password don’t match an account.');
      } else {
        setFormError(applyApiErrors(error, form.setError, ['email', 'password']));
      }
    }
  });

  return (
    <AuthLayout
      title="Sign in to DueSpark"
      subtitle="Welcome back. Let’s get you paid."
      footer={
        <>
          New to DueSpark?{' '}
          <Anchor component={Link} to={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} fw={500}>
            Create an account
          </Anchor>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {formError && (
            <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
              {formError}
            </Alert>
          )}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            error={form.formState.errors.email?.message}
            {...form.register('email')}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            error={form.formState.errors.password?.message}
            {...form.register('password')}
          />
          {needsCode && (
            <>
              <TextInput
                label="Authentication code"
                description="The 6 digits your authenticator app shows, or one of your recovery codes."
                autoComplete="one-time-code"
                inputMode="numeric"
                maxLength={64}
                error={form.formState.errors.code?.message}
                {...form.register('code')}
              />
              <Checkbox label="Don’t ask again on this browser for 30 days" {...form.register('remember_device')} />
              <Text size="xs" c="dimmed">
                Lost your phone? Type a recovery code instead; each one works once.
              </Text>
            </>
          )}
          <Anchor component={Link} to="/reset-password" size="sm" style={{ alignSelf: 'flex-end' }} mt={-8}>
            Forgot your password?
          </Anchor>
          <Button type="submit" fullWidth loading={form.formState.isSubmitting} mt="xs">
            {needsCode ? 'Verify and sign in' : 'Sign in'}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
