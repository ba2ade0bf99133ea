import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
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
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '', password: '' } });

  if (signedIn && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await login.mutateAsync(values);
      navigate(next, { replace: true });
    } catch (error) {
      if (isApiError(error) && error.status === 401) {
        setFormError('That email and password don’t match an account.');
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
          <Anchor component={Link} to="/reset-password" size="sm" style={{ alignSelf: 'flex-end' }} mt={-8}>
            Forgot your password?
          </Anchor>
          <Button type="submit" fullWidth loading={form.formState.isSubmitting} mt="xs">
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
