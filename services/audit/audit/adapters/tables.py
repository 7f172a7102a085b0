from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from servicekit.db import UTCDateTime
from servicekit.mail_outbox import mail_outbox_table
from servicekit.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Every event the platform emitted, as received. Append-only: nothing in the service updates
# or deletes a row, and the hash chain (partition, chain_seq, prev_hash, hash) proves it.
# `seq` is the global arrival order (API cursors); `chain_seq` the place in its partition.
audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("producer", String(40), nullable=False),
    Column("org_id", String(36), nullable=True),
    Column("actor_id", String(64), nullable=True),
    Column("patient_id", String(64), nullable=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("chain_seq", BigInteger, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("partition", "chain_seq", name="uq_audit_events_chain"),
)
Index("ix_audit_events_org_time", audit_events.c.org_id, audit_events.c.occurred_at)
Index("ix_audit_events_actor_time", audit_events.c.actor_id, audit_events.c.occurred_at)
Index("ix_audit_events_patient_time", audit_events.c.patient_id, audit_events.c.occurred_at)
Index("ix_audit_events_type", audit_events.c.type)

# Access facts summed per practice ("" for none), actor, patient, action and UTC day, kept
# in the transaction that stores the record (service_layer/access_rollups.py); the access
# reports read these for the whole days of their window. Derived: `audit rollups rebuild`
# recounts them from audit_events, `audit rollups check` compares.
def access_rollup_columns() -> list[Column]:
    """The columns of access_rollups (also of the check's temporary recount)."""
    return [
        Column("actor_id", String(64), primary_key=True),
        Column("org_id", String(36), primary_key=True),
        Column("day", Date, primary_key=True),
        # Searches name their patients in data.patient_ids, which no column bounds.
        Column("patient_id", Text, primary_key=True),
        Column("action", String(20), primary_key=True),
        Column("records", BigInteger, nullable=False),
        Column("first_at", UTCDateTime(), nullable=False),
        Column("last_at", UTCDateTime(), nullable=False),
    ]


access_rollups = Table("access_rollups", metadata, *access_rollup_columns())
Index("ix_access_rollups_patient", access_rollups.c.patient_id, access_rollups.c.org_id,
      access_rollups.c.day)

# The same sums over all days, one row per practice, actor, patient and action: a report
# whose window holds a key's first and last access takes that key from here, whatever
# its number of days. Kept with the day rows; `audit rollups check` compares them.
access_totals = Table(
    "access_totals",
    metadata,
    Column("actor_id", String(64), primary_key=True),
    Column("org_id", String(36), primary_key=True),
    Column("patient_id", Text, primary_key=True),
    Column("action", String(20), primary_key=True),
    Column("records", BigInteger, nullable=False),
    Column("first_at", UTCDateTime(), nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
)
Index("ix_access_totals_patient", access_totals.c.patient_id, access_totals.c.org_id)

# The newest record of each partition; its row lock serializes appends to that partition.
chain_heads = Table(
    "chain_heads",
    metadata,
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

chain_checkpoints = Table(
    "chain_checkpoints",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("partition", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("taken_at", UTCDateTime(), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", LargeBinary, nullable=False),
)
Index("ix_chain_checkpoints_partition_seq", chain_checkpoints.c.partition,
      chain_checkpoints.c.seq)

# Unrecognized-profile and sign-in alerts; `subject_key` is what repeats are suppressed by.
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=True),
    Column("profile_id", String(64), nullable=True),
    Column("subject_key", String(400), nullable=False),
    Column("reason", String(60), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("raised_at", UTCDateTime(), nullable=False),
    Column("status_note", Text, nullable=True),
    Column("status_by", String(64), nullable=True),
    Column("status_changed_at", UTCDateTime(), nullable=True),
)
Index("ix_alerts_org_status", alerts.c.org_id, alerts.c.status)
Index("ix_alerts_subject", alerts.c.org_id, alerts.c.subject_key, alerts.c.reason)

# Every change of an alert's status, oldest first: raised, acknowledged, resolved (by a person,
# or by the system when a later fact recognized the profile). Append-only: triggers refuse
# UPDATE and DELETE; `alerts.status` is only the newest of these.
alert_status_changes = Table(
    "alert_status_changes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("changed_by", String(64), nullable=False),  # a user id, or "system"
    Column("note", Text, nullable=False),
    Column("event_id", String(36), nullable=True),  # the fact that made the system change it
)
Index("ix_alert_status_changes_alert", alert_status_changes.c.alert_id,
      alert_status_changes.c.id)

# The current verdict of each judgement recognition makes (a profile in its practice, a
# profile's creation, a vendor's entry into a practice, a sign-in), so that a later fact
# re-judges it: `undecided` waits for a fact, `unrecognized` holds an alert open.
# Recognized judgements keep no row unless they were once something else.
recognition_verdicts = Table(
    "recognition_verdicts",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("org_id", String(36), nullable=True),
    Column("profile_id", String(64), nullable=True),
    Column("subject_key", String(400), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", String(60), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("event_id", String(36), nullable=False),
)
Index("ix_recognition_verdicts_group", recognition_verdicts.c.org_id,
      recognition_verdicts.c.subject_key, recognition_verdicts.c.reason)

# Local projections of identity's data, only what profile recognition needs.
known_practices = Table(
    "known_practices",
    metadata,
    Column("org_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("owner_id", String(64), nullable=True),
    Column("recognized_domains", Text, nullable=True),  # JSON list; None: the owner's domain
    # When identity stated the domains: an older statement arriving later changes nothing.
    Column("domains_stated_at", UTCDateTime(), nullable=True),
)

known_profiles = Table(
    "known_profiles",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("org_id", String(36), nullable=True),
    Column("email", String(320), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("role", String(40), nullable=True),
    # JSON list of the profile's permissions as identity last stated them; None: never stated.
    Column("permissions", Text, nullable=True),
)
Index("ix_known_profiles_org", known_profiles.c.org_id)

# Every statement identity made about a profile (created, *_changed, deactivated...), with its
# time: `known_profiles` is their fold in time order, so it ends the same whatever order they
# arrived in, and a profile "as of" a moment (a creator's permissions, a status at a sign-in)
# is the fold of the statements up to it. A creation names its creator.
profile_statements = Table(
    "profile_statements",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("org_id", String(36), nullable=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("changes", Text, nullable=False),  # JSON object of the fields stated
    Column("created_by", String(64), nullable=True),
    Column("created_by_kind", String(20), nullable=True),
    Column("invitation_id", String(64), nullable=True),
)
Index("ix_profile_statements_user", profile_statements.c.user_id,
      profile_statements.c.occurred_at)
Index("ix_profile_statements_creator", profile_statements.c.created_by)
Index("ix_profile_statements_invitation", profile_statements.c.invitation_id)

# Vendor employees (and vendor-domain profiles) entering a practice: each successful sign-in
# or grant use, with the grant identity says let them in. Kept so that a grant arriving after
# the entry re-judges it.
vendor_entries = Table(
    "vendor_entries",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("org_id", String(36), nullable=False),
    Column("entered_at", UTCDateTime(), nullable=False),
    Column("access_grant_id", String(64), nullable=True),
    Column("email", String(320), nullable=False),
    Column("kind", String(20), nullable=False),
)
Index("ix_vendor_entries_user_org", vendor_entries.c.user_id, vendor_entries.c.org_id)

# Who (re)sent each invitation: an invitee's own acceptance creates the profile, and the
# creation is judged by the permissions of whoever invited them.
known_invitations = Table(
    "known_invitations",
    metadata,
    Column("invitation_id", String(64), primary_key=True),
    Column("org_id", String(36), nullable=False),
    Column("sent_by", String(64), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),  # of the newest (re)send
)

access_grants = Table(
    "access_grants",
    metadata,
    Column("grant_id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("org_id", String(36), nullable=True),
    Column("purpose", String(400), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)
Index("ix_access_grants_user", access_grants.c.user_id)

# Breach assessments as made: the inputs, the four-factor result and the notices, with who
# made them. Append-only (triggers refuse UPDATE and DELETE); `content_hash` also travels in
# the audit.breach_assessment.created event, so the hash-chained record vouches for each row.
breach_assessments = Table(
    "breach_assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org_id", String(36), nullable=True),  # None: a vendor-wide assessment
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_by_email", String(320), nullable=True),
    Column("created_by_kind", String(20), nullable=False),
    Column("discovered_on", Date, nullable=False),
    Column("affected_count", Integer, nullable=False),
    Column("reaches_500", Boolean, nullable=False),
    Column("notification_required", Boolean, nullable=False),
    Column("inputs", Text, nullable=False),  # JSON
    Column("result", Text, nullable=False),  # JSON
    Column("content_hash", String(64), nullable=False),
)
Index("ix_breach_assessments_org_time", breach_assessments.c.org_id,
      breach_assessments.c.created_at)

# The security streams open now, one row per place a caller holds (``slot`` < the per-caller
# limit): taken when a stream opens, renewed at its heartbeats, freed when it closes. A row not
# renewed for a while belongs to a dead process and is taken over. Working state, not record.
stream_connections = Table(
    "stream_connections",
    metadata,
    Column("caller", String(200), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("connection_id", String(36), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
)

# Where each patient lives, as notes last stated it (notes.patient.residence_recorded): the
# two-letter state code only, for the breach assessment's count per state. None: not known.
patient_residences = Table(
    "patient_residences",
    metadata,
    Column("patient_id", String(64), primary_key=True),
    Column("org_id", String(36), nullable=True),
    Column("state", String(2), nullable=True),
    Column("stated_at", UTCDateTime(), nullable=False),
    Column("event_id", String(36), nullable=False),
)

# A practice's alert webhook (PUT /alert-webhook): the URL and the HMAC secret its bodies are
# signed with. The secret is needed to sign, so it is kept as given; no route shows it again.
alert_webhooks = Table(
    "alert_webhooks",
    metadata,
    Column("org_id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("set_by", String(64), nullable=False),
    Column("set_at", UTCDateTime(), nullable=False),
)

# The outbox of alert pushes: one row per (alert step, channel, mail recipient), written in the
# alert step's transaction; `audit alert-push` delivers them with backoff. Pending: neither
# delivered nor dead. Dead: failed `AUDIT_ALERT_PUSH_MAX_ATTEMPTS` times (listed, retryable).
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("org_id", String(36), nullable=False),
    Column("alert_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),  # the alert step's audit.alert.* event
    Column("event_type", String(60), nullable=False),
    Column("channel", String(16), nullable=False),  # mail | webhook
    Column("target", String(320), nullable=True),  # the mail address; None: the webhook
    Column("body", Text, nullable=False),  # JSON: the webhook body, also what a mail says
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("delivered_at", UTCDateTime(), nullable=True),
    Column("dead_at", UTCDateTime(), nullable=True),
    Column("last_error", String(500), nullable=True),
)
Index("ix_alert_deliveries_due", alert_deliveries.c.delivered_at, alert_deliveries.c.dead_at,
      alert_deliveries.c.next_attempt_at)
Index("ix_alert_deliveries_org", alert_deliveries.c.org_id, alert_deliveries.c.id)

# Every mail audit sends (the alert mails to the User Managers), queued in the alert step's
# transaction (servicekit.mail_outbox); `audit alert-push` sends them with backoff.
mail_outbox = mail_outbox_table(metadata)
