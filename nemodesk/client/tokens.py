"""Where the bearer token lives: the OS keyring when one answers, else memory only.

Like a password manager's fallback, the store says honestly whether it is the secure one
(``is_secure``) so the app can tell the user that the token will not survive a restart.
Keyring calls block (D-Bus, Keychain): the async client runs them in a thread.
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError

SERVICE = "nemodesk"
log = logging.getLogger(__name__)


def _usable_backend() -> bool:
    """False for keyring's 'fail' backend and for a chainer with nothing behind it."""
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith("keyring.backends.fail"):
        return False
    if name.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", []))
    return getattr(backend, "priority", 1) > 0


class TokenStore:
    """``get/set/forget`` one token per API base (the keyring account name)."""

    def __init__(self, service: str = SERVICE, *, use_keyring: bool = True) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self._keyring = use_keyring and _usable_backend()
        self.problem = "" if self._keyring else "no keyring available"

    @property
    def is_secure(self) -> bool:
        return self._keyring

    def _fallback(self, exc: Exception) -> None:
        # The message of a keyring error never holds the secret; the type is enough.
        log.warning("keyring unavailable (%s); keeping the token in memory", type(exc).__name__)
        self._keyring = False
        self.problem = f"keyring failed: {type(exc).__name__}"

    def get(self, account: str) -> str | None:
        if account in self._memory:
            return self._memory[account]
        if self._keyring:
            try:
                value = keyring.get_password(self.service, account)
            except (KeyringError, OSError, RuntimeError) as e:
                self._fallback(e)
                return None
            if value:
                self._memory[account] = value
            return value or None
        return None

    def set(self, account: str, token: str) -> None:
        self._memory[account] = token
        if self._keyring:
            try:
                keyring.set_password(self.service, account, token)
            except (KeyringError, OSError, RuntimeError) as e:
                self._fallback(e)

    def forget(self, account: str) -> None:
        self._memory.pop(account, None)
        if self._keyring:
            try:
                keyring.delete_password(self.service, account)
            except keyring.errors.PasswordDeleteError:
                pass
            except (KeyringError, OSError, RuntimeError) as e:
                self._fallback(e)
