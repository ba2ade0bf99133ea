import { Anchor, Stack, Tabs, Text } from '@mantine/core';
import { IconBell, IconBuilding, IconCreditCard, IconDatabase, IconKey, IconSend, IconUser } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '@/components/ui/PageHeader';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useMe } from '@/features/auth/hooks/queries';
import { ApiTokensSection } from '@/features/settings/components/ApiTokensSection';
import { CompanySection } from '@/features/settings/components/CompanySection';
import { DataSection } from '@/features/settings/components/DataSection';
import { ReminderPolicySection } from '@/features/settings/components/ReminderPolicySection';
import { SendingSection } from '@/features/settings/components/SendingSection';
import { StripeSection } from '@/features/settings/components/StripeSection';
import { ProfileSection } from '@/features/settings/components/ProfileSection';
import { PublicUrlWarning } from '@/features/settings/components/PublicUrlWarning';
import { useAccount } from '@/features/settings/hooks/queries';

const TABS = ['profile', 'company', 'reminders', 'sending', 'payments', 'api', 'data'] as const;

export default function Settings() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(searchParams.get('tab') ?? '') ? searchParams.get('tab')! : 'profile';
  const me = useMe();
  const account = useAccount();

  return (
    <div style={{ maxWidth: 900 }}>
      <PageHeader title="Settings" description="Your profile, company, reminder schedule, sending, payments and data." />
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
          <Tabs.Tab value="company" leftSection={<IconBuilding size={16} />}>
            Company
          </Tabs.Tab>
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
          <Tabs.Tab value="data" leftSection={<IconDatabase size={16} />}>
            Your data
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="profile">
          {me.isPending ? <PageLoader /> : me.isError ? <QueryError error={me.error} onRetry={() => void me.refetch()} /> : <ProfileSection me={me.data} />}
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
          {account.data ? <ReminderPolicySection timezone={account.data.timezone} /> : <PageLoader />}
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
            <StripeSection />
            <Text size="sm" c="dimmed">
              Payment instructions (bank details or other ways to pay, shown on every payment page) are on the{' '}
              <Anchor component={Link} to="/settings?tab=company">
                Company tab
              </Anchor>
              .
            </Text>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="data">
          <DataSection />
        </Tabs.Panel>
        <Tabs.Panel value="api">
          <ApiTokensSection />
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
