"""What the email domain tells others: a client unsubscribed, an address was suppressed.

The reminder engine subscribes to cancel pending reminders at once (it also re-checks before each
send, so a missed event loses nothing). Listeners run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from duespark.clock import Clock

# (session, client_ids, reason, clock); reason is "unsubscribed", "hard_bounce" or "complaint".
ClientListener = Callable[[Session, Sequence[int], str, Clock], None]


class ClientSignal:
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[ClientListener] = []

    def subscribe(self, listener: ClientListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: ClientListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def publish(self, session: Session, client_ids: Sequence[int], reason: str, clock: Clock) -> None:
        if not client_ids:
            return
        session.flush()
        for listener in list(self._listeners):
            listener(session, list(client_ids), reason, clock)


on_client_unsubscribed = ClientSignal("client_unsubscribed")
on_address_suppressed = ClientSignal("address_suppressed")
