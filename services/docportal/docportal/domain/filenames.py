"""The name a document is shown and downloaded under.

An uploader's file name ends up in the portal pages and in Content-Disposition, so it
is reduced to a plain base name: no directories ("../../etc/passwd" becomes "passwd"),
no control or direction-override characters (which can disguise "gpj.exe" as
"exe.jpg"), no characters that Windows or a header would read specially, a bounded
length, and an extension that matches the type the bytes proved.
"""

import re
import unicodedata

#: Extensions per sniffed type; the first is the one added when the name has none.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
}

#: Bytes, not characters: file systems and mail clients limit names by their UTF-8 size.
MAX_FILENAME_BYTES = 150

FALLBACK_STEM = "document"

_KNOWN_EXTENSIONS = {ext for exts in EXTENSIONS.values() for ext in exts}
_RESERVED = re.compile(r'[<>:"|?*;]')
_WHITESPACE = re.compile(r"\s+")


def safe_filename(name: str, content_type: str) -> str:
    """Return a safe base name for ``name`` ending in an extension of ``content_type``."""
    extensions = EXTENSIONS[content_type]
    # NFKC folds look-alikes such as fullwidth solidus into the plain characters that
    # the path handling below then removes.
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _RESERVED.sub("_", text)
    text = _WHITESPACE.sub(" ", text).strip(" .")

    stem, dot, extension = text.rpartition(".")
    extension = f".{extension.lower()}" if dot else ""
    if extension not in extensions:
        # "scan.pdf" that is really a PNG had the wrong type, so the extension goes;
        # "letter" or "report.v2" keep what the person typed and gain the real one.
        if extension not in _KNOWN_EXTENSIONS:
            stem = text
        extension = extensions[0]

    stem = _truncate(stem.strip(" ."), MAX_FILENAME_BYTES - len(extension.encode()))
    return f"{stem or FALLBACK_STEM}{extension}"


def _truncate(text: str, max_bytes: int) -> str:
    # Cutting the UTF-8 bytes and dropping a split character keeps the result valid.
    return text.encode()[:max_bytes].decode(errors="ignore").rstrip(" .")
