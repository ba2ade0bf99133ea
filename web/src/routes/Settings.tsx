import { Stack, Tabs } from '@mantine/core';
import { IconBuilding, IconKey, IconUser } from '@tabler/icons-react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '@/components/ui/PageHeader';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useMe } from '@/features/auth/hooks/queries';
import { ApiTokensSection } from '@/features/settings/components/ApiTokensSection';
import { CompanySection } from '@/features/settings/components/CompanySection';
import { ProfileSection } from '@/features/settings/components/ProfileSection';
import { useAccount } from '@/features/settings/hooks/queries';

const TABS = ['profile', 'company', 'api'] as const;

export default function Settings() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(searchParams.get('tab') ?? '') ? searchParams.get('tab')! : 'profile';
  const me = useMe();
  const account = useAccount();

  return (
    <div style={{ maxWidth: 900 }}>
      <PageHeader title="Settings" description="Your profile, your company, and API access." />
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
          <Tabs.Tab value="api" leftSection={<IconKey size={16} />}>
            API tokens
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
        <Tabs.Panel value="api">
          <ApiTokensSection />
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
