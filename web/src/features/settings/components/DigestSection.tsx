import { Group, Paper, Select, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { DigestPreferences } from '@/api/types';
import { PageLoader, QueryError } from '@/components/ui/QueryStates';
import { useDigestPreferences, useSaveDigestPreferences } from '@/features/settings/hooks/digest';
import { errorMessage } from '@/api/errors';

const HOURS = Array.from({ length: 24 }, (_, hour) => ({ value: String(hour), label: `${String(hour).padStart(2, '0')}:00` }));

/** The member's own morning email: on or off, and the local hour it comes at. */
export function DigestSection() {
  const preferences = useDigestPreferences();
  if (preferences.isPending) return <PageLoader />;
  if (preferences.isError) return <QueryError error={preferences.error} onRetry={() => void preferences.refetch()} />;
  return <DigestForm preferences={preferences.data} />;
}

function DigestForm({ preferences }: { preferences: DigestPreferences }) {
  const save = useSaveDigestPreferences();
  const change = async (next: Partial<DigestPreferences>) => {
    const { enabled, send_hour, timezone, locale } = { ...preferences, ...next };
    try {
      await save.mutateAsync({ enabled, send_hour, timezone, locale });
      notifications.show({ color: 'teal', message: enabled ? 'Daily digest saved.' : 'Daily digest turned off.' });
    } catch (error) {
      notifications.show({ color: 'red', message: errorMessage(error) });
    }
  };
  return (
    <Paper withBorder p={{ base: 'md', sm: 'xl' }} aria-labelledby="digest-title">
      <Stack gap="sm" maw={480}>
        <div>
          <Title order={2} fz="md" fw={600} id="digest-title">
            Daily digest
          </Title>
          <Text size="sm" c="dimmed">
            A morning email with what DueSpark sent yesterday, what was paid, what failed, what needs you and what is planned
            today. None on a day with nothing to say. Times are in {preferences.effective_timezone}.
          </Text>
        </div>
        <Group align="flex-end">
          <Switch
            label="Email me a daily digest"
            checked={preferences.enabled}
            disabled={save.isPending}
            onChange={(event) => void change({ enabled: event.currentTarget.checked })}
          />
          <Select
            label="At"
            aria-label="Digest hour"
            data={HOURS}
            value={String(preferences.send_hour)}
            allowDeselect={false}
            disabled={!preferences.enabled || save.isPending}
            onChange={(value) => value !== null && void change({ send_hour: Number(value) })}
            w={110}
          />
        </Group>
      </Stack>
    </Paper>
  );
}
