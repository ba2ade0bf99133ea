import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conditionLabel, fromFriendly, insertAt, placeholder, textToJinja, toFriendly, type OptionalPart } from './friendly';

const INVOICE_KEYS = ['friendly', 'due_today', 'firm', 'urgent', 'final', 'thank_you'];
const TEMPLATES = join(__dirname, '../../../../backend/src/duespark/email/templates');

/** Every client-facing default template as the API serves it: subject from the front matter, body after it. */
function defaults(): { file: string; subject: string; body: string }[] {
  const files: string[] = [];
  for (const locale of readdirSync(TEMPLATES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const dir of [locale.name, `${locale.name}/professional`]) {
      try {
        for (const name of readdirSync(join(TEMPLATES, dir))) if (name.endsWith('.md')) files.push(`${dir}/${name}`);
      } catch {
        // a locale without a professional variant
      }
    }
  }
  return files.map((file) => {
    const match = /^---\nsubject: (.*)\n---\n([\s\S]*)$/.exec(readFileSync(join(TEMPLATES, file), 'utf8'));
    if (!match) throw new Error(`no front matter in ${file}`);
    return { file, subject: match[1]!, body: match[2]! };
  });
}

describe('toFriendly / fromFriendly', () => {
  const all = defaults();

  it('reads the shipped templates', () => {
    expect(all.length).toBeGreaterThan(40);
  });

  it('gives back every shipped invoice template byte for byte', () => {
    const invoiceTemplates = all.filter((t) => INVOICE_KEYS.some((key) => t.file.endsWith(`/${key}.md`)));
    expect(invoiceTemplates.length).toBeGreaterThan(30);
    const notSimple = invoiceTemplates.filter((t) => !toFriendly(t.subject, t.body).ok).map((t) => t.file);
    expect(notSimple).toEqual([]);
    for (const template of invoiceTemplates) {
      const result = toFriendly(template.subject, template.body);
      if (result.ok) expect(fromFriendly(result.template), template.file).toEqual({ subject: template.subject, body: template.body });
    }
  });

  it('shows placeholders and options in words, not Jinja', () => {
    const en = all.find((t) => t.file === 'en/firm.md')!;
    const result = toFriendly(en.subject, en.body);
    if (!result.ok) throw new Error(result.reason);
    expect(result.template.subject).toBe('Overdue: invoice {invoice number} ({amount due})');
    const text = result.template.parts.map((p) => p.text).join('');
    expect(text).toContain('Hello {client name},');
    expect(text).toContain('{days overdue} {days overdue: day|days} overdue');
    expect(text).not.toMatch(/\{\{|\{%/);
    const options = result.template.parts.filter((p): p is OptionalPart => p.kind === 'optional');
    expect(options.map((o) => conditionLabel(o.condition))).toEqual([
      'Mention the late-payment fee, when this invoice has one',
      'List your other ways to pay (from Settings), when you have set them',
      'Sign with your company name too, when it differs from your name',
    ]);
  });

  it('leaves loops to the advanced editor', () => {
    const statement = all.find((t) => t.file === 'en/statement.md')!;
    const result = toFriendly(statement.subject, statement.body);
    expect(result.ok).toBe(false);
  });

  it.each([
    ['a filter', 'Total {{ amount_due | upper }}'],
    ['an unknown condition form', '{% if a or b %}\nx\n{% endif %}\n'],
    ['an else branch', '{% if a %}\nx\n{% else %}\ny\n{% endif %}\n'],
    ['whitespace control', '{%- if a %}\nx\n{% endif %}\n'],
    ['a comment', 'Hi {# note #}'],
    ['literal text that would read as a placeholder', 'Use {client name} here'],
    ['unusual spacing', 'Hello {{client_name}}'],
  ])('sends a template with %s to the advanced editor', (_, body) => {
    expect(toFriendly('Subject', body).ok).toBe(false);
  });

  it('drops an unticked option and keeps the rest of the text exactly', () => {
    const body = 'Hello {{ client_name }},\n\n{% if payment_instructions %}\nOther ways to pay:\n{{ payment_instructions }}\n\n{% endif %}\nBye\n';
    const result = toFriendly('Hi', body);
    if (!result.ok) throw new Error(result.reason);
    const parts = result.template.parts.map((p) => (p.kind === 'optional' ? { ...p, included: false } : p));
    expect(fromFriendly({ ...result.template, parts }).body).toBe('Hello {{ client_name }},\n\nBye\n');
  });

  it('turns typed placeholders into variables', () => {
    expect(textToJinja('Dear {client name}, pay {amount due} by {pay by}: {payment link}')).toBe(
      'Dear {{ client_name }}, pay {{ amount_due }} by {{ pay_by }}: {{ payment_link }}',
    );
    expect(textToJinja('{days overdue: day|days}')).toBe('{{ "day" if days_overdue == 1 else "days" }}');
    expect(textToJinja('Price {Big}')).toBe('Price {Big}');
  });

  it('inserts a chip at the caret', () => {
    expect(insertAt('Hello ,', 6, 6, placeholder('client_name'))).toEqual({ value: 'Hello {client name},', caret: 19 });
  });
});
