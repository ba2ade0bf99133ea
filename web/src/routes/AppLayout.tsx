import {
  ActionIcon,
  AppShell,
  Avatar,
  Badge,
  Burger,
  Button,
  Center,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBell,
  IconBuildingBank,
  IconChevronDown,
  IconFileInvoice,
  IconInbox,
  IconLayoutDashboard,
  IconMailCog,
  IconLogout,
  IconMoon,
  IconPlugConnectedX,
  IconRefresh,
  IconSettings,
  IconSun,
  IconUsers,
} from '@tabler/icons-react';
import { Suspense, useEffect } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { Logo } from '@/components/ui/Logo';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageLoader } from '@/components/ui/QueryStates';
import { useAttention } from '@/features/answers/hooks/queries';
import { useLogout, useMe, useRestoreSession } from '@/features/auth/hooks/queries';
import { SetupWarnings } from '@/features/settings/components/SetupWarnings';
import { AccountSwitcher } from '@/features/teams/components/AccountSwitcher';

const NAV = [
  { to: '/', label: 'Dashboard', icon: IconLayoutDashboard, exact: true },
  { to: '/attention', label: 'Needs attention', icon: IconInbox, count: true },
  { to: '/clients', label: 'Clients', icon: IconUsers },
  { to: '/invoices', label: 'Invoices', icon: IconFileInvoice },
  { to: '/reconcile', label: 'Reconcile', icon: IconBuildingBank },
  { to: '/reminders', label: 'Reminders', icon: IconBell },
  { to: '/templates', label: 'Email templates', icon: IconMailCog },
  { to: '/settings', label: 'Settings', icon: IconSettings },
];

/** How many clients' answers wait for the user (Needs attention), beside its link; nothing when none. */
function AttentionCount() {
  const attention = useAttention();
  const count = attention.data?.count ?? 0;
  if (!count) return null;
  return (
    <Badge size="sm" circle variant="filled" color="orange" aria-label={`${count} waiting`} data-testid="attention-count">
      {count > 99 ? '99+' : count}
    </Badge>
  );
}

function initials(name: string | undefined) {
  if (!name) return '?';
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const label = scheme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme';
  return (
    <Tooltip label={label}>
      <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}>
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

/**
 * Test mode or live, always in view (the phone header, the top of the sidebar): in test mode every
 * email goes to the user, not the clients. Opens the settings where the account goes live.
 */
function ModeIndicator() {
  const me = useMe();
  if (!me.data) return null;
  const test = me.data.account.test_mode;
  return (
    <Tooltip label={test ? 'Reminders are sent to you, not to your clients, until you go live' : 'Reminders go to your clients'} withArrow>
      <UnstyledButton
        component={Link}
        to="/settings"
        data-testid="mode-indicator"
        style={{
          display: 'inline-flex',
          alignItems: 'center',
          gap: 6,
          padding: '2px 8px',
          borderRadius: 4,
          fontSize: 12,
          fontWeight: 600,
          lineHeight: '18px',
          whiteSpace: 'nowrap',
          minWidth: 0,
          // Dark text on a pale tint in both colour schemes: over 7:1 (Mantine's orange-9 is under 4.5:1 on its tint).
          color: test ? '#7a2e0b' : '#0b4f40',
          background: test ? 'var(--mantine-color-orange-0)' : 'var(--mantine-color-teal-0)',
          border: `1px solid ${test ? 'var(--mantine-color-orange-3)' : 'var(--mantine-color-teal-3)'}`,
        }}
      >
        <span aria-hidden style={{ display: 'inline-block', flexShrink: 0, width: 7, height: 7, borderRadius: 4, background: test ? 'var(--mantine-color-orange-7)' : 'var(--mantine-color-teal-7)' }} />
        {test ? 'Test mode: emails go to you' : 'Live'}
      </UnstyledButton>
    </Tooltip>
  );
}

function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const signOut = () => logout.mutate(undefined, { onSettled: () => navigate('/signin', { replace: true }) });
  return (
    <Menu position="top-start" width={230} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label="Account menu" style={{ flex: 1, minWidth: 0, borderRadius: 8, padding: 6 }}>
          <Group gap="sm" wrap="nowrap">
            <Avatar color="spark" radius="xl" size={32}>
              {initials(me.data?.name)}
            </Avatar>
            <div style={{ flex: 1, minWidth: 0 }}>
              <Text size="sm" fw={600} truncate>
                {me.data?.name ?? '…'}
              </Text>
              <Text size="xs" c="dimmed" truncate>
                {me.data?.account.name ?? me.data?.email ?? ''}
              </Text>
            </div>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.data?.email}</Menu.Label>
        <Menu.Item component={Link} to="/settings" leftSection={<IconSettings size={16} />}>
          Settings
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconLogout size={16} />} onClick={signOut}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export default function AppLayout() {
  const session = useRestoreSession();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const me = useMe();

  useEffect(() => close(), [location.pathname, close]);

  if (session.status === 'signed-out') {
    const next = encodeURIComponent(`${location.pathname}${location.search}`);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  if (session.status === 'unknown') {
    return (
      <Center mih="100dvh" component="main">
        {session.unreachable ? (
          <EmptyState
            icon={<IconPlugConnectedX size={26} />}
            color="red"
            title="Can’t reach DueSpark"
            description="Check your connection. Your session is kept; try again when you’re back online."
            action={
              <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={session.retry}>
                Try again
              </Button>
            }
          />
        ) : (
          <PageLoader />
        )}
      </Center>
    );
  }

  const isActive = (to: string, exact?: boolean) =>
    exact ? location.pathname === to : location.pathname === to || location.pathname.startsWith(`${to}/`);

  return (
    <AppShell
      header={{ height: { base: 56, sm: 0 } }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'md', sm: 'xl' }}
    >
      <AppShell.Header hiddenFrom="sm" px="md">
        <Group h="100%" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Link to="/" aria-label="DueSpark home" style={{ color: 'inherit', textDecoration: 'none' }}>
              <Logo size={26} />
            </Link>
          </Group>
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <ModeIndicator />
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main">
        <AppShell.Section visibleFrom="sm" px={6} py={8} mb="sm">
          <Group justify="space-between">
            <Link to="/" aria-label="DueSpark home" style={{ color: 'inherit', textDecoration: 'none' }}>
              <Logo size={28} withText />
            </Link>
            <ColorSchemeToggle />
          </Group>
          <Group mt="sm">
            <ModeIndicator />
          </Group>
        </AppShell.Section>
        <AppShell.Section px={6} mb="sm">
          <AccountSwitcher />
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={2} component="nav">
            {NAV.map((item) => {
              const active = isActive(item.to, item.exact);
              return (
                <NavLink
                  key={item.to}
                  component={Link}
                  to={item.to}
                  label={item.label}
                  leftSection={<item.icon size={18} stroke={1.7} />}
                  rightSection={item.count ? <AttentionCount /> : undefined}
                  active={active}
                  aria-current={active ? 'page' : undefined}
                  variant="light"
                  style={{ borderRadius: 8 }}
                  fw={500}
                />
              );
            })}
          </Stack>
        </AppShell.Section>
        <AppShell.Section pt="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
          <UserMenu />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <div style={{ maxWidth: 1200, margin: '0 auto' }}>
          <SetupWarnings enabled={Boolean(me.data)} />
          <Suspense fallback={<PageLoader />}>
            <Outlet />
          </Suspense>
        </div>
      </AppShell.Main>
    </AppShell>
  );
}
