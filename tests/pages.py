"""Reading a page in a test without tripping over its random parts."""

import re

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_NONCE = re.compile(r'nonce="[^"]*"')


def page_text(response) -> str:
    """The page's HTML with its CSRF token and CSP nonce values blanked.

    A token is 64 random letters and digits, so a test asserting that a short word such as a first
    name is *not* on the page would otherwise fail now and then on a token that happens to spell it.
    """
    html = _TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    return _NONCE.sub('nonce=""', html)
