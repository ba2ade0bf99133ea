import { Paper, Stack, Title } from '@mantine/core';
import type { Id } from '@/api/types';
import { AnswerCard } from '@/features/answers/components/AnswerCard';
import { useInvoiceAnswers } from '@/features/answers/hooks/queries';

/** The client's open answers about this invoice, with the decisions they wait for; nothing when there are none. */
export function InvoiceAnswers({ invoiceId }: { invoiceId: Id }) {
  const answers = useInvoiceAnswers(invoiceId);
  const open = answers.data?.filter((answer) => answer.status === 'open') ?? [];
  if (open.length === 0) return null;
  return (
    <Paper withBorder p="lg" data-testid="invoice-answers">
      <Title order={2} fz="md" fw={600} mb="md">
        The client answered
      </Title>
      <Stack gap="sm">
        {open.map((answer) => (
          <AnswerCard key={answer.id} answer={answer} showInvoice={false} />
        ))}
      </Stack>
    </Paper>
  );
}
