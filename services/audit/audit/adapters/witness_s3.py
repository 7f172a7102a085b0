"""The witness in an object-storage bucket of its own (AUDIT_WITNESS_BUCKET).

Every entry is a new object that is never overwritten: ``checkpoints/p0003/<seq>-<time>.json``
and ``catalog/<inverted time>.json`` (the newest catalog sorts first, so one LIST finds it).
The bucket is created with versioning and S3 Object Lock where the store supports them, with
a default retention, so that nobody, audit included, can delete or replace an entry. Give
audit's credentials put and get on this bucket only, never delete.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from audit.domain.anchors import (
    PartitionCatalog,
    catalog_document,
    catalog_from_document,
    checkpoint_document,
    checkpoint_from_document,
)
from audit.domain.checkpoints import Checkpoint
from audit.service_layer.witness import WitnessUnavailable

log = logging.getLogger("audit.witness")

_INVERT_FROM = 10**17  # microseconds since 1970 stay below this until the year 5138


def witness_client(endpoint_url: str | None, access_key: str | None, secret_key: str | None,
                   region: str) -> Any:
    return boto3.client(
        "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, region_name=region,
        config=Config(connect_timeout=2, read_timeout=10,
                      retries={"max_attempts": 2, "mode": "standard"},
                      request_checksum_calculation="when_required",
                      response_checksum_validation="when_required",
                      s3={"addressing_style": "path"}, signature_version="s3v4"))


class S3Witness:
    def __init__(self, client: Any, bucket: str, *, lock_days: int = 0) -> None:
        self._s3, self.bucket, self._lock_days = client, bucket, lock_days
        self.where = f"s3://{bucket}"

    def ensure_bucket(self) -> None:
        """Create the bucket (versioned, object-locked where supported) if it is not there."""
        with _translated("head_bucket", missing_ok=True) as missing:
            self._s3.head_bucket(Bucket=self.bucket)
        if not missing:
            return
        try:
            self._s3.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=True)
        except ClientError:
            with _translated("create_bucket"):
                self._s3.create_bucket(Bucket=self.bucket)
        _best_effort("versioning", lambda: self._s3.put_bucket_versioning(
            Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}))
        if self._lock_days > 0:
            _best_effort("object lock", lambda: self._s3.put_object_lock_configuration(
                Bucket=self.bucket, ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE",
                                                  "Days": self._lock_days}}}))

    def put_checkpoint(self, checkpoint: Checkpoint) -> None:
        stamp = int(checkpoint.taken_at.timestamp() * 1_000_000)
        key = f"checkpoints/p{checkpoint.partition:04d}/{checkpoint.seq:015d}-{stamp}.json"
        self._put(key, checkpoint_document(checkpoint))

    def put_catalog(self, catalog: PartitionCatalog) -> None:
        inverted = _INVERT_FROM - int(catalog.taken_at.timestamp() * 1_000_000)
        self._put(f"catalog/{inverted:018d}.json", catalog_document(catalog))

    def checkpoints(self) -> Iterator[Checkpoint]:
        for key in self._keys("checkpoints/"):
            yield checkpoint_from_document(self._get(key))

    def latest_catalog(self) -> PartitionCatalog | None:
        with _translated("list"):
            page = self._s3.list_objects_v2(Bucket=self.bucket, Prefix="catalog/", MaxKeys=1)
        contents = page.get("Contents", [])
        return catalog_from_document(self._get(contents[0]["Key"])) if contents else None

    def _put(self, key: str, doc: dict[str, Any]) -> None:
        body = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")
        with _translated("put"):
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=body,
                                ContentType="application/json")

    def _get(self, key: str) -> dict[str, Any]:
        with _translated("get"):
            return json.loads(self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def _keys(self, prefix: str) -> Iterator[str]:
        token: dict[str, str] = {}
        while True:
            with _translated("list"):
                page = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **token)
            yield from (item["Key"] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return
            token = {"ContinuationToken": page["NextContinuationToken"]}


def _best_effort(what: str, call: Any) -> None:
    try:
        call()
    except (BotoCoreError, ClientError) as err:
        log.warning("the audit witness bucket has no %s (the store refused: %s)", what, err)


class _Missing:
    def __init__(self) -> None:
        self.value = False

    def __bool__(self) -> bool:
        return self.value


@contextmanager
def _translated(operation: str, *, missing_ok: bool = False) -> Iterator[_Missing]:
    missing = _Missing()
    try:
        yield missing
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if missing_ok and code in ("404", "NoSuchBucket", "NotFound"):
            missing.value = True
            return
        raise WitnessUnavailable(f"the audit witness bucket refused {operation} ({code}); "
                                 "check AUDIT_WITNESS_BUCKET and its credentials") from None
    except BotoCoreError as err:
        raise WitnessUnavailable(f"the audit witness bucket cannot be reached for {operation} "
                                 f"({type(err).__name__}); try again later") from None
