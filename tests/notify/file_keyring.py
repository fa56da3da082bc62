"""A test-only keyring backend for subprocess tests: a JSON file named by $ATO_TEST_KEYRING_FILE.

Selected with ``PYTHON_KEYRING_BACKEND=tests.notify.file_keyring.TestFileKeyring`` so that the CLI,
run as a real process, goes through keyring's API without touching the user's keychain.
"""

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class TestFileKeyring(KeyringBackend):
    priority = 1

    @property
    def _file(self) -> Path:
        return Path(os.environ["ATO_TEST_KEYRING_FILE"])

    def _load(self) -> dict:
        return json.loads(self._file.read_text()) if self._file.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}\t{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}\t{username}"] = password
        self._file.write_text(json.dumps(data))

    def delete_password(self, service, username):
        data = self._load()
        if data.pop(f"{service}\t{username}", None) is None:
            raise PasswordDeleteError(username)
        self._file.write_text(json.dumps(data))
