/**
 * Field limits the API enforces, so forms can say so before sending. limits.test.ts checks each
 * one against backend/openapi.json.
 */
export const LIMITS = {
  passwordMin: 10,
  passwordMax: 256,
  personName: 200,
  clientName: 200,
  company: 200,
  clientNotes: 10_000,
  invoiceNumber: 64,
  invoiceDescription: 10_000,
  paymentReference: 255,
  paymentNote: 2000,
  accountName: 200,
  senderName: 200,
  paymentInstructions: 5000,
  address: 1000,
  taxId: 64,
  apiTokenName: 100,
} as const;

export const tooLong = (max: number) => `Keep it to ${max.toLocaleString('en-US')} characters or fewer`;
export const PASSWORD_HINT = `At least ${LIMITS.passwordMin} characters.`;
