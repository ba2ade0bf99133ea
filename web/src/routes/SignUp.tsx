import { Alert, Anchor, Button, Group, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { safeNext, useRegister, useRestoreSession } from '@/features/auth/hooks/queries';
import { LIMITS, PASSWORD_HINT, tooLong } from '@/lib/limits';
import { applyApiErrors } from '@/lib/forms';
import { browserTimezone, currencyOptions } from '@/lib/options';
import { AuthLayout } from './AuthLayout';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(LIMITS.personName, tooLong(LIMITS.personName)),
  email: z.string().trim().min(1, 'Enter your email').email('Enter a valid email address'),
  password: z.string().min(LIMITS.passwordMin, `Use at least ${LIMITS.passwordMin} characters`).max(LIMITS.passwordMax, tooLong(LIMITS.passwordMax)),
  company_name: z.string().trim().max(LIMITS.accountName, tooLong(LIMITS.accountName)),
  default_currency: z.string().length(3),
});
type Values = z.infer<typeof schema>;
const FIELDS = ['name', 'email', 'password', 'company_name', 'default_currency'] as const;

function guessCurrency(): string {
  try {
    const region = new Intl.Locale(navigator.language).maximize().region;
    const map: Record<string, string> = { US: 'USD', GB: 'GBP', CH: 'CHF', CA: 'CAD', AU: 'AUD', JP: 'JPY', IN: 'INR', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN' };
    return (region && map[region]) || 'EUR';
  } catch {
    return 'EUR';
  }
}

export default function SignUp() {
  const [searchParams] = useSearchParams();
  const next = safeNext(searchParams.get('next'));
  const navigate = useNavigate();
  // A reload of this page with a live refresh cookie goes straight back into the app.
  const signedIn = useRestoreSession().status === 'signed-in';
  const register = useRegister();
  const [formError, setFormError] = useState<string | null>(null);
  const currencies = useMemo(() => currencyOptions(), []);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { name: '', email: '', password: '', company_name: '', default_currency: guessCurrency() },
  });
  const errors = form.formState.errors;

  if (signedIn && !register.isPending && !register.isSuccess) return <Navigate to={next} replace />;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await register.mutateAsync({
        ...values,
        company_name: values.company_name || null,
        timezone: browserTimezone(),
      });
      navigate(next, { replace: true });
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, FIELDS));
    }
  });

  return (
    <AuthLayout
      title="Create your DueSpark account"
      subtitle="Polite, persistent reminders so you don’t have to chase."
      footer={
        <>
          Already have an account?{' '}
          <Anchor component={Link} to={`/signin${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} fw={500}>
            Sign in
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
          <TextInput label="Your name" autoComplete="name" error={errors.name?.message} {...form.register('name')} />
          <TextInput label="Work email" type="email" autoComplete="email" error={errors.email?.message} {...form.register('email')} />
          <PasswordInput
            label="Password"
            description={PASSWORD_HINT}
            autoComplete="new-password"
            error={errors.password?.message}
            {...form.register('password')}
          />
          <Group grow align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Business name"
              description="Optional"
              autoComplete="organization"
              error={errors.company_name?.message}
              {...form.register('company_name')}
            />
            <Controller
              control={form.control}
              name="default_currency"
              render={({ field, fieldState }) => (
                <Select
                  label="Currency"
                  description="Your default"
                  data={currencies}
                  searchable
                  allowDeselect={false}
                  value={field.value}
                  onChange={(value) => field.onChange(value ?? 'EUR')}
                  onBlur={field.onBlur}
                  ref={field.ref}
                  error={fieldState.error?.message}
                  comboboxProps={{ withinPortal: true }}
                />
              )}
            />
          </Group>
          <Button type="submit" fullWidth loading={form.formState.isSubmitting} mt="xs">
            Create account
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
