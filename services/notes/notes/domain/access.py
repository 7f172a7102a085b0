"""Who may start, edit, forward, finalize and add to a note; each refusal says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notes.domain.errors import (
    FinalizationRefused,
    NoteAlreadyFinalized,
    NoteCannotBeDiscarded,
    NoteDiscarded,
    PermissionRefused,
    StaleNoteVersion,
)
from notes.domain.gate import FinalizationDecision
from notes.domain.note_parts import NoteStatus
from notes.domain.users import Permission, PracticeUser, UserCategory

if TYPE_CHECKING:
    from notes.domain.notes import Note


def require_note_starter(author: PracticeUser) -> None:
    # Clerical users never write clinical notes, even if someone granted them the permission.
    if author.category is UserCategory.CLERICAL:
        raise PermissionRefused(
            "Clerical users do not start notes; ask the treating therapist to start it.",
            {"category": author.category.value},
        )
    if not author.holds(Permission.START_NOTES):
        raise PermissionRefused(
            "You need the start SOAP notes permission to start a note; ask a User Manager.",
            {"permission": Permission.START_NOTES.value},
        )


def refuse_if_finalized(note: Note) -> None:
    refuse_if_discarded(note)  # a discarded draft is changed by nobody either
    if note.status is NoteStatus.FINALIZED:
        raise NoteAlreadyFinalized(
            "This note is finalized and can no longer be changed; add an addendum instead.",
            {"note_id": note.id, "status": note.status.value},
        )


def refuse_if_discarded(note: Note) -> None:
    if note.status is NoteStatus.DISCARDED:
        raise NoteDiscarded(
            "This draft note was discarded and is no longer part of the chart; start a new "
            "note if one is needed.",
            {"note_id": note.id, "status": note.status.value},
        )


def require_discardable(note: Note) -> None:
    """Only a draft goes: what was forwarded is recalled first, what was signed stays."""
    if note.status is NoteStatus.FINALIZED:
        raise NoteCannotBeDiscarded(
            "A finalized note is part of the chart and cannot be discarded; correct it with "
            "an addendum instead.",
            {"note_id": note.id, "status": note.status.value, "next_step": "add_addendum"},
        )
    if note.status is NoteStatus.FORWARDED:
        raise NoteCannotBeDiscarded(
            "This note is forwarded for co-signature; recall it first, then discard it.",
            {"note_id": note.id, "status": note.status.value,
             "forwarded_to_id": note.forwarded_to_id, "next_step": "recall"},
        )


def require_discarder(note: Note, by: PracticeUser) -> None:
    # The same people who may edit the draft: its author and their supervising therapist.
    if by.id not in _supervision(note):
        raise PermissionRefused(
            "Only the note's author or their supervising therapist can discard this draft.",
            {"note_id": note.id},
        )


def require_version(note: Note, expected_version: int) -> None:
    if expected_version != note.version:
        raise StaleNoteVersion(
            "Someone saved this note after you opened it; reload it, reapply your changes "
            "and save again.",
            {"expected_version": expected_version, "current_version": note.version},
        )


def require_editor(note: Note, editor: PracticeUser) -> None:
    if editor.id not in _supervision(note):
        raise PermissionRefused(
            "Only the note's author or their supervising therapist can edit this note.",
            {"note_id": note.id},
        )


def require_forwarder(note: Note, by: PracticeUser) -> None:
    if by.id != note.author_id:
        raise PermissionRefused(
            "Only the note's author can forward it to a supervising therapist.",
            {"note_id": note.id},
        )
    if not by.holds(Permission.FORWARD_NOTES):
        raise PermissionRefused(
            "You need the forward SOAP notes permission to forward a note; ask a User "
            "Manager, or ask your supervising therapist to open the note.",
            {"permission": Permission.FORWARD_NOTES.value},
        )


def require_finalizer(note: Note, by: PracticeUser) -> None:
    if note.forwarded_to_id is not None:
        # Once forwarded, the note waits for that therapist's co-signature.
        if by.id != note.forwarded_to_id:
            raise PermissionRefused(
                "This note is forwarded to a therapist for co-signature; only they can "
                "finalize it.",
                {"forwarded_to_id": note.forwarded_to_id},
            )
        return
    if by.id == note.author_id:
        return
    if by.id != note.supervising_therapist_id or by.category is not UserCategory.THERAPIST:
        raise PermissionRefused(
            "Only the note's author or their supervising therapist can finalize this note.",
            {"note_id": note.id},
        )


def require_gate(decision: FinalizationDecision) -> None:
    if not decision.allowed:
        raise FinalizationRefused(
            decision.message,
            {
                "reasons": [
                    {"code": reason.code.value, "message": reason.message}
                    for reason in decision.reasons
                ],
                "next_step": decision.next_step,
            },
        )


def require_addendum_writer(note: Note, by: PracticeUser) -> None:
    signature = note.signature
    signers = {signature.finalized_by_id, signature.cosigner_id} if signature else set()
    if by.id not in _supervision(note) | (signers - {None}):
        raise PermissionRefused(
            "Only the note's author, its signers or the supervising therapist can add an "
            "addendum; ask one of them to add it.",
            {"note_id": note.id},
        )


def _supervision(note: Note) -> set[str]:
    """The author and the therapists supervising this note."""
    ids = {note.author_id, note.supervising_therapist_id, note.forwarded_to_id}
    return {user_id for user_id in ids if user_id is not None}
