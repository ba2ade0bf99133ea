import { Badge, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconChecks } from '@tabler/icons-react';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader } from '@/components/ui/PageHeader';
import { QueryError } from '@/components/ui/QueryStates';
import { AnswerCard } from '@/features/answers/components/AnswerCard';
import { useAttention } from '@/features/answers/hooks/queries';
import { UnansweredReplies } from '@/features/replies/components/UnansweredReplies';

/** What each section asks of the user, under its title. */
const HINTS: Record<string, string> = {
  open_disputes: 'Reminders for these invoices are stopped until you mark them resolved.',
  paid_claims: 'Check your account; confirming records the payment, “Not received” resumes reminders.',
  promises_due: 'Reminders wait until the promised date plus the grace days.',
  promises_missed: 'The client was sent a “promise missed” email and reminders have resumed.',
};

export default function Attention() {
  const attention = useAttention();
  const sections = attention.data?.sections.filter((section) => section.count > 0) ?? [];
  const replies = attention.data?.unanswered_replies ?? 0;
  return (
    <>
      <PageHeader
        title="Needs attention"
        description="What your clients told you: email replies, questions, payments to confirm and promised dates."
      />
      {attention.isPending ? (
        <Stack>
          <Skeleton h={120} />
          <Skeleton h={120} />
        </Stack>
      ) : attention.isError ? (
        <QueryError error={attention.error} onRetry={() => void attention.refetch()} />
      ) : sections.length === 0 && replies === 0 ? (
        <EmptyState
          icon={<IconChecks size={26} />}
          color="teal"
          title="Nothing needs you right now"
          description="When a client replies to a reminder, promises a date, asks a question or says they paid, it shows up here."
        />
      ) : (
        <Stack gap="xl">
          {replies > 0 && <UnansweredReplies />}
          {sections.map((section) => (
            <section key={section.key} aria-labelledby={`attention-${section.key}`} data-testid={`attention-${section.key}`}>
              <Group gap="xs" mb={4}>
                <Title order={2} fz="lg" id={`attention-${section.key}`}>
                  {section.title}
                </Title>
                <Badge variant="light" circle>
                  {section.count}
                </Badge>
              </Group>
              {HINTS[section.key] && (
                <Text size="sm" c="dimmed" mb="sm">
                  {HINTS[section.key]}
                </Text>
              )}
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
                {section.items.map((answer) => (
                  <AnswerCard key={answer.id} answer={answer} />
                ))}
              </SimpleGrid>
            </section>
          ))}
        </Stack>
      )}
    </>
  );
}
