import { Accordion, Alert, Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { IconMailForward, IconMoodSmile } from '@tabler/icons-react';
import type { FirstWave } from '@/api/types';
import { previewTitle, toneLabel, waveBreakdown, waveHeadline } from '../firstWave';

/** "What goes out first": counts, then each email as it will be sent (subject and text), expandable. */
export function FirstWavePanel({ wave, title = 'What goes out first' }: { wave: FirstWave; title?: string }) {
  const breakdown = waveBreakdown(wave);
  return (
    <Paper withBorder p="md" data-testid="first-wave">
      <Stack gap="sm">
        <Group gap="xs" wrap="nowrap">
          {wave.emails ? <IconMailForward size={18} aria-hidden /> : <IconMoodSmile size={18} aria-hidden />}
          <Text fw={600} size="sm">
            {title}: {waveHeadline(wave)}
          </Text>
          {wave.test_mode && wave.emails > 0 && (
            <Badge variant="light" color="gray" radius="sm">
              test mode: to you
            </Badge>
          )}
        </Group>
        {breakdown && (
          <Text size="sm" c="dimmed">
            {breakdown}
          </Text>
        )}
        {wave.skipped_steps > 0 && (
          <Text size="sm" c="dimmed">
            {wave.skipped_steps.toLocaleString()} earlier missed {wave.skipped_steps === 1 ? 'step is' : 'steps are'} not
            sent: only the latest step of an invoice goes.
          </Text>
        )}
        {wave.held > 0 && wave.held_reason && (
          <Alert variant="light" color="orange" p="xs">
            {wave.held.toLocaleString()} held back: {wave.held_reason}.
          </Alert>
        )}
        {wave.previews.length > 0 && (
          <Accordion variant="separated" chevronPosition="left" multiple>
            {wave.previews.map((email, index) => (
              <Accordion.Item key={`${email.client_id}-${index}`} value={`${index}`}>
                <Accordion.Control>
                  <Text size="sm" fw={500}>
                    {previewTitle(email)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {email.problem ? email.problem : `To ${email.to} · ${email.subject}`}
                  </Text>
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap={4}>
                    <Text size="xs" c="dimmed">
                      Subject
                    </Text>
                    <Text size="sm" fw={500}>
                      {email.subject}
                    </Text>
                    <Text size="xs" c="dimmed" mt="xs">
                      Tone: {toneLabel(email.tone)} · {email.invoice_numbers.join(', ')}
                    </Text>
                    <Text
                      size="sm"
                      component="pre"
                      style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}
                      data-testid="first-wave-text"
                    >
                      {email.text}
                    </Text>
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
        {wave.more > 0 && (
          <Text size="sm" c="dimmed">
            and {wave.more.toLocaleString()} more {wave.more === 1 ? 'email' : 'emails'}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
