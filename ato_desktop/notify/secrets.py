"""The SMTP password lives in the OS keychain through keyring, and nowhere else.

Service name ``"ATO Desktop"``, user name ``"smtp:<user>@<host>"``. When no
usable keyring backend exists (keyring's ``fail`` backend, an empty chainer,
the ``null`` backend or a plain-text file backend), saving a password raises
:class:`SecretStoreUnavailable`; the caller shows that message instead of
storing the password elsewhere.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from ato_desktop import APP_NAME

SERVICE_NAME = APP_NAME  # "ATO Desktop"

NO_BACKEND_MESSAGE = (
    "No secure password store (system keychain) is available on this computer, so the SMTP password "
    "cannot be saved. ATO Desktop never stores it in the database or a file. Install or unlock a keychain "
    "(Windows Credential Manager, macOS Keychain, GNOME Keyring / KWallet on Linux), or use an SMTP server "
    "that needs no password."
)

# Backends that would keep the secret in a readable file: not acceptable.
_FILE_BACKENDS = ("keyrings.alt.file.PlaintextKeyring",)


class SecretStoreUnavailable(RuntimeError):
    """No usable keyring backend: the password cannot be stored safely."""

    def __init__(self, detail: str = ""):
        super().__init__(NO_BACKEND_MESSAGE + (f" ({detail})" if detail else ""))


def account(user: str, host: str) -> str:
    return f"smtp:{user}@{host}"


def _unusable_reason(backend) -> str | None:
    from keyring.backends import chainer, fail, null
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if isinstance(backend, fail.Keyring):
        return "keyring found no backend"
    if isinstance(backend, null.Keyring):
        return "keyring is set to the null backend"
    if name in _FILE_BACKENDS:
        return f"{name} would store the password in a plain file"
    if isinstance(backend, chainer.ChainerBackend):
        usable = [b for b in backend.backends if _unusable_reason(b) is None]
        if not usable:
            return "keyring's chainer has no usable backend"
    return None


def backend_usable() -> bool:
    return _unusable_reason(keyring.get_keyring()) is None


def backend_description() -> str:
    backend = keyring.get_keyring()
    reason = _unusable_reason(backend)
    return f"unavailable: {reason}" if reason else type(backend).__name__


def set_password(user: str, host: str, password: str) -> None:
    reason = _unusable_reason(keyring.get_keyring())
    if reason:
        raise SecretStoreUnavailable(reason)
    if not user or not host:
        raise ValueError("the SMTP user and host are needed to file the password in the keychain")
    try:
        keyring.set_password(SERVICE_NAME, account(user, host), password)
    except KeyringError as exc:
        raise SecretStoreUnavailable(str(exc) or type(exc).__name__) from exc


def get_password(user: str, host: str) -> str | None:
    if not user or not host or not backend_usable():
        return None
    try:
        return keyring.get_password(SERVICE_NAME, account(user, host))
    except KeyringError:
        return None


def delete_password(user: str, host: str) -> None:
    if not user or not host or not backend_usable():
        return
    try:
        keyring.delete_password(SERVICE_NAME, account(user, host))
    except (PasswordDeleteError, KeyringError):
        pass


# ---- other secrets (webhook URLs): the same keychain, under their own account names ----------------
def set_secret(account_name: str, value: str) -> None:
    """Keep ``value`` in the keychain under ``account_name`` (e.g. ``webhook:staffroom``)."""
    reason = _unusable_reason(keyring.get_keyring())
    if reason:
        raise SecretStoreUnavailable(reason)
    try:
        keyring.set_password(SERVICE_NAME, account_name, value)
    except KeyringError as exc:
        raise SecretStoreUnavailable(str(exc) or type(exc).__name__) from exc


def get_secret(account_name: str) -> str | None:
    if not backend_usable():
        return None
    try:
        return keyring.get_password(SERVICE_NAME, account_name)
    except KeyringError:
        return None


def delete_secret(account_name: str) -> None:
    if not backend_usable():
        return
    try:
        keyring.delete_password(SERVICE_NAME, account_name)
    except (PasswordDeleteError, KeyringError):
        pass
