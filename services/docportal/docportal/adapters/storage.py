"""Documents in S3-compatible storage (SeaweedFS locally, MinIO or AWS S3 elsewhere).

Every botocore error becomes ``StorageUnavailable`` here, so no provider detail (endpoint,
bucket, request id) reaches a caller, and the use cases need not know boto3 exists.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from prometheus_client import Counter

from docportal.config import DocportalConfig
from docportal.service_layer.ports import Opening, StorageUnavailable, StoredObject

log = logging.getLogger("docportal.storage")

s3_errors = Counter("s3_errors_total", "Object store calls that failed, by operation.",
                    ["service", "operation"])

CHUNK_BYTES = 1024 * 1024
UNAVAILABLE = "Document storage cannot be reached right now; try again in a few minutes."
# The gateway's internal location that fetches a signed URL (deploy/nginx: X-Accel-Redirect).
OFFLOAD_PREFIX = "/_document_store/"
# A signed URL is made per request, after the checks, and dies quickly (issue 5: <= 60 s).
SIGNED_URL_SECONDS = 60
# Threads per storage that HEAD and sign ahead of the checks (opening); idle ones cost a stack.
AHEAD_THREADS = 8


def s3_client(config: DocportalConfig) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=config.s3_endpoint_url,
        aws_access_key_id=config.s3_access_key,
        aws_secret_access_key=config.s3_secret_key,
        region_name=config.s3_region,
        config=Config(
            connect_timeout=2,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
            # S3-compatible stores differ in their support for the newer default checksums
            # and aws-chunked uploads; plain Content-MD5-free PUTs work everywhere.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"},
            # SigV4 everywhere, signed URLs included (they then carry X-Amz-Expires).
            signature_version="s3v4",
        ),
    )


class S3DocumentStorage:
    def __init__(self, client: Any, bucket: str, server_side_encryption: str | None,
                 *, offload: bool = False) -> None:
        self._s3, self.bucket, self._sse = client, bucket, server_side_encryption
        self._offload = offload
        self._ahead_pool: ThreadPoolExecutor | None = None
        self._ahead_lock = threading.Lock()

    def _ahead(self) -> ThreadPoolExecutor:
        """The threads that ask the store ahead of time (built at the first download)."""
        with self._ahead_lock:
            if self._ahead_pool is None:
                self._ahead_pool = ThreadPoolExecutor(AHEAD_THREADS,
                                                      thread_name_prefix="docportal-store")
            return self._ahead_pool

    def put(self, key: str, body: BinaryIO, size_bytes: int, content_type: str) -> None:
        extra = {"ServerSideEncryption": self._sse} if self._sse else {}
        with _translated("put"):
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentLength=size_bytes,
                ContentType=content_type, **extra,
            )

    def opening(self, key: str) -> Opening:
        if not self._offload:
            return _Later(lambda: self.open(key))  # a stream is opened only when it is sent
        return _Ahead(self._ahead().submit(self._signed, key))

    def open(self, key: str) -> StoredObject:
        if self._offload:
            return self._signed(key)
        with _translated("get"):
            response = self._s3.get_object(Bucket=self.bucket, Key=key)
        return StoredObject(response["ContentLength"], self._chunks(response["Body"]))

    def _signed(self, key: str) -> StoredObject:
        """The object is there (a HEAD, so an outage is a 503 here, as when streaming) and a
        signed URL for the gateway to fetch it, as a path under its internal location."""
        with _translated("head"):
            head = self._s3.head_object(Bucket=self.bucket, Key=key)
            url = self._s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=SIGNED_URL_SECONDS)
        parts = urlsplit(url)
        path = OFFLOAD_PREFIX + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        return StoredObject(head["ContentLength"], iter(()), offload_path=path)

    def delete(self, key: str) -> None:
        with _translated("delete"):
            self._s3.delete_object(Bucket=self.bucket, Key=key)

    def check(self) -> None:
        """Readiness: the bucket answers (raises otherwise)."""
        with _translated("head_bucket"):
            self._s3.head_bucket(Bucket=self.bucket)

    def _chunks(self, body: Any) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        except (BotoCoreError, ClientError, OSError) as err:
            # Headers are gone already; all that is left is to cut the response short.
            log.warning("document stream broke: %s", type(err).__name__)
            s3_errors.labels(service="docportal", operation="stream").inc()
            raise StorageUnavailable(UNAVAILABLE) from None
        finally:
            body.close()



class _Ahead:
    """A HEAD and a signing running in a thread of the storage's own, for ``opening``."""

    def __init__(self, future: Future[StoredObject]) -> None:
        self._future = future

    def result(self) -> StoredObject:
        return self._future.result()

    def abandon(self) -> None:
        self._future.cancel()  # a HEAD already under way just ends; a signed URL holds nothing


class _Later:
    def __init__(self, open_: Callable[[], StoredObject]) -> None:
        self._open = open_
        self._opened: StoredObject | None = None

    def result(self) -> StoredObject:
        opened = self._opened = self._open()
        return opened

    def abandon(self) -> None:
        if self._opened is not None:
            self._opened.close()


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    try:
        yield
    except (BotoCoreError, ClientError) as err:
        code = err.response.get("Error", {}).get("Code") if isinstance(err, ClientError) else ""
        log.warning("S3 %s failed: %s %s", operation, type(err).__name__, code)
        s3_errors.labels(service="docportal", operation=operation).inc()
        raise StorageUnavailable(UNAVAILABLE) from None
