"""Bearer tokens out of any text the app writes or shows: the crash log (``ui/crash.py``),
the error sentences (``ui/error_text.py``) and the saved preferences (``ui/preferences.py``).

Its own module, below all three, so the crash reporter can describe an error with
``error_text`` while ``error_text`` redacts with the same rule.
"""

from __future__ import annotations

import re
from typing import Final

REDACTED: Final = "[redacted]"
# Our bearer tokens (``nmv_usr_…``, url-safe base64) and any Authorization header value.
TOKEN_RE: Final = re.compile(r"nmv_[A-Za-z0-9_\-]+|Bearer\s+\S+")


def redact(text: str) -> str:
    return TOKEN_RE.sub(REDACTED, text)
