"""A small self-hosted challenge for the public request form, with no third-party service:

- a question a person answers at a glance ("What is seven plus three?"), in the page's language;
- the form carries a signed token of the moment it was made and a random nonce: a token that was
  tampered with, is older than ROSTER["PARTNER_FORM_MAX_SECONDS"] or younger than
  ROSTER["PARTNER_FORM_MIN_SECONDS"] (no person fills the form that fast) is refused. The two
  numbers are not in the token (a signed token is only base64, readable by anyone): they are
  derived from the nonce with a keyed hash (SECRET_KEY), so only the question, in words, tells them;
- each token is accepted once (its nonce is remembered in the cache until it expires);
- a honeypot field, hidden from people and screen readers, that robots fill in.

The view also limits requests per client address (django-ratelimit).
"""

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

SALT = "accounts.partners.challenge"
WORDS = [_("zero"), _("one"), _("two"), _("three"), _("four"), _("five"), _("six"), _("seven"), _("eight"),
         _("nine")]


class ChallengeFailed(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def issue(*, now: float | None = None) -> str:
    """A fresh token for a form: the time and a nonce (the question's numbers follow from the nonce)."""
    payload = {"t": int(now if now is not None else time.time()), "n": secrets.token_hex(16)}
    return signing.dumps(payload, salt=SALT, compress=False)


def _payload(token: str) -> dict | None:
    try:
        payload = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), int) or not isinstance(payload.get("n"), str):
        return None
    return payload


def _numbers(payload: dict) -> tuple[int, int]:
    """The question's two numbers, from 1 to 9: a keyed hash of the nonce, so that the page and the
    token do not give them away."""
    digest = salted_hmac(f"{SALT}.numbers", payload["n"], algorithm="sha256").digest()
    return 1 + digest[0] % 9, 1 + digest[1] % 9


def question(token: str) -> str:
    payload = _payload(token)
    if payload is None:
        return ""
    a, b = _numbers(payload)
    return str(_("What is %(a)s plus %(b)s? Answer in digits.") % {"a": WORDS[a], "b": WORDS[b]})


def answer(token: str) -> int | None:
    """The right answer to the token's question (server side: it needs SECRET_KEY), or None for a
    token that is not genuine."""
    payload = _payload(token)
    return None if payload is None else sum(_numbers(payload))


def check(token: str, answer, *, now: float | None = None) -> None:
    """Raise ChallengeFailed (with a message for the person) unless the token is genuine, of an
    acceptable age and not used before, and the answer is right. The token is used up either way."""
    payload = _payload(token)
    if payload is None:
        raise ChallengeFailed(_("The form could not be checked. Fill it in again."))
    now = now if now is not None else time.time()
    age = now - payload["t"]
    rules = settings.ROSTER
    if age > rules["PARTNER_FORM_MAX_SECONDS"]:
        raise ChallengeFailed(_("The form was open too long. Answer the new question and send it again."))
    if age < rules["PARTNER_FORM_MIN_SECONDS"]:
        raise ChallengeFailed(_("The form was sent too quickly. Check your answers and send it again."))
    # Used up by this attempt, right or wrong: a robot cannot try every answer with one token.
    if not cache.add(f"partner-join-token:{payload['n']}", 1, timeout=rules["PARTNER_FORM_MAX_SECONDS"]):
        raise ChallengeFailed(_("This form was already sent. Answer the new question to send another request."))
    try:
        given = int(str(answer).strip())
    except (TypeError, ValueError):
        given = None
    if given != sum(_numbers(payload)):
        raise ChallengeFailed(_("That answer is not right. Answer the new question."))
