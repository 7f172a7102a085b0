"""The identity database: practices, clinics, users, sessions and sign-in failures."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    text,
    true,
)

from servicekit.db import UTCDateTime
from servicekit.idempotency import idempotency_table
from servicekit.mail_outbox import mail_outbox_table
from servicekit.messaging.tables import messaging_tables
from servicekit.web.pages import page_sessions_table

metadata = MetaData()
messaging = messaging_tables(metadata, token_state=False)
# Every mail identity sends, queued with the change that causes it (servicekit.mail_outbox).
mail_outbox = mail_outbox_table(metadata)
# The answers of creating POSTs sent with an Idempotency-Key (servicekit.idempotency).
idempotency_keys = idempotency_table(metadata)

practices = Table(
    "practices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("licensed_seats", Integer, nullable=False, server_default=text("5")),
    # Lower-case email domains of the practice's own staff (a JSON list).
    Column("recognized_domains", JSON, nullable=False, server_default=text("'[]'")),
    # The billing system the practice links to, if any, and who is a provider in it.
    Column("billing_integration", String(100), nullable=True),
    Column("billing_provider_ids", JSON, nullable=False, server_default=text("'[]'")),
    # therapy or dental, chosen at creation: which user types its staff have.
    Column("model", String(10), nullable=False, server_default=text("'therapy'")),
)

clinics = Table(
    "clinics",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("assistants_may_finalize", Boolean, nullable=False, server_default=true()),
    Column("created_at", UTCDateTime(), nullable=False),
    # The IANA zone its times are shown in (domain/clinics.py; UTC for clinics from before).
    Column("time_zone", String(64), nullable=False, server_default=text("'UTC'")),
)

# One name per clinic within a practice, compared case-insensitively: the domain checks it
# first with a clear message; this index settles two additions racing each other.
Index("ux_clinics_practice_name", clinics.c.org_id, func.lower(clinics.c.name), unique=True)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=True, index=True),
    Column("email", String(320), nullable=False),
    Column("email_normalized", String(320), nullable=False, index=True),
    Column("full_name", String(200), nullable=False),
    Column("user_type", String(40), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column(
        "default_clinic_id", String(36), ForeignKey("clinics.id", name="fk_users_default_clinic"),
        nullable=True,
    ),
    Column("supervising_therapist_id", String(36), nullable=True),
    # Departures from the user type's defaults (JSON lists), kept minimal by the domain.
    Column("granted_permissions", JSON, nullable=False, server_default=text("'[]'")),
    Column("revoked_permissions", JSON, nullable=False, server_default=text("'[]'")),
    Column("permission_version", Integer, nullable=False, server_default=text("1")),
    UniqueConstraint("org_id", "email_normalized", name="uq_users_org_email"),
)

user_clinics = Table(
    "user_clinics",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("clinic_id", String(36), ForeignKey("clinics.id"), primary_key=True),
)

# One row per sign-in session; token hashes live in refresh_tokens.
refresh_families = Table(
    "refresh_families",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("current_hash", String(64), nullable=False),
    Column("current_expires_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_reason", String(40), nullable=True),
    # Whether the sign-in passed a second factor (refresh refuses a session without one
    # once the account needs one).
    Column("second_factor", Boolean, nullable=False, server_default=text("false")),
)

# Every refresh token a family ever issued (SHA-256 of the raw token), current and retired.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("family_id", String(36), ForeignKey("refresh_families.id"), nullable=False,
           index=True),
    Column("issued_at", UTCDateTime(), nullable=False),
)

# Failed sign-ins per kind of account and email address, whether or not an account has it,
# with the source address each came from (throttling, domain/sign_in.py).
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email_normalized", String(320), nullable=False),
    Column("failed_at", UTCDateTime(), nullable=False),
    Column("account", String(20), nullable=False, server_default=text("'staff'")),
    Column("source_address", String(64), nullable=False, server_default=text("'unknown'")),
    Index("ix_sign_in_failures_email_time", "email_normalized", "failed_at"),
)

# Each "forgot password" request per source address, known account or not (throttling).
password_reset_requests = Table(
    "password_reset_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_address", String(64), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Index("ix_password_reset_requests_address_time", "source_address", "requested_at"),
)

# One-time password-setup links (the owner's first password; later invitations).
password_setups = Table(
    "password_setups",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

# Staff invitations: only the hash of the link's token is kept; resending replaces it.
invitations = Table(
    "invitations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("practice_role", String(20), nullable=False),
    Column("permission_level", String(10), nullable=False),
    Column("clinical_role", String(40), nullable=True),
    Column("user_type", String(40), nullable=False),
    # The practitioner association: an existing record, or a new one made on acceptance.
    Column("practitioner_id", String(36), nullable=True),
    Column("new_practitioner_name", String(200), nullable=True),
    # The Admin confirmed the new record is a different person from its namesakes.
    Column("new_practitioner_confirmed", Boolean, nullable=False, server_default=text("false")),
    Column("default_clinic_id", String(36), nullable=True),
    # An assistant's or student's supervising therapist, given with the invitation.
    Column("supervising_therapist_id", String(36), nullable=True),
    Column("invited_by", String(36), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("sent_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("user_id", String(36), nullable=True),  # the account the acceptance created
    # "pending" until the SMTP server took the mail carrying the current token.
    Column("mail_status", String(10), nullable=False),
)

# Each invitation email (first send or resend), kept for the invitation limits
# (domain/invitation_limits.py); rows past the limits' window are deleted as new ones come.
invitation_mails = Table(
    "invitation_mails",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", String(36), nullable=False),
    Column("invitation_id", String(36), nullable=False),
    Column("email", String(320), nullable=False),
    Column("sent_by", String(36), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=False),
    Index("ix_invitation_mails_practice_time", "org_id", "sent_at"),
    Index("ix_invitation_mails_invitee_time", "org_id", "email", "sent_at"),
)

# A practice's practitioner records; a practitioner user is linked to one.
practitioners = Table(
    "practitioners",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("user_id", String(36), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # What a record an Admin created says the practitioner does (a linked record shows its
    # user's clinical role; this one until someone is linked).
    Column("clinical_role", String(40), nullable=True),
    # One record per user at most (a record is never linked to two users: domain rule).
    Index("ux_practitioners_user", "user_id", unique=True,
          sqlite_where=text("user_id IS NOT NULL"), postgresql_where=text("user_id IS NOT NULL")),
)

# A staff member's role in the practice (dental vocabulary), recorded on acceptance.
staff_roles = Table(
    "staff_roles",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("org_id", String(36), nullable=False, index=True),
    Column("practice_role", String(20), nullable=False),
    Column("clinical_role", String(40), nullable=True),
    Column("practitioner_id", String(36), nullable=True),
)

# Password reset links (one hour, one use), for staff and recipient accounts alike.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)


# --- accounts of no practice: recipients and vendor staff; vendor access grants ---------

# Recipients and vendor staff have no practice (org_id null); each email is unique per kind.
Index(
    "ux_users_practiceless_email", users.c.kind, users.c.email_normalized, unique=True,
    sqlite_where=users.c.org_id.is_(None), postgresql_where=users.c.org_id.is_(None),
)

# The vendor's own directory: which vendor employees may grant access to practices.
vendor_staff = Table(
    "vendor_staff",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("is_support_admin", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# A vendor employee's access to one practice: who, why, from when to when, and who said so.
access_grants = Table(
    "access_grants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("practice_id", String(36), ForeignKey("practices.id"), nullable=False, index=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("purpose", String(500), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("granted_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(36), ForeignKey("users.id"), nullable=True),
    # What the grant lets the vendor do: support or revenue_cycle (domain.vendor_support).
    Column("scope", String(32), nullable=False, server_default=text("'support'")),
)

# The grant a vendor's sign-in session was opened under (null: the vendor's own directory).
vendor_sessions = Table(
    "vendor_sessions",
    metadata,
    Column("family_id", String(36), ForeignKey("refresh_families.id"), primary_key=True),
    Column("grant_id", String(36), ForeignKey("access_grants.id"), nullable=True, index=True),
)

# --- service accounts: machines that sign in with OAuth2 client credentials ---------------

# A practice's service account (org_id set), the vendor's security account (org_id null), or
# the client credentials of a practice's automation profile (automation_user_id set). Only
# the SHA-256 of the secret is kept; rotation and revocation raise the version.
service_accounts = Table(
    "service_accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), ForeignKey("practices.id"), nullable=True, index=True),
    Column("name", String(100), nullable=False),
    Column("scope", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("automation_user_id", String(36), ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("rotated_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(36), nullable=True),
)

# The staff pages' browser sessions (identity/pages): the cookie holds a random id; the row
# is found by its SHA-256 and its data is sealed under a key derived from it.
staff_page_sessions = page_sessions_table("staff_page_sessions", metadata)

# The practice's Admin-only settings areas (domain/practice_settings.py), one row per area
# once an Admin has saved it; an area never saved reads as its defaults.
practice_settings = Table(
    "practice_settings",
    metadata,
    Column("practice_id", String(36), ForeignKey("practices.id"), primary_key=True),
    Column("area", String(40), primary_key=True),
    Column("settings", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(36), nullable=True),
)

# Each account's TOTP secret (domain/second_factor.py), sealed under SECOND_FACTOR_SECRET;
# enrolled_at is empty while the enrollment waits for its first code.
second_factors = Table(
    "second_factors",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Column("secret_sealed", String(200), nullable=False),
    Column("enrolled_at", UTCDateTime(), nullable=True),
    Column("last_used_step", BigInteger, nullable=False, server_default=text("0")),
    Column("wrong_codes", Integer, nullable=False, server_default=text("0")),
    Column("wrong_since", UTCDateTime(), nullable=True),
)

# Single-use recovery codes (SHA-256 of the normalized code); a new set replaces the old.
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("used_at", UTCDateTime(), nullable=True),
)

# One-time enrollment tokens handed out when a sign-in needs a second factor not yet
# enrolled: they open POST /second-factor/enrollment and its confirmation, nothing else.
second_factor_enrollments = Table(
    "second_factor_enrollments",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("account", String(20), nullable=False),
    Column("practice_id", String(36), nullable=True),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)
