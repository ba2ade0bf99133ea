import type { ReactNode } from 'react';
import { Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Logo } from '@/components/ui/Logo';

export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Center mih="100dvh" px="md" py="xl" component="main">
      <Box w="100%" maw={420}>
        <Stack align="center" gap={6} mb="lg">
          <Logo size={36} />
          <Title order={1} fz={24} fw={650} mt="sm" ta="center">
            {title}
          </Title>
          <Text c="dimmed" size="sm" ta="center">
            {subtitle}
          </Text>
        </Stack>
        <Paper withBorder shadow="xs" p={{ base: 'lg', sm: 'xl' }}>
          {children}
        </Paper>
        <Text size="sm" c="dimmed" ta="center" mt="md">
          {footer}
        </Text>
        <Text size="xs" c="dimmed" ta="center" mt="xl">
          DueSpark · Friendly reminders, paid invoices.
        </Text>
      </Box>
    </Center>
  );
}
