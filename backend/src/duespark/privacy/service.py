"""Data export and erasure, generic over tenant tables: every table with an `account_id` column
belongs to an account, so tables added later are exported and erased without changes here."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from duespark.audit import service as audit
from duespark.auth import security
from duespark.clock import Clock
from duespark.errors import InvalidInput
from duespark.models import Account, Base, Membership, User
from duespark.models.enums import Role
from duespark.privacy.schemas import ErasureOut

EXPORT_FORMAT_VERSION = 1
# Credentials are never exported, not even hashed.
_SECRET_COLUMN_SUFFIXES = ("_hash", "totp_secret")
# Spreadsheets run cells starting with these as formulas (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def tenant_tables() -> list[Table]:
    """Tables owned by an account, parents before children."""
    return [table for table in Base.metadata.sorted_tables if "account_id" in table.c]


def _exported_columns(table: Table) -> list[str]:
    return [column.name for column in table.columns if not column.name.endswith(_SECRET_COLUMN_SUFFIXES)]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def csv_cell(value: Any) -> str:
    """A cell that a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(_json_value(value))
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _rows(session: Session, table: Table, columns: Sequence[str], where: Any) -> list[dict[str, Any]]:
    stmt = select(*(table.c[name] for name in columns)).where(where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in session.execute(stmt)]


def _write_table(archive: zipfile.ZipFile, name: str, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    payload = [{key: _json_value(value) for key, value in row.items()} for row in rows]
    archive.writestr(f"json/{name}.json", json.dumps(payload, indent=2, ensure_ascii=False))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([csv_cell(row[column]) for column in columns] for row in rows)
    archive.writestr(f"csv/{name}.csv", buffer.getvalue())


def export_account(
    session: Session, *, account_id: int, user_id: int, clock: Clock, files: Iterable[tuple[str, bytes]] = ()
) -> bytes:
    """A ZIP with every row the account owns, as JSON and as CSV, its stored `files` (uploaded PDFs, the
    logo) under files/, and a manifest of counts."""
    counts: dict[str, int] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        account_table = Account.__table__
        columns = _exported_columns(account_table)
        rows = _rows(session, account_table, columns, account_table.c.id == account_id)
        _write_table(archive, "accounts", columns, rows)
        counts["accounts"] = len(rows)

        users_table = User.__table__
        member_ids = select(Membership.user_id).where(Membership.account_id == account_id)
        columns = _exported_columns(users_table)
        rows = _rows(session, users_table, columns, users_table.c.id.in_(member_ids))
        _write_table(archive, "users", columns, rows)
        counts["users"] = len(rows)

        for table in tenant_tables():
            columns = _exported_columns(table)
            rows = _rows(session, table, columns, table.c.account_id == account_id)
            _write_table(archive, table.name, columns, rows)
            counts[table.name] = len(rows)

        file_count = 0
        for name, data in files:
            archive.writestr(f"files/{name}", data)
            file_count += 1

        manifest = {
            "format_version": EXPORT_FORMAT_VERSION,
            "exported_at": clock.now().isoformat(),
            "account_id": account_id,
            "requested_by_user_id": user_id,
            "money": "amounts are integers in the currency's minor units (cents): 125000 EUR is 1250.00 EUR",
            "tables": counts,
            "files": file_count,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()


def _sole_owner(session: Session, *, account_id: int, user_id: int) -> bool:
    other_owners = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.account_id == account_id, Membership.role == Role.owner, Membership.user_id != user_id)
    )
    return other_owners == 0


def _erase_account(session: Session, account_id: int, deleted: dict[str, int]) -> None:
    # Children before parents, so no foreign key (RESTRICT or not) stands in the way.
    for table in reversed(tenant_tables()):
        result = session.execute(delete(table).where(table.c.account_id == account_id))
        deleted[table.name] = deleted.get(table.name, 0) + (result.rowcount or 0)
    session.execute(delete(Account).where(Account.id == account_id))
    deleted["accounts"] = deleted.get("accounts", 0) + 1


def erase_user(session: Session, *, user_id: int, password: str, hasher: PasswordHasher, clock: Clock) -> ErasureOut:
    """Erase the user and every account they alone own; leave shared accounts, keeping others' data.

    The password confirms it is the user asking, not someone holding a stolen access token.
    """
    user = session.get(User, user_id)
    if user is None or not security.verify_password(hasher, user.password_hash, password):
        raise InvalidInput("password", "The password is wrong")
    memberships = session.scalars(select(Membership).where(Membership.user_id == user_id)).all()
    deleted: dict[str, int] = {}
    deleted_accounts: list[int] = []
    left_accounts: list[int] = []
    for membership in memberships:
        if membership.role == Role.owner and _sole_owner(session, account_id=membership.account_id, user_id=user_id):
            deleted_accounts.append(membership.account_id)
        else:
            left_accounts.append(membership.account_id)
    session.expunge_all()
    for account_id in deleted_accounts:
        _erase_account(session, account_id, deleted)
    if left_accounts:
        result = session.execute(
            delete(Membership).where(Membership.user_id == user_id, Membership.account_id.in_(left_accounts))
        )
        deleted["memberships"] = deleted.get("memberships", 0) + (result.rowcount or 0)
        for account_id in left_accounts:  # the accounts erased lose their trail with them
            audit.record(
                session,
                account_id=account_id,
                action="user.delete_requested",
                entity_type="user",
                entity_id=user_id,
                now=clock.now(),
            )
    # Refresh and API tokens go with the user (ON DELETE CASCADE).
    session.execute(delete(User).where(User.id == user_id))
    deleted["users"] = 1
    return ErasureOut(deleted_accounts=deleted_accounts, left_accounts=left_accounts, rows_deleted=deleted)
