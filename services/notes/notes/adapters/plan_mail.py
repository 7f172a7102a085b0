"""The treatment plan email to the patient.

It names the practice (and clinic) and carries the link, nothing else: no patient name, no
item, no price, no diagnosis. The plan is shown once the patient has typed the address the
mail came to.
"""

from __future__ import annotations

from email.message import EmailMessage

from notes.service_layer.plan_sending import PlanMail
from servicekit.mail import SmtpMailer


class SmtpTreatmentPlanMailer:
    """Composes the mail (queued in the mail outbox) and sends what the outbox hands back."""

    def __init__(self, smtp_url: str, mail_from: str) -> None:
        self._smtp = SmtpMailer(smtp_url, mail_from)

    def plan_link_message(self, mail: PlanMail) -> EmailMessage:
        return plan_link_message(mail, self._smtp)

    def send(self, message: EmailMessage) -> None:
        self._smtp.send(message)


def plan_link_message(mail: PlanMail, smtp: SmtpMailer) -> EmailMessage:
    sender = mail.practice_name
    if mail.clinic_name and mail.clinic_name != mail.practice_name:
        sender = f"{mail.practice_name} ({mail.clinic_name})"
    return smtp.message(
        mail.to,
        f"{mail.practice_name}: your treatment plan",
        f"{sender} has prepared a treatment plan for you.\n\n"
        f"Open it here by {mail.expires_at:%d %B %Y}:\n{mail.link}\n\n"
        "The page asks for this email address before it shows the plan. There you can\n"
        "choose to proceed with the treatment or ask for a payment plan.\n\n"
        "If the link has expired, or you did not expect this email, contact the clinic.\n",
    )
