import { Anchor, Badge, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCornerUpLeft, IconPaperclip } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '@/api/errors';
import type { Id, Reply } from '@/api/types';
import { useAccount } from '@/features/settings/hooks/queries';
import { useAnswerReply, useMarkAnswered } from '../hooks/queries';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The client's words as they wrote them (plain text: nothing in it is run), with its files. */
export function ReplyText({ reply }: { reply: Reply }) {
  const files = reply.attachments.filter((a) => !a.inline);
  return (
    <Stack gap={6}>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="reply-text">
        {reply.text || '(no text)'}
      </Text>
      {files.length > 0 && (
        <Group gap="xs">
          {files.map((file, index) => (
            <Badge key={`${file.filename}-${index}`} variant="light" color="gray" leftSection={<IconPaperclip size={12} />} tt="none">
              {file.filename} · {size(file.size)}
              {file.kept ? '' : ' (not kept: too large)'}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

/** A reply in the invoice's timeline: its text, and the box to answer it from DueSpark. */
export function ReplyDetail({ reply, invoiceId }: { reply: Reply; invoiceId: Id }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const answer = useAnswerReply(invoiceId);
  const mark = useMarkAnswered(invoiceId);
  const testMode = useAccount().data?.test_mode ?? false;
  const who = reply.from_name || reply.from_email;
  const whereItGoes = testMode
    ? `Test mode: it goes to you, not to ${reply.from_email}.`
    : `Sent to ${reply.from_email} in the same thread; their next reply comes back here.`;

  const send = async () => {
    try {
      await answer.mutateAsync({ replyId: reply.id, text });
      setText('');
      setOpen(false);
      notifications.show({ color: 'teal', message: `Your answer to ${who} is on its way.` });
    } catch (error) {
      notifications.show({ color: 'red', title: 'Couldn’t send the answer', message: errorMessage(error) });
    }
  };

  return (
    <Stack gap="xs">
      <ReplyText reply={reply} />
      {reply.invoice_ids.length > 1 && (
        <Text size="xs" c="dimmed">
          About the statement of {reply.invoice_ids.length} invoices: reminders for each of them wait.
        </Text>
      )}
      {open ? (
        <Stack gap={6}>
          <Textarea
            label={`Answer ${who}`}
            description={whereItGoes}
            autosize
            minRows={3}
            maxLength={20000}
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            data-autofocus
          />
          <Group gap="xs">
            <Button size="xs" onClick={() => void send()} loading={answer.isPending} disabled={text.trim() === ''}>
              Send answer
            </Button>
            <Button size="xs" variant="subtle" color="gray" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      ) : (
        <Group gap="xs">
          <Button size="compact-xs" variant="light" leftSection={<IconCornerUpLeft size={12} />} onClick={() => setOpen(true)}>
            Answer
          </Button>
          {reply.answered_at === null ? (
            <Button
              size="compact-xs"
              variant="subtle"
              color="gray"
              leftSection={<IconCheck size={12} />}
              loading={mark.isPending}
              onClick={() => mark.mutate({ replyId: reply.id, answered: true })}
            >
              Mark answered
            </Button>
          ) : (
            <Anchor component="button" size="xs" c="dimmed" onClick={() => mark.mutate({ replyId: reply.id, answered: false })}>
              Answered · mark unanswered
            </Anchor>
          )}
        </Group>
      )}
    </Stack>
  );
}
