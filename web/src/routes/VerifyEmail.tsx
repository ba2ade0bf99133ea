import { Alert, Anchor, Button, Loader, Stack, Text } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '@/api/client';
import { errorMessage } from '@/api/errors';
import { authKeys, useSessionStatus } from '@/features/auth/hooks/queries';
import { AuthLayout } from './AuthLayout';

/** The link in the verification email: /verify-email?token=… confirms the address at once. */
export default function VerifyEmail() {
  const token = useSearchParams()[0].get('token') ?? '';
  const signedIn = useSessionStatus() === 'signed-in';
  const queryClient = useQueryClient();
  // A query (not an effect) so the one-use token is sent once even under StrictMode's double render.
  const verify = useQuery({
    queryKey: ['verify-email', token],
    queryFn: async () => {
      const result = unwrap(await api.POST('/api/auth/verify-email', { body: { token } }));
      void queryClient.invalidateQueries({ queryKey: authKeys.me });
      return result;
    },
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });

  return (
    <AuthLayout
      title="Confirm your email"
      subtitle="So reminders and password resets reach you."
      footer={
        <Anchor component={Link} to={signedIn ? '/' : '/signin'} fw={500}>
          {signedIn ? 'Go to your dashboard' : 'Sign in'}
        </Anchor>
      }
    >
      {token === '' ? (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
          This link is missing its code. Open the link from the email again, or ask for a new one in Settings → Profile.
        </Alert>
      ) : verify.isPending ? (
        <Stack align="center" py="md">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Confirming…
          </Text>
        </Stack>
      ) : verify.isError ? (
        <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
          {errorMessage(verify.error)} The link may have expired or been used already; ask for a new one in Settings → Profile.
        </Alert>
      ) : (
        <Stack gap="md">
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} role="status">
            {verify.data.email} is confirmed.
          </Alert>
          <Button component={Link} to={signedIn ? '/' : '/signin'} fullWidth>
            {signedIn ? 'Continue to DueSpark' : 'Sign in'}
          </Button>
        </Stack>
      )}
    </AuthLayout>
  );
}
