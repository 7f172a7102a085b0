"""Finalized notes' PDFs in S3-compatible storage (SeaweedFS locally, MinIO or AWS S3 elsewhere).

Every botocore error becomes ``NotePdfUnavailable`` here, so no provider detail (endpoint,
bucket, request id) reaches a caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from notes.config import NotesConfig
from notes.service_layer.errors import NotePdfUnavailable

log = logging.getLogger("notes.pdf_store")

UNAVAILABLE = "The note's PDF cannot be fetched or stored right now; try again in a few minutes."


def s3_client(config: NotesConfig) -> Any:
    return boto3.client(
        "s3", endpoint_url=config.s3_endpoint_url, aws_access_key_id=config.s3_access_key,
        aws_secret_access_key=config.s3_secret_key, region_name=config.s3_region,
        config=Config(
            connect_timeout=2, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"},
            # As docportal's: plain PUTs that every S3-compatible store takes.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"}, signature_version="s3v4",
            # One per thread of a gthread worker, and the render processes' requests.
            max_pool_connections=16,
        ),
    )


class S3NotePdfStore:
    def __init__(self, client: Any, bucket: str, prefix: str,
                 server_side_encryption: str | None) -> None:
        self._s3, self.bucket, self.prefix, self._sse = client, bucket, prefix, \
            server_side_encryption

    def key(self, org_id: str, note_id: str, version: int) -> str:
        return f"{self.prefix}{org_id}/{note_id}/v{version}.pdf"

    def put(self, key: str, content: bytes) -> None:
        extra = {"ServerSideEncryption": self._sse} if self._sse else {}
        with _translated("put"):
            self._s3.put_object(Bucket=self.bucket, Key=key, Body=content,
                                ContentType="application/pdf", **extra)

    def get(self, key: str) -> bytes:
        with _translated("get"):
            body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
            try:
                return body.read()
            finally:
                body.close()


def s3_pdf_store(config: NotesConfig) -> S3NotePdfStore:
    return S3NotePdfStore(s3_client(config), config.s3_bucket, config.note_pdf_prefix,
                          config.s3_server_side_encryption)


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    try:
        yield
    except (BotoCoreError, ClientError, OSError) as err:
        code = err.response.get("Error", {}).get("Code") if isinstance(err, ClientError) else ""
        log.warning("S3 %s failed: %s %s", operation, type(err).__name__, code)
        raise NotePdfUnavailable(UNAVAILABLE) from None
