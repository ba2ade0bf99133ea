from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence

from duespark.email.message import OutgoingEmail
from duespark.email.mime import to_mime
from duespark.email.providers.base import PermanentSendError, SendError, SendResult, TransientSendError
from duespark.settings import Settings


def _classify(code: int, text: bytes | str) -> SendError:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else text
    message = f"SMTP {code}: {detail}"
    # 5xx is the server's final answer; 4xx (greylisting, full mailbox, rate limits) may pass later.
    return PermanentSendError(message) if 500 <= code < 600 else TransientSendError(message)


class SmtpProvider:
    """Any SMTP server: implicit TLS (465), STARTTLS (587) or plain (local relays), with optional AUTH."""

    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        security: str,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpProvider:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            timeout=settings.smtp_timeout_seconds,
        )

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.security == "starttls":
                connection.starttls(context=self.ssl_context)
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _send_on(self, connection: smtplib.SMTP, message: OutgoingEmail) -> SendResult:
        mime = to_mime(message)
        try:
            refused = connection.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classify(code, text) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(code, text)
        return SendResult(provider_message_id=str(mime["Message-ID"]))

    def send(self, message: OutgoingEmail) -> SendResult:
        outcome = self.send_batch([message])[0]
        if isinstance(outcome, SendError):
            raise outcome
        return outcome

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[SendResult | SendError]:
        """All messages over one connection; a refused recipient fails only its own message."""
        try:
            connection = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            # Wrong credentials are fixed by the operator, after which the messages can still go.
            error: SendError = TransientSendError(f"SMTP authentication failed: {exc.smtp_code}")
            return [error for _ in messages]
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            error = TransientSendError(f"SMTP connection to {self.host}:{self.port} failed: {exc}")
            return [error for _ in messages]
        outcomes: list[SendResult | SendError] = []
        try:
            for message in messages:
                try:
                    outcomes.append(self._send_on(connection, message))
                except SendError as exc:
                    outcomes.append(exc)
                    connection.rset()
                except (OSError, smtplib.SMTPException) as exc:
                    failure = TransientSendError(f"SMTP connection lost: {exc}")
                    outcomes.extend(failure for _ in messages[len(outcomes) :])
                    break
        finally:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
        return outcomes
