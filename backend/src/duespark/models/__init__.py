"""All tables in one package so domains import them one way: routers -> services -> models."""

from duespark.models.account import Account
from duespark.models.accounting_connection import AccountingConnection, AccountingLink
from duespark.models.api_token import ApiToken
from duespark.models.audit_entry import AuditEntry
from duespark.models.bank_account import BankAccount
from duespark.models.bank_statement import BankStatement
from duespark.models.base import Base
from duespark.models.checkout_session import CheckoutSession
from duespark.models.client import Client
from duespark.models.client_adaptation import ClientAdaptation
from duespark.models.client_answer import ClientAnswer
from duespark.models.digest import DigestPreference, DigestSend
from duespark.models.email_template import EmailTemplate
from duespark.models.inbound_message import InboundAttachment, InboundMessage
from duespark.models.invitation import Invitation
from duespark.models.invoice import Invoice
from duespark.models.invoice_adjustment import InvoiceAdjustment
from duespark.models.invoice_document import InvoiceDocument
from duespark.models.membership import Membership
from duespark.models.message import Message
from duespark.models.message_event import MessageEvent
from duespark.models.notice import Notice
from duespark.models.payment import Payment
from duespark.models.payment_link_click import PaymentLinkClick
from duespark.models.recovery_code import RecoveryCode
from duespark.models.refresh_token import RefreshToken
from duespark.models.reminder import Reminder
from duespark.models.reminder_policy import ReminderPolicy, ReminderPolicyStep, ReminderSendSlot
from duespark.models.statement_entry import StatementEntry
from duespark.models.stripe_connection import StripeConnection
from duespark.models.suppression import Suppression
from duespark.models.user import User
from duespark.models.user_token import UserToken
from duespark.models.webhook_delivery import WebhookDelivery
from duespark.models.webhook_endpoint import WebhookEndpoint
from duespark.models.webhook_event import WebhookEvent
from duespark.models.worker import SchedulerLock, WorkerHeartbeat

__all__ = [
    "Account",
    "AccountingConnection",
    "AccountingLink",
    "ApiToken",
    "AuditEntry",
    "BankAccount",
    "BankStatement",
    "Base",
    "CheckoutSession",
    "Client",
    "ClientAdaptation",
    "ClientAnswer",
    "DigestPreference",
    "DigestSend",
    "EmailTemplate",
    "InboundAttachment",
    "InboundMessage",
    "Invitation",
    "Invoice",
    "InvoiceAdjustment",
    "InvoiceDocument",
    "Membership",
    "Message",
    "MessageEvent",
    "Notice",
    "Payment",
    "PaymentLinkClick",
    "RecoveryCode",
    "RefreshToken",
    "Reminder",
    "ReminderPolicy",
    "ReminderPolicyStep",
    "ReminderSendSlot",
    "SchedulerLock",
    "StatementEntry",
    "StripeConnection",
    "Suppression",
    "User",
    "UserToken",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WorkerHeartbeat",
]
