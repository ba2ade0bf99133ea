import type { ReactNode } from 'react';
import { Stack, Text, ThemeIcon, Title } from '@mantine/core';

export interface EmptyStateProps {
  icon: ReactNode;
  title: string;
  description?: ReactNode;
  /** The one next step: a Button or a link styled as one. */
  action?: ReactNode;
  color?: string;
  compact?: boolean;
}

/** One empty state for the whole app: icon, headline, one action. */
export function EmptyState({ icon, title, description, action, color = 'indigo', compact }: EmptyStateProps) {
  return (
    <Stack align="center" gap="xs" py={compact ? 'lg' : 48} px="md" ta="center" data-testid="empty-state">
      <ThemeIcon size={compact ? 40 : 52} radius="xl" variant="light" color={color} aria-hidden>
        {icon}
      </ThemeIcon>
      <Title order={3} fz={compact ? 'md' : 'lg'} fw={600} mt={4}>
        {title}
      </Title>
      {description && (
        <Text c="dimmed" size="sm" maw={420}>
          {description}
        </Text>
      )}
      {action && <div style={{ marginTop: 8 }}>{action}</div>}
    </Stack>
  );
}
