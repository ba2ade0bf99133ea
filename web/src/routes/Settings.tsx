import { Anchor, Stack, Tabs, Text } from '@mantine/core';
import { AnswerSettingsSection } from '@/features/answers/components/AnswerSettingsSection';
import {
  IconBell,
  IconBook2,
  IconBuilding,
  IconCreditCard,
  IconDatabase,
  IconHistory,
  IconKey,
  IconSend,
  IconShieldLock,
  IconUser,
  IconUsersGroup,
  IconWebhook,
} from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '@/components/ui/PageHeader';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useMe } from '@/features/auth/hooks/queries';
import { AccountingSection } from '@/features/settings/components/AccountingSection';
import { AuditLogSection } from '@/features/settings/components/AuditLogSection';
import { ApiTokensSection } from '@/features/settings/components/ApiTokensSection';
import { BankTransferSection } from '@/features/settings/components/BankTransferSection';
import { CompanySection } from '@/features/settings/components/CompanySection';
import { DataSection } from '@/features/settings/components/DataSection';
import { DigestSection } from '@/features/settings/components/DigestSection';
import { ReminderPolicySection } from '@/features/settings/components/ReminderPolicySection';
import { SecuritySection } from '@/features/settings/components/SecuritySection';
import { SendingSection } from '@/features/settings/components/SendingSection';
import { StripeSection } from '@/features/settings/components/StripeSection';
import { ProfileSection } from '@/features/settings/components/ProfileSection';
import { WebhooksSection } from '@/features/settings/components/WebhooksSection';
import { PublicUrlWarning } from '@/features/settings/components/PublicUrlWarning';
import { useAccount } from '@/features/settings/hooks/queries';
import { TeamSection } from '@/features/teams/components/TeamSection';
import { canManage } from '@/features/teams/roles';

const TABS = ['profile', 'security', 'company', 'team', 'reminders', 'sending', 'payments', 'integrations', 'api', 'webhooks', 'audit', 'data'] as const;
// Integrations, the team and the audit trail are for owners and admins (the server refuses the others anyway).
const MANAGER_TABS = ['team', 'integrations', 'webhooks', 'audit'];

export default function Settings() {
  const [searchParams, setSearchParams] = useSearchParams();
  const me = useMe();
  const manager = canManage(me.data?.role);
  const visible = TABS.filter((name) => manager || !MANAGER_TABS.includes(name));
  const tab = (visible as readonly string[]).includes(searchParams.get('tab') ?? '') ? searchParams.get('tab')! : 'profile';
  const account = useAccount();

  return (
    <div style={{ maxWidth: 900 }}>
      <PageHeader title="Settings" description="Your profile, company, reminder schedule, sending, payments, accounting, webhooks and data." />
      <PublicUrlWarning publicUrl={me.data?.public_url} />
      <Tabs
        value={tab}
        onChange={(value) => setSearchParams(value && value !== 'profile' ? { tab: value } : {}, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List mb="lg">
          <Tabs.Tab value="profile" leftSection={<IconUser size={16} />}>
            Profile
          </Tabs.Tab>
          <Tabs.Tab value="security" leftSection={<IconShieldLock size={16} />}>
            Security
          </Tabs.Tab>
          <Tabs.Tab value="company" leftSection={<IconBuilding size={16} />}>
            Company
          </Tabs.Tab>
          {manager && (
            <Tabs.Tab value="team" leftSection={<IconUsersGroup size={16} />}>
              Team
            </Tabs.Tab>
          )}
          <Tabs.Tab value="reminders" leftSection={<IconBell size={16} />}>
            Reminders
          </Tabs.Tab>
          <Tabs.Tab value="sending" leftSection={<IconSend size={16} />}>
            Sending
          </Tabs.Tab>
          <Tabs.Tab value="payments" leftSection={<IconCreditCard size={16} />}>
            Payments
          </Tabs.Tab>
          <Tabs.Tab value="api" leftSection={<IconKey size={16} />}>
            API tokens
          </Tabs.Tab>
          {manager && (
            <>
              <Tabs.Tab value="integrations" leftSection={<IconBook2 size={16} />}>
                Integrations
              </Tabs.Tab>
              <Tabs.Tab value="webhooks" leftSection={<IconWebhook size={16} />}>
                Webhooks
              </Tabs.Tab>
              <Tabs.Tab value="audit" leftSection={<IconHistory size={16} />}>
                Audit log
              </Tabs.Tab>
            </>
          )}
          <Tabs.Tab value="data" leftSection={<IconDatabase size={16} />}>
            Your data
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="profile">
          <Stack gap="lg">
            {me.isPending ? <PageLoader /> : me.isError ? <QueryError error={me.error} onRetry={() => void me.refetch()} /> : <ProfileSection me={me.data} />}
            <DigestSection />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="company">
          <Stack>
            {account.isPending ? (
              <PageLoader />
            ) : account.isError ? (
              <QueryError error={account.error} onRetry={() => void account.refetch()} />
            ) : (
              <CompanySection account={account.data} />
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="reminders">
          <Stack gap="lg">
            {account.data ? <ReminderPolicySection timezone={account.data.timezone} /> : <PageLoader />}
            <AnswerSettingsSection />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="sending">
          {account.isError ? (
            <QueryError error={account.error} onRetry={() => void account.refetch()} />
          ) : account.data ? (
            <SendingSection account={account.data} />
          ) : (
            <PageLoader />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="payments">
          <Stack gap="lg">
            <BankTransferSection />
            {manager && <StripeSection />}
            <Text size="sm" c="dimmed">
              Payment instructions (other ways to pay, shown on every payment page) are on the{' '}
              <Anchor component={Link} to="/settings?tab=company" underline="always">
                Company tab
              </Anchor>
              .
            </Text>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="team">
          {me.data && manager && <TeamSection myRole={me.data.role} myUserId={me.data.id} />}
        </Tabs.Panel>
        <Tabs.Panel value="security">
          <SecuritySection />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditLogSection />
        </Tabs.Panel>
        <Tabs.Panel value="data">
          <DataSection />
        </Tabs.Panel>
        <Tabs.Panel value="integrations">
          <AccountingSection />
        </Tabs.Panel>
        <Tabs.Panel value="api">
          <ApiTokensSection />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks">
          <WebhooksSection />
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
