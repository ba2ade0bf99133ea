import { Group, Text } from '@mantine/core';

export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--mantine-primary-color-filled)" />
      <path d="M18 5 9 18h6l-2 9 10-14h-6z" fill="#fff" />
    </svg>
  );
}

export function Logo({ size = 28, withText = false }: { size?: number; withText?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <LogoMark size={size} />
      {withText && (
        <Text fw={700} fz="lg" lh={1}>
          DueSpark
        </Text>
      )}
    </Group>
  );
}
