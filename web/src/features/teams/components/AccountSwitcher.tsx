import { Select } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBuildingStore } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { errorMessage } from '@/api/errors';
import { useMyAccounts, useSwitchAccount } from '../hooks';
import { ROLE_LABELS } from '../roles';

/** For a user in several accounts: which one this session works in (new tokens name it). Nothing for one account. */
export function AccountSwitcher() {
  const accounts = useMyAccounts();
  const switchAccount = useSwitchAccount();
  const navigate = useNavigate();
  if (!accounts.data || accounts.data.length < 2) return null;
  const current = accounts.data.find((account) => account.current);
  return (
    <Select
      aria-label="Switch account"
      data-testid="account-switcher"
      leftSection={<IconBuildingStore size={16} />}
      data={accounts.data.map((account) => ({ value: String(account.id), label: `${account.name} · ${ROLE_LABELS[account.role]}` }))}
      value={current ? String(current.id) : null}
      allowDeselect={false}
      disabled={switchAccount.isPending}
      onChange={(value) => {
        if (!value || value === String(current?.id)) return;
        switchAccount.mutate(Number(value), {
          onSuccess: () => navigate('/', { replace: true }),
          onError: (error) => notifications.show({ color: 'red', title: 'Couldn’t switch the account', message: errorMessage(error) }),
        });
      }}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
