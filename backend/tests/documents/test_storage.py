"""Both storage backends: the data directory and S3 (moto), keys under the account's prefix, no way out
of it, deletion of an account's files; and the service on S3 end to end."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from duespark.documents import service
from duespark.documents.storage import (
    LocalStorage,
    S3Storage,
    StoredFileMissing,
    account_prefix,
    key_of_account,
    new_key,
    storage_from_settings,
)
from duespark.errors import NotFound
from tests.conftest import make_test_settings
from tests.documents.support import sample_pdf
from tests.helpers import make_account, make_client, make_invoice

BUCKET = "duespark-documents"


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield S3Storage(BUCKET, client)


@pytest.fixture
def local(tmp_path):
    return LocalStorage(tmp_path / "documents")


@pytest.fixture(params=["local", "s3"])
def storage(request):
    return request.getfixturevalue(request.param)


def test_keys_are_ours_and_under_the_account(storage):
    key = new_key(7, "invoices", "pdf")
    assert key.startswith("accounts/7/invoices/") and key.endswith(".pdf")
    storage.put(key, b"%PDF-1", content_type="application/pdf")
    assert storage.get(key_of_account(key, 7)) == b"%PDF-1"
    # Another account's key is refused before storage is asked; so is a key climbing out of the prefix.
    for bad, account_id in ((key, 8), ("accounts/7/../8/invoices/x.pdf", 7), ("accounts/70/x", 7), ("/etc/passwd", 7)):
        with pytest.raises(StoredFileMissing):
            key_of_account(bad, account_id)
    with pytest.raises(StoredFileMissing):
        storage.get("accounts/7/invoices/none.pdf")


def test_delete_prefix_removes_one_account_only(storage):
    mine = [new_key(1, "invoices", "pdf") for _ in range(3)] + [new_key(1, "logo", "png")]
    theirs = new_key(11, "invoices", "pdf")  # "accounts/11/" starts like "accounts/1"
    for key in [*mine, theirs]:
        storage.put(key, b"x", content_type="application/pdf")
    assert storage.delete_prefix(account_prefix(1)) == 4
    assert storage.get(theirs) == b"x"
    for key in mine:
        with pytest.raises(StoredFileMissing):
            storage.get(key)
    assert storage.delete_prefix(account_prefix(1)) == 0


def test_local_storage_never_writes_outside_its_root(local, tmp_path):
    with pytest.raises(StoredFileMissing):
        local.put("../../outside.pdf", b"x", content_type="application/pdf")
    assert not (tmp_path / "outside.pdf").exists()


def test_settings_choose_the_backend(tmp_path):
    assert isinstance(storage_from_settings(make_test_settings(tmp_path, "sqlite://")), LocalStorage)
    with mock_aws():
        chosen = storage_from_settings(
            make_test_settings(
                tmp_path, "sqlite://", document_storage="s3", document_s3_bucket=BUCKET, document_s3_region="eu-west-1"
            )
        )
    assert isinstance(chosen, S3Storage) and chosen.bucket == BUCKET
    with pytest.raises(ValueError, match="DUESPARK_DOCUMENT_S3_BUCKET"):
        make_test_settings(tmp_path, "sqlite://", document_storage="s3")


def test_upload_to_s3_is_keyed_by_account_and_read_back(session, clock, s3, tmp_path, database_url):
    settings = make_test_settings(tmp_path, database_url)
    first = make_account(session, clock=clock, name="First")
    second = make_account(session, clock=clock, name="Second")
    invoice = make_invoice(session, client=make_client(session, account=first, clock=clock), clock=clock)
    pdf = sample_pdf("on s3")
    document = service.upload(
        session,
        s3,
        account_id=first.id,
        invoice_id=invoice.id,
        data=pdf,
        file_name="x.pdf",
        settings=settings,
        clock=clock,
    )
    [stored] = s3.client.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == document.storage_key
    assert stored["Key"].startswith(f"accounts/{first.id}/invoices/")
    head = s3.client.head_object(Bucket=BUCKET, Key=stored["Key"])
    assert head["ContentType"] == "application/pdf"
    assert service.read(session, s3, account_id=first.id, document_id=document.id)[1] == pdf
    with pytest.raises(NotFound):
        service.read(session, s3, account_id=second.id, document_id=document.id)
    with pytest.raises(NotFound):
        service.upload(
            session,
            s3,
            account_id=second.id,
            invoice_id=invoice.id,
            data=pdf,
            file_name="x.pdf",
            settings=settings,
            clock=clock,
        )
    assert len(s3.client.list_objects_v2(Bucket=BUCKET)["Contents"]) == 1
