import { Button, Group, Paper, Progress, Stack, Text, ThemeIcon, Title, VisuallyHidden } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Account } from '@/api/types';
import { ModeSwitchButton } from '@/features/settings/components/ModeSwitchButton';

export interface ChecklistState {
  account: Account;
  hasClient: boolean;
  hasInvoice: boolean;
  /** A template was edited (and so previewed), or a reminder went out. */
  previewed: boolean;
  /** Clients have a way to pay: instructions or card (from /api/account/payment-setup). */
  canBePaid?: boolean;
}

interface Step {
  title: string;
  text: string;
  done: boolean;
  action: ReactNode;
}

/** From sign-up to live: company and sender, first client, first invoice, a preview, then the switch. */
export function OnboardingChecklist({ account, hasClient, hasInvoice, previewed, canBePaid = false }: ChecklistState) {
  const steps: Step[] = [
    {
      title: 'Your company and sender',
      text: 'The name and email address your clients see on reminders.',
      done: Boolean(account.name && account.sender_email),
      action: <Button component={Link} to="/settings?tab=company" size="xs" variant="light">Open company settings</Button>,
    },
    {
      title: 'Add your first client',
      text: 'Who you bill, and where reminders go.',
      done: hasClient,
      action: <Button component={Link} to="/clients/new" size="xs" variant="light">Add client</Button>,
    },
    {
      title: 'Add your first invoice',
      text: 'DueSpark plans its reminders at once. Or import the invoices you already sent.',
      done: hasInvoice,
      action: <Button component={Link} to="/invoices/new" size="xs" variant="light">New invoice</Button>,
    },
    {
      title: 'Preview a reminder',
      text: 'See the email exactly as your client will, and adjust the wording.',
      done: previewed,
      action: <Button component={Link} to="/templates" size="xs" variant="light">Open templates</Button>,
    },
    {
      title: 'How your clients pay',
      text: 'Bank details or other instructions on the payment page, or card payments with Stripe. Going live needs one.',
      done: canBePaid,
      action: (
        <Group gap="xs" wrap="nowrap">
          <Button component={Link} to="/settings?tab=company" size="xs" variant="light">Bank details</Button>
          <Button component={Link} to="/settings?tab=payments" size="xs" variant="default">Stripe</Button>
        </Group>
      ),
    },
    {
      title: 'Go live',
      text: 'Until then every reminder goes to you, marked as a test.',
      done: !account.test_mode,
      action: <ModeSwitchButton account={account} size="xs" />,
    },
  ];
  const done = steps.filter((s) => s.done).length;
  const next = steps.findIndex((s) => !s.done);
  return (
    <Paper withBorder p={{ base: 'lg', sm: 'xl' }} data-testid="onboarding">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} fz="lg" fw={600}>
            Get your invoices paid on time
          </Title>
          <Text c="dimmed" size="sm">
            {done} of {steps.length} done. You’re in test mode until the last step.
          </Text>
        </div>
      </Group>
      <Progress value={(done / steps.length) * 100} size="sm" radius="xl" my="md" aria-label={`${done} of ${steps.length} steps done`} />
      <Stack gap={0} component="ol" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {steps.map((step, index) => (
          <Group
            key={step.title}
            component="li"
            justify="space-between"
            wrap="nowrap"
            py="sm"
            style={{ borderTop: index ? '1px solid var(--mantine-color-default-border)' : undefined }}
            data-done={step.done || undefined}
          >
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <ThemeIcon radius="xl" size={26} variant={step.done ? 'filled' : 'light'} color={step.done ? 'teal' : 'gray'} aria-hidden>
                {step.done ? <IconCheck size={15} /> : <Text size="xs" fw={600}>{index + 1}</Text>}
              </ThemeIcon>
              <div>
                <Text size="sm" fw={600} td={step.done ? 'line-through' : undefined} c={step.done ? 'dimmed' : undefined}>
                  {step.title}
                  {step.done && <VisuallyHidden> (done)</VisuallyHidden>}
                </Text>
                {!step.done && (
                  <Text size="xs" c="dimmed">
                    {step.text}
                  </Text>
                )}
              </div>
            </Group>
            {(!step.done || index === steps.length - 1) && index >= next && <div style={{ flexShrink: 0 }}>{step.action}</div>}
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
