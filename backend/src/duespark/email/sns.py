"""Verifying Amazon SNS messages (how SES reports bounces, complaints and deliveries).

A message is accepted only when its topic is one we subscribed to, its signing certificate comes
from `https://sns.<topic's region>.amazonaws.com/...pem`, the certificate is valid now, and the
RSA signature (SHA1 for SignatureVersion 1, SHA256 for 2) covers the documented fields.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SUBSCRIPTION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
MESSAGE_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]+$")


class SnsRejected(Exception):
    """The message is not a genuine SNS message for one of our topics."""


def topic_region(topic_arn: str) -> str:
    match = _TOPIC_ARN.match(topic_arn)
    if match is None or not _REGION.match(match.group(1)):
        raise SnsRejected("TopicArn is not an SNS topic ARN")
    return match.group(1)


def check_aws_url(url: str, region: str, *, suffix: str | None = None) -> None:
    """Certificates and subscription confirmations only ever come from SNS itself, over https."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed [ or a port that is no number: once a 500
        raise SnsRejected(f"{url!r} is not a URL") from None
    allowed_hosts = {f"sns.{region}.amazonaws.com", f"sns.{region}.amazonaws.com.cn"}
    if parts.scheme != "https" or parts.hostname not in allowed_hosts or port not in (None, 443):
        raise SnsRejected(f"{url!r} is not an https URL on sns.{region}.amazonaws.com")
    if parts.username or parts.password:
        raise SnsRejected("the URL carries credentials")
    if suffix and not parts.path.endswith(suffix):
        raise SnsRejected(f"the URL does not end in {suffix}")


def string_to_sign(message: dict[str, Any]) -> bytes:
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else SUBSCRIPTION_FIELDS
    lines: list[str] = []
    for name in fields:
        if name in message and message[name] is not None:
            lines.extend((name, str(message[name])))
        elif name != "Subject":
            raise SnsRejected(f"the message has no {name}")
    return ("\n".join(lines) + "\n").encode()


def _download(url: str) -> bytes:
    response = httpx.get(url, timeout=5.0, follow_redirects=False)
    response.raise_for_status()
    return response.content


class CertificateStore:
    """SNS signing certificates by URL, fetched once per process (SNS rotates them rarely)."""

    def __init__(self, fetch: Callable[[str], bytes] = _download) -> None:
        self._fetch = fetch
        self._cache: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> x509.Certificate:
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None:
            return cached
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(url))
        except (httpx.HTTPError, ValueError) as exc:
            raise SnsRejected(f"the signing certificate could not be loaded: {exc}") from exc
        with self._lock:
            self._cache[url] = certificate
        return certificate


def verify(
    message: dict[str, Any], *, allowed_topics: list[str], certificates: CertificateStore, now: datetime
) -> None:
    """Raise SnsRejected unless the message is signed by SNS for one of `allowed_topics`."""
    if message.get("Type") not in MESSAGE_TYPES:
        raise SnsRejected("unknown SNS message type")
    topic = message.get("TopicArn")
    if not isinstance(topic, str) or topic not in allowed_topics:
        raise SnsRejected("the topic is not one of DUESPARK_SES_SNS_TOPIC_ARNS")
    region = topic_region(topic)
    version = str(message.get("SignatureVersion"))
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303  # nosec B303  # SNS SignatureVersion 1 is defined with SHA1
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise SnsRejected("unsupported SignatureVersion")
    cert_url = message.get("SigningCertURL") or message.get("SigningCertUrl")
    if not isinstance(cert_url, str):
        raise SnsRejected("the message has no SigningCertURL")
    check_aws_url(cert_url, region, suffix=".pem")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise SnsRejected("the signature is not base64") from None
    certificate = certificates.get(cert_url)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsRejected("the signing certificate is not valid now")
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsRejected("the signing certificate has no RSA key")
    try:
        public_key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise SnsRejected("the signature does not match") from None


def confirm_subscription(message: dict[str, Any]) -> None:
    """Visit the SubscribeURL of a verified SubscriptionConfirmation, which starts the deliveries."""
    url = str(message.get("SubscribeURL", ""))
    check_aws_url(url, topic_region(str(message.get("TopicArn", ""))))
    response = httpx.get(url, timeout=10.0, follow_redirects=False)
    response.raise_for_status()


default_certificates = CertificateStore()


def get_certificate_store() -> CertificateStore:
    """A FastAPI dependency, so tests can hand in certificates they made themselves."""
    return default_certificates
