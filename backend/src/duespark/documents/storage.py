"""Where document bytes live: the data directory (default) or an S3-compatible bucket, by setting.

Keys are made here from ids and a random part (`accounts/<account id>/<kind>/<random>.<ext>`), never
from a name a user gave, so no file name can reach outside its account's prefix, and deleting an
account is one prefix removal. Every read goes through `key_of_account`, which refuses a key outside
the account's prefix: a row pointing elsewhere (a bug, an edited database) still reads nothing.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Protocol

from duespark.errors import NotFound
from duespark.settings import Settings


class StoredFileMissing(NotFound):
    def __init__(self) -> None:
        super().__init__("File")


def account_prefix(account_id: int) -> str:
    return f"accounts/{int(account_id)}/"


def new_key(account_id: int, kind: str, extension: str) -> str:
    """A fresh key under the account's prefix: `kind` and `extension` are ours (e.g. "invoices", "pdf")."""
    return f"{account_prefix(account_id)}{kind}/{secrets.token_hex(16)}.{extension}"


def key_of_account(key: str, account_id: int) -> str:
    if not key.startswith(account_prefix(account_id)) or ".." in key or "//" in key:
        raise StoredFileMissing()
    return key


class Storage(Protocol):
    def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def delete_prefix(self, prefix: str) -> int:
        """Every object under `prefix`; the number removed."""
        ...


class LocalStorage:
    """Files under one root directory (`<data_dir>/documents`), written atomically (temp file, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise StoredFileMissing()
        return path

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing() from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        folder = self._path(prefix)
        if not folder.is_dir():
            return 0
        removed = 0
        for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
                removed += 1
        folder.rmdir()
        return removed


class S3Storage:
    """An S3-compatible bucket through boto3; `endpoint_url` points it at MinIO, R2 or another service."""

    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket = bucket
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3

        client = boto3.client(
            "s3", endpoint_url=settings.document_s3_endpoint_url, region_name=settings.document_s3_region
        )
        return cls(settings.document_s3_bucket or "", client)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise StoredFileMissing() from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        removed = 0
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:  # at most 1,000 a page, DeleteObjects' own limit
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                removed += len(keys)
        return removed


def storage_from_settings(settings: Settings) -> Storage:
    if settings.document_storage == "s3":
        return S3Storage.from_settings(settings)
    return LocalStorage(settings.data_dir / "documents")
