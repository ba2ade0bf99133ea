/**
 * Domain types, derived from the generated OpenAPI paths (not from schema names, which
 * the backend is free to rename).
 */
import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op> = Op extends { responses: infer Rs }
  ? 200 extends keyof Rs
    ? Json<Rs[200]>
    : 201 extends keyof Rs
      ? Json<Rs[201]>
      : never
  : never;
type BodyOf<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** Every resource id of the API is an integer. */
export type Id = number;

export type Me = Ok<paths['/api/me']['get']>;
export type MeUpdate = BodyOf<paths['/api/me']['patch']>;
export type Account = Ok<paths['/api/account']['get']>;
export type AccountUpdate = BodyOf<paths['/api/account']['patch']>;
export type RegisterInput = BodyOf<paths['/api/auth/register']['post']>;
export type LoginInput = BodyOf<paths['/api/auth/login']['post']>;
export type TokenPair = Ok<paths['/api/auth/login']['post']>;

export type Client = Ok<paths['/api/clients/{client_id}']['get']>;
export type ClientCreate = BodyOf<paths['/api/clients']['post']>;
export type ClientUpdate = BodyOf<paths['/api/clients/{client_id}']['patch']>;
export type ClientType = Client['client_type'];
/** A client in the list, with what they owe (the worklist). */
export type ClientListItem = Ok<paths['/api/clients']['get']>['items'][number];
export type PayerRating = ClientListItem['payer_rating'];

export type Invoice = Ok<paths['/api/invoices/{invoice_id}']['get']>;
export type InvoiceCreate = BodyOf<paths['/api/invoices']['post']>;
export type InvoiceUpdate = BodyOf<paths['/api/invoices/{invoice_id}']['patch']>;
export type InvoiceStatus = Invoice['status'];
export type InvoiceListQuery = NonNullable<paths['/api/invoices']['get']['parameters']['query']>;
export type Payment = Ok<paths['/api/invoices/{invoice_id}/payments']['get']>['items'][number];
export type Adjustment = Ok<paths['/api/invoices/{invoice_id}/adjustments']['get']>['items'][number];
export type PaymentCreate = BodyOf<paths['/api/invoices/{invoice_id}/payments']['post']>;
export type ImportReport = Ok<paths['/api/invoices/import']['post']>;
export type ImportRowError = ImportReport['errors'][number];

export type ApiToken = Ok<paths['/api/tokens']['get']>['items'][number];
export type ApiTokenCreated = Ok<paths['/api/tokens']['post']>;

export type WebhookEndpoint = Ok<paths['/api/webhooks/endpoints']['get']>[number];
export type WebhookEndpointCreate = BodyOf<paths['/api/webhooks/endpoints']['post']>;
export type WebhookEndpointUpdate = BodyOf<paths['/api/webhooks/endpoints/{endpoint_id}']['patch']>;
export type WebhookEndpointWithSecret = Ok<paths['/api/webhooks/endpoints']['post']>;
export type WebhookDelivery = Ok<paths['/api/webhooks/endpoints/{endpoint_id}/deliveries']['get']>['items'][number];
export type WebhookEventType = Ok<paths['/api/webhooks/event-types']['get']>[number];

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export const INVOICE_STATUSES = ['draft', 'open', 'partially_paid', 'overdue', 'paid', 'void'] as const satisfies readonly InvoiceStatus[];
export const CLIENT_TYPES = ['individual', 'business', 'enterprise'] as const satisfies readonly ClientType[];

// The API takes `sort` as free text ("field" or "-field") and answers 422 for an unknown field;
// these are the fields it documents for each list.
type Sorts<F extends string> = F | `-${F}`;
export const CLIENT_SORT_FIELDS = ['name', 'company', 'created_at', 'outstanding', 'overdue', 'oldest_overdue'] as const;
export type ClientSort = Sorts<(typeof CLIENT_SORT_FIELDS)[number]>;
export const INVOICE_SORT_FIELDS = ['due_date', 'issue_date', 'amount', 'number', 'created_at'] as const;
export type InvoiceSort = Sorts<(typeof INVOICE_SORT_FIELDS)[number]>;

function sortsOf<F extends string>(fields: readonly F[]): Sorts<F>[] {
  return fields.flatMap((field) => [field, `-${field}` as const]);
}
export const CLIENT_SORTS: readonly ClientSort[] = sortsOf(CLIENT_SORT_FIELDS);
export const INVOICE_SORTS: readonly InvoiceSort[] = sortsOf(INVOICE_SORT_FIELDS);

export type ReminderTimeline = Ok<paths['/api/invoices/{invoice_id}/reminders']['get']>;
export type Reminder = ReminderTimeline['items'][number];
export type ReminderState = Reminder['state'];
export type ReminderListQuery = NonNullable<paths['/api/reminders']['get']['parameters']['query']>;
export type ReminderListItem = Ok<paths['/api/reminders']['get']>['items'][number];
export type ReminderPolicy = Ok<paths['/api/reminder-policy']['get']>;
export type ReminderPolicyInput = BodyOf<paths['/api/reminder-policy']['put']>;
export type ReminderStep = ReminderPolicyInput['steps'][number];
export type TemplateKey = ReminderStep['template_key'];
export type StepFee = NonNullable<ReminderStep['fee']>;
export type FeeKind = StepFee['kind'];
export type ClientPolicy = Ok<paths['/api/clients/{client_id}/reminder-policy']['get']>;
export type ClientPolicyInput = BodyOf<paths['/api/clients/{client_id}/reminder-policy']['put']>;
export type Message = Ok<paths['/api/invoices/{invoice_id}/messages']['get']>['items'][number];
export type PaymentLink = Ok<paths['/api/invoices/{invoice_id}/payment-link']['get']>;
/** A client's email about an invoice (a reply, or an automatic one), with the user's answer. */
export type Reply = Ok<paths['/api/invoices/{invoice_id}/replies']['get']>['items'][number];
export type ReplyListQuery = NonNullable<paths['/api/replies']['get']['parameters']['query']>;
export type ReplySettings = Ok<paths['/api/reply-settings']['get']>;
export type Prediction = Ok<paths['/api/invoices/{invoice_id}/prediction']['get']>;
export type TemplateCatalog = Ok<paths['/api/templates']['get']>;
export type Template = Ok<paths['/api/templates/{key}']['get']>;
export type PreviewInput = BodyOf<paths['/api/reminders/preview']['post']>;
export type Preview = Ok<paths['/api/reminders/preview']['post']>;
export type InsightsSummary = Ok<paths['/api/insights/summary']['get']>;
export type InsightsTimeseries = Ok<paths['/api/insights/timeseries']['get']>;
export type ClientInsights = Ok<paths['/api/clients/{client_id}/insights']['get']>;
export type StripeConnection = Ok<paths['/api/integrations/stripe']['get']>;
export type StripeImport = Ok<paths['/api/integrations/stripe/import']['post']>;

export type PaymentSetup = Ok<paths['/api/account/payment-setup']['get']>;
export type Notice = Ok<paths['/api/notices']['get']>[number];
export type FirstWave = Ok<paths['/api/account/go-live/preview']['get']>;
export type PreviewEmail = FirstWave['previews'][number];
export type ImportOptionsReport = NonNullable<ImportReport['options']>;
export type ImportQuery = NonNullable<paths['/api/invoices/import']['post']['parameters']['query']>;
export type BankAccount = Ok<paths['/api/bank-accounts/{bank_account_id}']['get']>;
export type BankAccountInput = BodyOf<paths['/api/bank-accounts']['post']>;

export type Answer = Ok<paths['/api/answers']['get']>['items'][number];
export type AnswerStatus = Answer['status'];
export type Attention = Ok<paths['/api/attention']['get']>;
export type AttentionSection = Attention['sections'][number];
export type AnswerSettings = Ok<paths['/api/answer-settings']['get']>;
export type AnswerSettingsInput = BodyOf<paths['/api/answer-settings']['put']>;
export type ClientPromiseRecord = Ok<paths['/api/clients/{client_id}/promises']['get']>;

export type AuditEntry = Ok<paths['/api/audit']['get']>['items'][number];
export type AuditQuery = NonNullable<paths['/api/audit']['get']['parameters']['query']>;
export type TwoFactorStatus = Ok<paths['/api/auth/2fa']['get']>;
export type TwoFactorEnrolment = Ok<paths['/api/auth/2fa/enrol']['post']>;
export type SignedInSession = Ok<paths['/api/auth/sessions']['get']>['items'][number];

export type BankStatement = Ok<paths['/api/reconciliation/statements']['get']>['items'][number];
export type StatementDetail = Ok<paths['/api/reconciliation/statements/{statement_id}']['get']>;
export type StatementEntry = StatementDetail['entries'][number];
export type StatementImport = Ok<paths['/api/reconciliation/statements']['post']>;
export type BulkConfirmResult = Ok<paths['/api/reconciliation/confirm']['post']>;

export type DigestPreferences = Ok<paths['/api/me/digest']['get']>;
export type DigestPreferencesInput = BodyOf<paths['/api/me/digest']['put']>;
export type Role = Ok<paths['/api/me']['get']>['role'];
export type Member = Ok<paths['/api/members']['get']>['items'][number];
export type Invitation = Ok<paths['/api/invitations']['get']>['items'][number];
export type InvitationCreate = BodyOf<paths['/api/invitations']['post']>;
export type InvitationPreview = Ok<paths['/api/invitations/preview']['post']>;
export type InvitedSignUp = BodyOf<paths['/api/auth/register-invited']['post']>;
export type AccountChoice = Ok<paths['/api/me/accounts']['get']>['items'][number];
