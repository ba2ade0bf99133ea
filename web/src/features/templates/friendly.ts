/**
 * The simple template editor's model: the email as plain text with `{client name}` placeholders, and each
 * `{% if ... %}` block as an optional section behind a checkbox. Only templates that convert back to the very
 * same text are shown this way; anything else (loops, filters, other expressions) stays in the advanced editor.
 */

export interface TextPart {
  kind: 'text';
  text: string;
}

export interface OptionalPart {
  kind: 'optional';
  /** The Jinja condition as written (`payment_instructions`, `sender_company and sender_company != sender_name`). */
  condition: string;
  text: string;
  included: boolean;
  /** Whether a line break followed `{% endif %}`. */
  newlineAfter: boolean;
}

export type FriendlyPart = TextPart | OptionalPart;

export interface FriendlyTemplate {
  subject: string;
  parts: FriendlyPart[];
}

export type FriendlyResult = { ok: true; template: FriendlyTemplate } | { ok: false; reason: string };

const NAME = '[a-z][a-z0-9_]*';
const VARIABLE = new RegExp(`\\{\\{ (${NAME}) \\}\\}`, 'g');
const PLURAL = new RegExp(`\\{\\{ "([^"{}|]*)" if (${NAME}) == 1 else "([^"{}|]*)" \\}\\}`, 'g');
const BLOCK = /\{% if ([^%]+?) %\}\n([\s\S]*?)\{% endif %\}(\n?)/g;
const SIMPLE_CONDITION = new RegExp(`^${NAME}$`);
const DIFFERS_CONDITION = new RegExp(`^(${NAME}) and \\1 != (${NAME})$`);

/** `client_name` -> `client name`: what a placeholder reads as in the simple editor. */
export function placeholderLabel(name: string): string {
  return name.replaceAll('_', ' ');
}

export function placeholder(name: string): string {
  return `{${placeholderLabel(name)}}`;
}

const snake = (label: string) => label.trim().replaceAll(' ', '_');

/** Jinja text (no statements) -> plain text with placeholders, or null if it holds anything else. */
function textToFriendly(jinja: string): string | null {
  const plain = jinja
    .replace(PLURAL, (_, one: string, name: string, many: string) => `{${placeholderLabel(name)}: ${one}|${many}}`)
    .replace(VARIABLE, (_, name: string) => placeholder(name));
  return /\{\{|\{%|\{#|%\}|\}\}/.test(plain) ? null : plain;
}

/** Plain text with placeholders -> Jinja. `{days overdue: day|days}` picks the word by the number. */
export function textToJinja(plain: string): string {
  return plain
    .replace(/\{([a-z][a-z0-9 ]*): ([^"{}|]*)\|([^"{}|]*)\}/g, (_, label: string, one: string, many: string) => `{{ "${one}" if ${snake(label)} == 1 else "${many}" }}`)
    .replace(/\{([a-z][a-z0-9 ]*)\}/g, (_, label: string) => `{{ ${snake(label)} }}`);
}

function conditionIsPlain(condition: string): boolean {
  return SIMPLE_CONDITION.test(condition) || DIFFERS_CONDITION.test(condition);
}

const CONDITION_LABELS: Record<string, string> = {
  late_fee_notice: 'Mention the late-payment fee, when this invoice has one',
  payment_instructions: 'List your other ways to pay (from Settings), when you have set them',
  'sender_company and sender_company != sender_name': 'Sign with your company name too, when it differs from your name',
};

/** What an optional section's checkbox says, in words rather than Jinja. */
export function conditionLabel(condition: string): string {
  const known = CONDITION_LABELS[condition];
  if (known) return known;
  const differs = DIFFERS_CONDITION.exec(condition);
  if (differs) return `Include when “${placeholderLabel(differs[1]!)}” is set and differs from “${placeholderLabel(differs[2]!)}”`;
  return `Include when “${placeholderLabel(condition)}” is set`;
}

export function fromFriendly(template: FriendlyTemplate): { subject: string; body: string } {
  const body = template.parts
    .map((part) => {
      if (part.kind === 'text') return textToJinja(part.text);
      if (!part.included) return '';
      return `{% if ${part.condition} %}\n${textToJinja(part.text)}{% endif %}${part.newlineAfter ? '\n' : ''}`;
    })
    .join('');
  return { subject: textToJinja(template.subject), body };
}

function parse(subject: string, body: string): FriendlyResult {
  const friendlySubject = textToFriendly(subject);
  if (friendlySubject === null || friendlySubject.includes('\n')) {
    return { ok: false, reason: 'The subject uses template code beyond simple placeholders.' };
  }
  const parts: FriendlyPart[] = [];
  let last = 0;
  for (const match of body.matchAll(BLOCK)) {
    const [whole, condition, inner, newline] = match as unknown as [string, string, string, string];
    const before = textToFriendly(body.slice(last, match.index));
    const text = textToFriendly(inner);
    if (before === null || text === null) break;
    if (!conditionIsPlain(condition)) {
      return { ok: false, reason: `The condition “${condition}” is more than a simple option.` };
    }
    if (before) parts.push({ kind: 'text', text: before });
    parts.push({ kind: 'optional', condition, text, included: true, newlineAfter: newline === '\n' });
    last = match.index + whole.length;
  }
  const rest = textToFriendly(body.slice(last));
  if (rest === null) {
    return { ok: false, reason: 'The body uses template code (such as loops, filters or calculations) the simple editor cannot show.' };
  }
  if (rest) parts.push({ kind: 'text', text: rest });
  return { ok: true, template: { subject: friendlySubject, parts } };
}

/** The simple editor's view of a template, only when converting it back gives exactly the same text. */
export function toFriendly(subject: string, body: string): FriendlyResult {
  const result = parse(subject, body);
  if (!result.ok) return result;
  const back = fromFriendly(result.template);
  if (back.subject !== subject || back.body !== body) {
    return { ok: false, reason: 'Some of its text would read as a placeholder in the simple editor, so it opens as written.' };
  }
  return result;
}

/** Insert `text` into `value` at the selection, returning the new value and where the caret goes. */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; caret: number } {
  return { value: value.slice(0, start) + text + value.slice(end), caret: start + text.length };
}
