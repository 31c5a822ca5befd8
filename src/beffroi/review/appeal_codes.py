"""Appeal codes: the secret a statement of reasons gives its author, proof of authorship without an account.

Twenty base32 characters (100 random bits) in groups of four, easy to type from a message; only the SHA-256 is
stored. Guessing one is hopeless, so a fast hash is enough, as for API tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

GROUPS = 5


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(13)).decode()[: GROUPS * 4]  # 104 random bits; 20 characters keep 100
    return "-".join(raw[i : i + 4] for i in range(0, GROUPS * 4, 4))


LOOKALIKES = str.maketrans("018", "OIB")  # base32 has no 0, 1 or 8: a reader who typed one meant the letter


def code_hash(code: str) -> str:
    """Case, spaces, dashes and look-alike digits do not matter: an author retyping the code is not refused."""
    normal = "".join(code.split()).replace("-", "").upper().translate(LOOKALIKES)
    return hashlib.sha256(normal.encode()).hexdigest()
