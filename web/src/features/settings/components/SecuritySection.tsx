import { Alert, Badge, Button, Code, CopyButton, Group, Image, Paper, PasswordInput, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDevices, IconShieldCheck, IconShieldLock } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, isApiError } from '@/api/errors';
import type { TwoFactorEnrolment } from '@/api/types';
import { ErrorState } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import {
  useConfirmEnrolment,
  useDisableTwoFactor,
  useSessions,
  useSignOutOthers,
  useSignOutSession,
  useStartEnrolment,
  useTwoFactor,
} from '../hooks/security';

/** The message for one field of a failed request; other failures are said under the first field. */
function fieldError(error: unknown, field: string, first = true): string | null {
  if (!error) return null;
  const own = isApiError(error) ? error.fieldErrors.find((item) => item.field === field) : undefined;
  if (own) return own.message;
  const anyField = isApiError(error) && error.fieldErrors.length > 0;
  return first && !anyField ? errorMessage(error) : null;
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <Alert color="teal" variant="light" title="Save your recovery codes now" icon={<IconShieldCheck size={18} />}>
      <Text size="sm" mb="sm">
        Each code signs you in once if you lose your phone. This is the only time they are shown: print them or keep them in
        your password manager.
      </Text>
      <Code block aria-label="Recovery codes">
        {codes.join('\n')}
      </Code>
      <Group mt="sm" gap="sm">
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button variant="light" size="xs" onClick={copy}>
              {copied ? 'Copied' : 'Copy codes'}
            </Button>
          )}
        </CopyButton>
        <Button size="xs" variant="default" onClick={onDone}>
          I’ve saved them
        </Button>
      </Group>
    </Alert>
  );
}

function Enrol({ enrolment, onCodes }: { enrolment: TwoFactorEnrolment; onCodes: (codes: string[]) => void }) {
  const confirm = useConfirmEnrolment();
  const [code, setCode] = useState('');
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onCodes((await confirm.mutateAsync(code.trim())).recovery_codes);
    } catch {
      /* shown under the field */
    }
  };
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
      <Stack gap="xs" align="center">
        <Image src={enrolment.qr_svg} alt="QR code to scan with your authenticator app" w={200} h={200} />
        <Text size="xs" c="dimmed" ta="center">
          Can’t scan? Type this key:
        </Text>
        <Code aria-label="Secret key" style={{ wordBreak: 'break-all' }}>
          {enrolment.secret}
        </Code>
      </Stack>
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            1. Scan the code with an authenticator app (1Password, Google Authenticator, Authy…).
            <br />
            2. Type the 6 digits it shows to confirm.
          </Text>
          <TextInput
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={64}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={fieldError(confirm.error, 'code')}
          />
          <Button type="submit" loading={confirm.isPending} disabled={!code.trim()}>
            Turn on two-factor sign-in
          </Button>
        </Stack>
      </form>
    </SimpleGrid>
  );
}

function Disable() {
  const disable = useDisableTwoFactor();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await disable.mutateAsync({ password, code: code.trim() });
      notifications.show({ color: 'teal', message: 'Two-factor sign-in is off.' });
    } catch {
      /* shown under the fields */
    }
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <Group align="flex-start" gap="sm" wrap="wrap">
        <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError(disable.error, 'password', false)} w={{ base: '100%', xs: 220 }} />
        <TextInput label="Code" maxLength={64} value={code} onChange={(e) => setCode(e.currentTarget.value)} error={fieldError(disable.error, 'code')} w={{ base: '100%', xs: 160 }} />
        <Button type="submit" color="red" variant="light" mt={{ base: 0, xs: 25 }} loading={disable.isPending} disabled={!password || !code.trim()}>
          Turn off
        </Button>
      </Group>
    </form>
  );
}

function TwoFactorPanel() {
  const status = useTwoFactor();
  const start = useStartEnrolment();
  const [codes, setCodes] = useState<string[] | null>(null);

  if (status.isError) return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const enabled = status.data?.enabled ?? false;
  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Text fw={600}>Two-factor sign-in</Text>
            <Text size="sm" c="dimmed">
              A code from your phone at every sign-in, so a stolen password alone cannot open your account.
            </Text>
          </div>
          {status.data && (
            <Badge color={enabled ? 'teal' : 'gray'} variant="light" leftSection={<IconShieldLock size={12} />} style={{ flexShrink: 0 }}>
              {enabled ? 'On' : 'Off'}
            </Badge>
          )}
        </Group>
        {status.data?.required_by_account && !enabled && (
          <Alert color="orange" variant="light">
            Your account’s owner requires two-factor sign-in: turn it on to keep using DueSpark.
          </Alert>
        )}
        {codes ? (
          <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
        ) : enabled ? (
          <Stack gap="xs">
            <Text size="sm">
              {status.data?.recovery_codes_left} of 10 recovery codes left. To turn two-factor sign-in off, confirm with your
              password and a code.
            </Text>
            <Disable />
          </Stack>
        ) : start.data ? (
          <Enrol enrolment={start.data} onCodes={setCodes} />
        ) : (
          <Group>
            <Button leftSection={<IconShieldCheck size={16} />} loading={start.isPending} onClick={() => start.mutate()}>
              Set up two-factor sign-in
            </Button>
            {start.error ? <Text size="sm" c="red">{errorMessage(start.error)}</Text> : null}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

function SessionsPanel() {
  const sessions = useSessions();
  const signOut = useSignOutSession();
  const signOutOthers = useSignOutOthers();
  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Text fw={600}>Where you’re signed in</Text>
            <Text size="sm" c="dimmed">
              Each sign-in, newest use first. Changing your password signs out all the others.
            </Text>
          </div>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconDevices size={14} />}
            loading={signOutOthers.isPending}
            onClick={() =>
              signOutOthers.mutate(undefined, {
                onSuccess: ({ signed_out }) => notifications.show({ color: 'teal', message: `Signed out ${signed_out} other session(s).` }),
              })
            }
          >
            Sign out everywhere else
          </Button>
        </Group>
        {sessions.isError ? (
          <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={360} type="native">
            <Table verticalSpacing="xs" aria-label="Signed-in devices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th w={100}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(sessions.data ?? []).map((item) => (
                  <Table.Tr key={item.family_id}>
                    <Table.Td>
                      <Text size="sm" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                        {item.user_agent ?? 'Unknown device'}
                      </Text>
                      <Text size="xs" c="dimmed">
                        Signed in <RelativeTime value={item.created_at} />
                        {item.ip ? ` · ${item.ip}` : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <RelativeTime value={item.last_used_at} />
                    </Table.Td>
                    <Table.Td>
                      {item.current ? (
                        <Text size="xs" fw={600} c="indigo.9">
                          This browser
                        </Text>
                      ) : (
                        <Button size="xs" variant="subtle" color="red" onClick={() => signOut.mutate(item.family_id)}>
                          Sign out
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}

export function SecuritySection() {
  return (
    <Stack gap="lg">
      <TwoFactorPanel />
      <SessionsPanel />
    </Stack>
  );
}
