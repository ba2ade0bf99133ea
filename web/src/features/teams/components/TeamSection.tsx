import { ActionIcon, Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMailForward, IconSend, IconTrash, IconUserMinus, IconUsers } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '@/api/errors';
import type { Invitation, Member } from '@/api/types';
import { ConfirmModal } from '@/components/ui/ConfirmModal';
import { EmptyState } from '@/components/ui/EmptyState';
import { ErrorState } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { useChangeRole, useInvitations, useInvite, useMembers, useRemoveMember, useResendInvitation, useRevokeInvitation } from '../hooks';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type RoleName } from '../roles';

type InvitedRole = 'admin' | 'member' | 'viewer';
const INVITABLE: InvitedRole[] = ['admin', 'member', 'viewer'];

function notifyError(title: string, error: unknown) {
  notifications.show({ color: 'red', title, message: errorMessage(error) });
}

/** Settings → Team: who belongs to the account with which role, and the open invitations. */
export function TeamSection({ myRole, myUserId }: { myRole: RoleName; myUserId: number }) {
  const members = useMembers();
  const invitations = useInvitations();
  const invite = useInvite();
  const resend = useResendInvitation();
  const revoke = useRevokeInvitation();
  const changeRole = useChangeRole();
  const removeMember = useRemoveMember();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InvitedRole>('member');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  // Only an owner gives or takes the owner role (the server says so too).
  const assignable: RoleName[] = myRole === 'owner' ? ['owner', ...INVITABLE] : INVITABLE;

  const onInvite = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setEmailError('Enter the address to invite');
      return;
    }
    setEmailError(null);
    try {
      const sent = await invite.mutateAsync({ email: email.trim(), role });
      notifications.show({ color: 'teal', message: `Invitation sent to ${sent.email}.` });
      setEmail('');
    } catch (error) {
      setEmailError(errorMessage(error));
    }
  };

  const onRoleChange = (member: Member, next: string | null) => {
    if (!next || next === member.role) return;
    changeRole.mutate(
      { userId: member.user_id, role: next as RoleName },
      {
        onSuccess: () => notifications.show({ color: 'teal', message: `${member.name} is now ${ROLE_LABELS[next as RoleName].toLowerCase()}.` }),
        onError: (error) => notifyError('Couldn’t change the role', error),
      },
    );
  };

  const onRemove = async () => {
    if (!removing) return;
    try {
      await removeMember.mutateAsync(removing.user_id);
      notifications.show({ color: 'teal', message: `${removing.name} was removed from the team.` });
      setRemoving(null);
    } catch (error) {
      notifyError('Couldn’t remove the member', error);
    }
  };

  const onResend = (invitation: Invitation) =>
    resend.mutate(invitation.id, {
      onSuccess: () => notifications.show({ color: 'teal', message: `Invitation sent again to ${invitation.email}.` }),
      onError: (error) => notifyError('Couldn’t resend the invitation', error),
    });

  const onRevoke = (invitation: Invitation) =>
    revoke.mutate(invitation.id, {
      onSuccess: () => notifications.show({ color: 'teal', message: `Invitation to ${invitation.email} was revoked.` }),
      onError: (error) => notifyError('Couldn’t revoke the invitation', error),
    });

  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
      <Stack gap="lg">
        <div>
          <Text fw={600}>Team</Text>
          <Text size="sm" c="dimmed">
            Invite the people who chase payments with you. Each gets a role that says what they may do.
          </Text>
        </div>
        <form onSubmit={onInvite} noValidate aria-label="Invite a team member">
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Email address"
              type="email"
              placeholder="colleague@example.com"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={emailError}
              style={{ flex: '1 1 240px' }}
              maxLength={320}
            />
            <Select
              label="Role"
              data={INVITABLE.map((value) => ({ value, label: ROLE_LABELS[value] }))}
              value={role}
              onChange={(value) => value && setRole(value as InvitedRole)}
              allowDeselect={false}
              w={160}
            />
            <Button type="submit" mt={25} loading={invite.isPending} leftSection={<IconSend size={16} />}>
              Send invitation
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mt={6}>
            {ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}.
          </Text>
        </form>

        {members.isPending ? (
          <Text c="dimmed" size="sm">
            Loading the team…
          </Text>
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={520} type="native">
            <Table verticalSpacing="sm" aria-label="Team members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th w={170}>Role</Table.Th>
                  <Table.Th w={60}>
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {members.data.map((member) => {
                  const fixed = member.user_id === myUserId || (member.role === 'owner' && myRole !== 'owner');
                  return (
                    <Table.Tr key={member.user_id}>
                      <Table.Td fw={500}>{member.name}</Table.Td>
                      <Table.Td>{member.email}</Table.Td>
                      <Table.Td>
                        {fixed ? (
                          <Badge variant="light">{ROLE_LABELS[member.role]}</Badge>
                        ) : (
                          <Select
                            aria-label={`Role of ${member.name}`}
                            data={assignable.map((value) => ({ value, label: ROLE_LABELS[value] }))}
                            value={member.role}
                            onChange={(value) => onRoleChange(member, value)}
                            allowDeselect={false}
                            size="xs"
                          />
                        )}
                      </Table.Td>
                      <Table.Td>
                        {!fixed && (
                          <Tooltip label="Remove from the team">
                            <ActionIcon variant="subtle" color="red" aria-label={`Remove ${member.name}`} onClick={() => setRemoving(member)}>
                              <IconUserMinus size={16} />
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}

        <div>
          <Text fw={600} size="sm" mb="xs">
            Open invitations
          </Text>
          {invitations.isPending ? null : invitations.isError ? (
            <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />
          ) : invitations.data.length === 0 ? (
            <EmptyState compact icon={<IconUsers size={20} />} title="No open invitations" description="Invitations you send wait here until they are accepted." />
          ) : (
            <Table verticalSpacing="sm" aria-label="Open invitations">
              <Table.Tbody>
                {invitations.data.map((invitation) => (
                  <Table.Tr key={invitation.id}>
                    <Table.Td fw={500}>{invitation.email}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color="gray">
                        {ROLE_LABELS[invitation.role]}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="dimmed">
                        Sent <RelativeTime value={invitation.sent_at} />
                      </Text>
                    </Table.Td>
                    <Table.Td w={90}>
                      <Group gap={4} wrap="nowrap">
                        <Tooltip label="Send again (the earlier link stops working)">
                          <ActionIcon variant="subtle" aria-label={`Resend the invitation to ${invitation.email}`} onClick={() => onResend(invitation)}>
                            <IconMailForward size={16} />
                          </ActionIcon>
                        </Tooltip>
                        <Tooltip label="Revoke">
                          <ActionIcon variant="subtle" color="red" aria-label={`Revoke the invitation to ${invitation.email}`} onClick={() => onRevoke(invitation)}>
                            <IconTrash size={16} />
                          </ActionIcon>
                        </Tooltip>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </div>
      </Stack>
      <ConfirmModal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        onConfirm={() => void onRemove()}
        title="Remove this member?"
        confirmLabel="Remove"
        loading={removeMember.isPending}
      >
        {removing?.name} ({removing?.email}) loses access to this account at once: their sessions and API tokens for it stop working.
      </ConfirmModal>
    </Paper>
  );
}
