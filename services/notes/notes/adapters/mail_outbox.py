"""Notes' mail outbox (servicekit.mail_outbox): the treatment plan mails to patients."""

from notes.adapters.tables import mail_outbox
from servicekit.mail_outbox import MailOutbox

MAIL_OUTBOX = MailOutbox(mail_outbox)
