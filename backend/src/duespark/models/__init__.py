"""All tables in one package so domains import them one way: routers -> services -> models."""

from duespark.models.account import Account
from duespark.models.api_token import ApiToken
from duespark.models.base import Base
from duespark.models.client import Client
from duespark.models.invoice import Invoice
from duespark.models.membership import Membership
from duespark.models.message import Message
from duespark.models.payment import Payment
from duespark.models.refresh_token import RefreshToken
from duespark.models.reminder import Reminder
from duespark.models.reminder_policy import ReminderPolicy, ReminderPolicyStep, ReminderSendSlot
from duespark.models.user import User
from duespark.models.worker import SchedulerLock, WorkerHeartbeat

__all__ = [
    "Account",
    "ApiToken",
    "Base",
    "Client",
    "Invoice",
    "Membership",
    "Message",
    "Payment",
    "RefreshToken",
    "Reminder",
    "ReminderPolicy",
    "ReminderPolicyStep",
    "ReminderSendSlot",
    "SchedulerLock",
    "User",
    "WorkerHeartbeat",
]
