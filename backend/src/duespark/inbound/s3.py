"""Raw mail that SES receiving stored in S3 (its S3 action, for mails over SNS's 150 KB).

The SNS notification names a bucket and a key; DueSpark reads only from the one bucket it is configured
with (`DUESPARK_INBOUND_S3_BUCKET`), so a notification cannot make it fetch from anywhere else, and never
more than the inbound size limit. The client comes from boto3's usual credential chain, as the document
storage's does (documents/storage.py).
"""

from __future__ import annotations

from typing import Any

from duespark.errors import InvalidInput, PayloadTooLarge
from duespark.settings import Settings


class InboundStoreUnavailable(Exception):
    """S3 did not answer as expected: SNS retries the notification later."""


class InboundStore:
    def __init__(self, bucket: str | None, client_factory: Any, *, max_bytes: int) -> None:
        self.bucket = bucket
        self._client_factory = client_factory
        self._client: Any = None
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> InboundStore:
        def client() -> Any:
            import boto3

            return boto3.client(
                "s3", endpoint_url=settings.inbound_s3_endpoint_url, region_name=settings.inbound_s3_region
            )

        return cls(settings.inbound_s3_bucket, client, max_bytes=settings.inbound_max_bytes)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def fetch(self, action: dict[str, Any]) -> bytes:
        """The raw mail of an S3 action (`bucketName`, `objectKey`), from the configured bucket only."""
        bucket, key = action.get("bucketName"), action.get("objectKey")
        if not self.bucket:
            raise InvalidInput(
                "receipt.action.bucketName", "Mail stored in S3 is not configured (DUESPARK_INBOUND_S3_BUCKET)"
            )
        if not isinstance(bucket, str) or bucket != self.bucket:
            raise InvalidInput("receipt.action.bucketName", "Not the configured inbound bucket")
        if not isinstance(key, str) or not key or len(key) > 1024:
            raise InvalidInput("receipt.action.objectKey", "The notification names no object")
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=bucket, Key=key)
            if int(head.get("ContentLength") or 0) > self.max_bytes:
                raise self._too_large()
            body = self.client.get_object(Bucket=bucket, Key=key)["Body"]
            # The object may have grown since the HEAD: read one byte past the limit at most.
            raw = body.read(self.max_bytes + 1)
            body.close()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise InvalidInput("receipt.action.objectKey", "No such object in the inbound bucket") from None
            raise InboundStoreUnavailable(code or str(exc)) from None
        except BotoCoreError as exc:
            raise InboundStoreUnavailable(str(exc)) from None
        if len(raw) > self.max_bytes:
            raise self._too_large()
        return raw

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"The stored mail is larger than {self.max_bytes} bytes (DUESPARK_INBOUND_MAX_BYTES)")
