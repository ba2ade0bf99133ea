import { Alert, Anchor, Button, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { zodResolver } from '@hookform/resolvers/zod';
import { IconAlertCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { z } from 'zod';
import { errorMessage } from '@/api/errors';
import type { InvitationPreview } from '@/api/types';
import { useLogout, useMe, useRestoreSession } from '@/features/auth/hooks/queries';
import { useAcceptInvitation, useInvitationPreview, useRegisterInvited } from '@/features/teams/hooks';
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from '@/features/teams/roles';
import { applyApiErrors } from '@/lib/forms';
import { LIMITS, PASSWORD_HINT, tooLong } from '@/lib/limits';
import { AuthLayout } from './AuthLayout';

const schema = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(LIMITS.personName, tooLong(LIMITS.personName)),
  password: z.string().min(LIMITS.passwordMin, `Use at least ${LIMITS.passwordMin} characters`).max(LIMITS.passwordMax, tooLong(LIMITS.passwordMax)),
});
type Values = z.infer<typeof schema>;

function Failure({ children }: { children: string }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
      {children}
    </Alert>
  );
}

/** Signed in: join with one click, if the invitation names this user's address. */
function AcceptSignedIn({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const me = useMe();
  const accept = useAcceptInvitation();
  const logout = useLogout();
  const navigate = useNavigate();
  if (!me.data) return <Loader size="sm" />;
  if (me.data.email.toLowerCase() !== invitation.email.toLowerCase()) {
    return (
      <Stack gap="md">
        <Failure>{`This invitation is for ${invitation.email}, and you are signed in as ${me.data.email}.`}</Failure>
        <Button variant="default" onClick={() => logout.mutate(undefined, { onSettled: () => navigate(`/signin?next=${encodeURIComponent(`/invite/${token}`)}`) })}>
          Sign out and sign in as {invitation.email}
        </Button>
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      {accept.isError && <Failure>{errorMessage(accept.error)}</Failure>}
      <Button loading={accept.isPending} onClick={() => accept.mutate(token, { onSuccess: () => navigate('/', { replace: true }) })} fullWidth>
        Join {invitation.account_name}
      </Button>
    </Stack>
  );
}

/** No user for the invited address yet: sign up with it (and no other). */
function SignUpInvited({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const register = useRegisterInvited();
  const navigate = useNavigate();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { name: '', password: '' } });
  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await register.mutateAsync({ token, email: invitation.email, ...values });
      navigate('/', { replace: true });
    } catch (error) {
      setFormError(applyApiErrors(error, form.setError, ['name', 'password']));
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {formError && <Failure>{formError}</Failure>}
        <TextInput label="Email" value={invitation.email} readOnly description="The invited address" />
        <TextInput label="Your name" autoComplete="name" error={form.formState.errors.name?.message} {...form.register('name')} />
        <PasswordInput
          label="Password"
          description={PASSWORD_HINT}
          autoComplete="new-password"
          error={form.formState.errors.password?.message}
          {...form.register('password')}
        />
        <Button type="submit" loading={register.isPending} fullWidth>
          Create account and join
        </Button>
      </Stack>
    </form>
  );
}

/** The link in an invitation email: /invite/<token>. */
export default function Invite() {
  const token = useParams().token ?? '';
  const status = useRestoreSession().status;
  const preview = useInvitationPreview(token);
  const invitation = preview.data;
  const next = encodeURIComponent(`/invite/${token}`);

  return (
    <AuthLayout
      title={invitation ? `Join ${invitation.account_name}` : 'Join a team on DueSpark'}
      subtitle={invitation ? `${invitation.invited_by ?? 'A team'} invited ${invitation.email} as ${ROLE_LABELS[invitation.role].toLowerCase()}.` : 'An invitation to chase payments together.'}
      footer={
        <Anchor component={Link} to="/" fw={500}>
          Go to DueSpark
        </Anchor>
      }
    >
      {preview.isPending || status === 'unknown' ? (
        <Stack align="center" py="md">
          <Loader size="sm" />
        </Stack>
      ) : preview.isError || !invitation ? (
        <Failure>{`${errorMessage(preview.error)} Ask the person who invited you to send a new invitation.`}</Failure>
      ) : (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {ROLE_LABELS[invitation.role]}: {ROLE_DESCRIPTIONS[invitation.role]}.
          </Text>
          {status === 'signed-in' ? (
            <AcceptSignedIn token={token} invitation={invitation} />
          ) : invitation.has_user ? (
            <Button component={Link} to={`/signin?next=${next}`} fullWidth>
              Sign in as {invitation.email} to join
            </Button>
          ) : (
            <SignUpInvited token={token} invitation={invitation} />
          )}
        </Stack>
      )}
    </AuthLayout>
  );
}
