import { Badge, Button, CopyButton, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconCrystalBall } from '@tabler/icons-react';
import type { Invoice, PaymentLink, Prediction } from '@/api/types';
import { InlineError } from '@/components/ui/QueryStates';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { formatDate } from '@/lib/dates';

const BASIS: Record<Prediction['basis'], string> = {
  client: 'how this client has paid before',
  account: 'how your clients usually pay',
  due_date: 'the due date (no payment history yet)',
  promise: 'the date the client promised on the pay page',
};

/** Payment link with its clicks, and when the invoice is likely to be paid. */
export function GetPaidCard({ invoice, link, linkError, onRetryLink, prediction }: {
  invoice: Invoice;
  link: PaymentLink | undefined;
  linkError: unknown;
  onRetryLink: () => void;
  prediction: Prediction | undefined;
}) {
  return (
    <Paper withBorder p="lg">
      <Title order={2} fz="md" fw={600} mb="md">
        Get paid
      </Title>
      <Stack gap="md">
        {linkError ? (
          <InlineError error={linkError} onRetry={onRetryLink} />
        ) : link ? (
          <div>
            <CopyButton value={link.payment_url}>
              {({ copied, copy }) => (
                <Button
                  fullWidth
                  variant={copied ? 'light' : 'default'}
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                >
                  {copied ? 'Link copied' : 'Copy payment link'}
                </Button>
              )}
            </CopyButton>
            <Text size="xs" c="dimmed" mt={6} data-testid="link-clicks">
              {link.clicks.total === 0 ? (
                'Not opened yet.'
              ) : (
                <>
                  Opened {link.clicks.total} {link.clicks.total === 1 ? 'time' : 'times'}
                  {link.clicks.last_clicked_at && (
                    <>
                      , last <RelativeTime value={link.clicks.last_clicked_at} />
                    </>
                  )}
                  .
                </>
              )}
              {!link.card_payments && ' The page shows your payment instructions (connect Stripe for card payments).'}
            </Text>
          </div>
        ) : (
          <Text size="sm" c="dimmed">
            Loading the payment link…
          </Text>
        )}
        {prediction && !prediction.predicted_date && invoice.status !== 'paid' && invoice.status !== 'void' && (
          <div data-testid="prediction">
            <Group gap={6} mb={2}>
              <IconCrystalBall size={16} aria-hidden />
              <Text size="sm" fw={600}>
                No payment estimate
              </Text>
            </Group>
            <Text size="xs" c="dimmed">
              {prediction.no_estimate_reason}
            </Text>
          </div>
        )}
        {prediction && prediction.predicted_date && invoice.status !== 'paid' && invoice.status !== 'void' && (
          <div data-testid="prediction">
            <Group gap={6} mb={2}>
              <IconCrystalBall size={16} aria-hidden />
              <Text size="sm" fw={600}>
                Likely paid {formatDate(prediction.predicted_date)}
              </Text>
              <Badge size="xs" variant="light" color={{ high: 'teal', medium: 'yellow', low: 'gray' }[prediction.confidence_level]}>
                {prediction.confidence_level} confidence
              </Badge>
            </Group>
            <Tooltip label={`Between ${formatDate(prediction.earliest_date ?? prediction.predicted_date)} and ${formatDate(prediction.latest_date ?? prediction.predicted_date)}`}>
              <Text size="xs" c="dimmed">
                Based on {BASIS[prediction.basis]}
                {prediction.paid_invoices_used > 0 && ` (${prediction.paid_invoices_used} paid invoices)`}.
                {prediction.past_usual_date && ' Already later than usual.'}
              </Text>
            </Tooltip>
          </div>
        )}
      </Stack>
    </Paper>
  );
}
