"""Server-rendered pages (docportal's /portal/, identity's /app/): sessions, CSRF, headers."""

from servicekit.web.pages.forms import (
    CSRF_FIELD,
    MAX_FIELD,
    MAX_NAME,
    MAX_PASSWORD,
    FormExpired,
    check_csrf,
    csrf_token,
    field,
    guard_pages,
    new_csrf_token,
    password_field,
)
from servicekit.web.pages.problems import Problem, install_page_problems
from servicekit.web.pages.server_session import (
    PageSession,
    PageSessionInterface,
    install_page_sessions,
    rotate_session,
)
from servicekit.web.pages.store import (
    SESSION_ID,
    SealedSessionStore,
    new_session_id,
    page_sessions_table,
)

__all__ = [
    "CSRF_FIELD", "MAX_FIELD", "MAX_NAME", "MAX_PASSWORD", "SESSION_ID", "FormExpired",
    "PageSession", "PageSessionInterface", "Problem", "SealedSessionStore", "check_csrf",
    "csrf_token", "field", "guard_pages", "install_page_problems", "install_page_sessions",
    "new_csrf_token", "new_session_id", "page_sessions_table", "password_field",
    "rotate_session",
]
