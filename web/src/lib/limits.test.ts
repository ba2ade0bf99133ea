/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';

interface Property {
  minLength?: number;
  maxLength?: number;
  anyOf?: Property[];
}
const document = JSON.parse(readFileSync(resolve(process.cwd(), '../backend/openapi.json'), 'utf8')) as {
  components: { schemas: Record<string, { properties: Record<string, Property> }> };
};

function limit(schema: string, field: string, kind: 'minLength' | 'maxLength'): number | undefined {
  const property = document.components.schemas[schema]?.properties[field];
  return property?.[kind] ?? property?.anyOf?.find((option) => option[kind] !== undefined)?.[kind];
}

describe('form limits match the API', () => {
  it.each([
    ['passwordMin', 'RegisterIn', 'password', 'minLength'],
    ['passwordMax', 'RegisterIn', 'password', 'maxLength'],
    ['passwordMin', 'MeUpdate', 'new_password', 'minLength'],
    ['personName', 'RegisterIn', 'name', 'maxLength'],
    ['clientName', 'ClientCreate', 'name', 'maxLength'],
    ['company', 'ClientCreate', 'company', 'maxLength'],
    ['clientNotes', 'ClientCreate', 'notes', 'maxLength'],
    ['invoiceNumber', 'InvoiceCreate', 'number', 'maxLength'],
    ['invoiceDescription', 'InvoiceCreate', 'description', 'maxLength'],
    ['paymentReference', 'PaymentIn', 'reference', 'maxLength'],
    ['paymentNote', 'PaymentIn', 'note', 'maxLength'],
    ['accountName', 'AccountUpdate', 'name', 'maxLength'],
    ['senderName', 'AccountUpdate', 'sender_name', 'maxLength'],
    ['paymentInstructions', 'AccountUpdate', 'payment_instructions', 'maxLength'],
    ['apiTokenName', 'ApiTokenIn', 'name', 'maxLength'],
  ] as const)('%s = %s.%s %s', (key, schema, field, kind) => {
    expect(limit(schema, field, kind)).toBe(LIMITS[key]);
  });
});
