import { ActionIcon, Alert, Button, Code, CopyButton, Group, Paper, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconKey, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/api/errors';
import type { ApiToken, ApiTokenCreated } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { EmptyState } from '@/components/ui/EmptyState';
import { ErrorState } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { LIMITS } from '@/lib/limits';
import { useApiTokens, useCreateApiToken, useDeleteApiToken } from '../hooks/queries';

export function ApiTokensSection() {
  const tokens = useApiTokens();
  const create = useCreateApiToken();
  const remove = useDeleteApiToken();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const onCreate = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setNameError('Name the token so you recognise it later');
      return;
    }
    setNameError(null);
    try {
      setCreated(await create.mutateAsync(name.trim()));
      setName('');
    } catch (error) {
      setNameError(errorMessage(error));
    }
  };

  const onRevoke = async () => {
    if (!revoking) return;
    try {
      await remove.mutateAsync(revoking.id);
      notifications.show({ color: 'teal', message: `Token “${revoking.name}” was revoked.` });
      setRevoking(null);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t revoke the token', message: errorMessage(error) });
    }
  };

  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="lg">
        <div>
          <Text fw={600}>API tokens</Text>
          <Text size="sm" c="dimmed">
            Let scripts and integrations use the DueSpark API on your behalf. Treat tokens like passwords.
          </Text>
        </div>
        <form onSubmit={onCreate} noValidate>
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Token name"
              placeholder="e.g. Accounting sync"
              maxLength={LIMITS.apiTokenName}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={nameError}
              style={{ flex: '1 1 240px' }}
              maw={360}
            />
            <Button type="submit" mt={25} loading={create.isPending} leftSection={<IconKey size={16} />}>
              Create token
            </Button>
          </Group>
        </form>
        {created && (
          <Alert color="teal" variant="light" title="Copy your new token now" withCloseButton onClose={() => setCreated(null)} closeButtonLabel="Dismiss">
            <Text size="sm" mb="xs">
              This is the only time it’s shown.
            </Text>
            <Group gap="xs" wrap="nowrap">
              <Code block style={{ flex: 1, overflowX: 'auto' }}>
                {created.token}
              </Code>
              <CopyButton value={created.token}>
                {({ copied, copy }) => (
                  <Tooltip label={copied ? 'Copied' : 'Copy token'}>
                    <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy token" size="lg">
                      {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                    </ActionIcon>
                  </Tooltip>
                )}
              </CopyButton>
            </Group>
          </Alert>
        )}
        {tokens.isPending ? (
          <Text c="dimmed" size="sm">
            Loading tokens…
          </Text>
        ) : tokens.isError ? (
          <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
        ) : tokens.data.length === 0 ? (
          <EmptyState compact icon={<IconKey size={20} />} title="No API tokens yet" description="Create one above when you need it." />
        ) : (
          <Table.ScrollContainer minWidth={420} type="native">
            <Table verticalSpacing="sm" aria-label="API tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th w={60}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((token) => (
                  <Table.Tr key={token.id}>
                    <Table.Td fw={500}>{token.name}</Table.Td>
                    <Table.Td>
                      <RelativeTime value={token.created_at} />
                    </Table.Td>
                    <Table.Td>{token.last_used_at ? <RelativeTime value={token.last_used_at} /> : <Text span c="dimmed" size="sm">Never</Text>}</Table.Td>
                    <Table.Td>
                      <Tooltip label="Revoke">
                        <ActionIcon variant="subtle" color="red" aria-label={`Revoke token ${token.name}`} onClick={() => setRevoking(token)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <ConfirmModal
        opened={!!revoking}
        onClose={() => setRevoking(null)}
        onConfirm={onRevoke}
        loading={remove.isPending}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
      >
        Anything using this token stops working immediately.
      </ConfirmModal>
    </Paper>
  );
}
