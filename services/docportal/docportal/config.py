from dataclasses import dataclass

from servicekit.config import ServiceConfig, setting

MEGABYTE = 1024 * 1024


def parse_encryption(raw: str) -> str | None:
    """S3_SERVER_SIDE_ENCRYPTION: "AES256" asks the store to encrypt; "none" sends nothing."""
    value = raw.strip()
    if value.lower() in {"", "none", "off"}:
        return None
    if value not in {"AES256", "aws:kms"}:
        raise ValueError(f"expected AES256, aws:kms or none, got {raw!r}")
    return value


@dataclass(frozen=True)
class DocportalConfig(ServiceConfig):
    s3_endpoint_url: str | None = setting("S3_ENDPOINT_URL", default="http://127.0.0.1:8333")
    s3_bucket: str = setting("S3_BUCKET", default="clinic-documents")
    s3_access_key: str = setting("S3_ACCESS_KEY", default="clinic-local")
    s3_secret_key: str = setting("S3_SECRET_KEY", default="clinic-local-secret")
    s3_region: str = setting("S3_REGION", default="us-east-1")
    # Off by default: the local SeaweedFS has no keys to encrypt with; production sets AES256.
    s3_server_side_encryption: str | None = setting(
        "S3_SERVER_SIDE_ENCRYPTION", default=None, parse=parse_encryption
    )
    max_upload_bytes: int = setting("MAX_UPLOAD_BYTES", default=25 * MEGABYTE, parse=int)
    smtp_url: str = setting("SMTP_URL", default="smtp://127.0.0.1:1025")
    mail_from: str = setting(
        "MAIL_FROM", default="Clinic Platform <no-reply@clinicplatform.example>"
    )
    portal_base_url: str = setting("PORTAL_BASE_URL", default="http://127.0.0.1:8080/portal")
