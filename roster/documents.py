"""What is wrong, if anything, with an uploaded application document: it must be a plain PDF.

`pdf_problem(upload)` reads the file (and puts its pointer back at the start) and answers the
message to show next to the documents field, or None for a PDF we accept. Refused: files that are
not PDFs or that pypdf cannot read (no trailer/xref, no pages), HTML or script polyglots (markup in
the first or last bytes, where browsers sniff), encrypted PDFs, and PDFs with active or hidden
content anywhere reachable from the trailer: JavaScript (the /Names tree, /OpenAction, /AA, any
/JS), Launch actions, embedded files (/EmbeddedFiles, /FileAttachment annotations, /EF file
specifications) and XFA forms. The size and number of documents are the service's rules.
"""

import io
import logging
import re

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Browsers sniff the start of a response (the HTML sniffing window is 512 bytes); a polyglot may
# also hide markup at the very end, after %%EOF. A PDF has no business carrying markup there.
SNIFF_BYTES = 1024
_MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|iframe|frame|object|embed|svg|img|meta|link|style|form)"
    rb"|javascript:",
    re.IGNORECASE,
)
# Parsing costs pypdf some 60 µs an object: a long CV has a few thousand, a crafted 10 MB file a
# quarter of a million. Past these bounds the file is refused as unreadable.
MAX_OBJECTS = 20_000
MAX_NODES = 1_000_000

JAVASCRIPT, LAUNCH, EMBEDDED, XFA = "javascript", "launch", "embedded", "xfa"
_ORDER = (JAVASCRIPT, LAUNCH, EMBEDDED, XFA)

MESSAGES = {
    "not_pdf": _("%(name)s is not a PDF document."),
    "unreadable": _("%(name)s could not be read as a PDF document; it may be damaged or incomplete."),
    "no_pages": _("%(name)s has no pages."),
    "encrypted": _("%(name)s is encrypted or protected by a password. Upload a PDF without protection."),
    JAVASCRIPT: _("%(name)s contains JavaScript. Upload a PDF without scripts."),
    LAUNCH: _("%(name)s contains an action that launches a program or file. Upload a plain PDF."),
    EMBEDDED: _("%(name)s contains embedded files. Upload a PDF without attachments."),
    XFA: _("%(name)s contains an XFA form. Print it to a plain PDF and upload that."),
}


def pdf_problem(upload) -> str | None:
    """Why `upload` is refused as an application document (a translated message), or None."""
    try:
        upload.seek(0)
        data = upload.read()
    finally:
        upload.seek(0)
    kind = _problem_of_bytes(data)
    return None if kind is None else str(MESSAGES[kind] % {"name": upload.name})


def _problem_of_bytes(data: bytes) -> str | None:
    import filetype
    from pypdf import PdfReader

    guessed = filetype.guess(data[:SNIFF_BYTES])
    if not data.startswith(b"%PDF-") or guessed is None or guessed.mime != "application/pdf":
        return "not_pdf"
    if _MARKUP.search(data[:SNIFF_BYTES]) or _MARKUP.search(data[-SNIFF_BYTES:]):
        return "not_pdf"
    try:
        # Tolerant parsing, as viewers do (strict mode refuses ordinary files whose xref offsets
        # are slightly off), but pypdf still requires %%EOF and a startxref it can follow.
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "encrypted"
        if "/Root" not in reader.trailer:
            return "unreadable"
        if len(reader.pages) == 0:
            return "no_pages"
        found = _active_content(reader)
    except Exception:  # pypdf raises many kinds (read, stream, key, type, recursion errors)
        logger.info("an uploaded document could not be parsed as a PDF", exc_info=True)
        return "unreadable"
    for kind in _ORDER:
        if kind in found:
            return kind
    return None


def _active_content(reader) -> set[str]:
    """The kinds of active or hidden content reachable from the trailer (no stream is decoded)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    nodes = 0
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > MAX_NODES or len(seen) > MAX_OBJECTS:
            raise ValueError("too many objects to check")
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            stack.append(node.get_object())
        elif isinstance(node, DictionaryObject):  # streams too: their dictionary only
            found |= _kinds_of(node)
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return found


def _name(d, key):
    value = d.get(key)
    return None if value is None else value.get_object()


def _kinds_of(d) -> set[str]:
    """What one dictionary is: a JavaScript or Launch action, an embedded file, an XFA form."""
    kinds = set()
    action = _name(d, "/S")
    if "/JS" in d or action == "/JavaScript" or "/JavaScript" in d:  # an action, or the /Names tree
        kinds.add(JAVASCRIPT)
    if action == "/Launch":
        kinds.add(LAUNCH)
    if (
        "/EmbeddedFiles" in d  # the /Names tree
        or "/EF" in d  # a file specification carrying the file
        or action == "/GoToE"
        or _name(d, "/Type") == "/EmbeddedFile"
        or _name(d, "/Subtype") == "/FileAttachment"
    ):
        kinds.add(EMBEDDED)
    if "/XFA" in d:
        kinds.add(XFA)
    return kinds
