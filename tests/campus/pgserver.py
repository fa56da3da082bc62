"""A throwaway PostgreSQL server (the campus tests' fixture and the campus load benchmark).

Debian's server binaries (``/usr/lib/postgresql/*/bin``) ``initdb`` a cluster in a temporary folder; the
server listens on a Unix socket in that folder and on 127.0.0.1 at a free port (password logins over
TCP: the superuser ``postgres`` has the password :data:`SUPERUSER_PASSWORD`; Unix-socket logins are
trusted). initdb refuses to run as root: as root the cluster belongs to the ``postgres`` user and the
server runs as that user through ``runuser``. :meth:`PgServer.stop` stops it and removes the folder.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER_PASSWORD = "campus-test-secret"


class ServerUnavailable(Exception):
    """No PostgreSQL server can be started here (the reason says why)."""


def _binaries() -> Path | None:
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        bindir = Path(initdb).parent
        if (bindir / "pg_ctl").exists() and (bindir / "postgres").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


@dataclass
class PgServer:
    bindir: Path
    folder: Path  # the cluster's folder; the server's Unix socket is in it
    port: int
    owner: str | None = None
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> str:
        return str(self.folder)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, dbname: str, user: str = "postgres", password: str | None = None, tcp: bool = False) -> str:
        auth = user + (f":{password}" if password is not None else "")
        if tcp:
            return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}?sslmode=disable"
        return f"postgresql://{auth}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def admin(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(host=self.socket_dir, port=self.port, user="postgres", dbname=dbname,
                             autocommit=True) as con:
            cur = con.execute(sql)
            return cur.fetchall() if cur.description else []

    def create_database(self, prefix: str = "campus", template: str | None = None) -> str:
        name = f"{prefix}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(_as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                                     self.owner), capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(max_connections: int = 60) -> PgServer:
    """initdb and start a throwaway cluster; :class:`ServerUnavailable` says why not."""
    bindir = _binaries()
    if bindir is None:
        raise ServerUnavailable(
            "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/initdb): install the "
            "Debian packages postgresql and postgresql-contrib to run the campus tests")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ServerUnavailable("the PostgreSQL driver psycopg is not installed (pip install 'psycopg[binary]')")
    owner = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to an unprivileged user
        try:
            owner = pwd.getpwnam("postgres").pw_name
        except KeyError:
            raise ServerUnavailable("running as root and there is no 'postgres' user to run the test server as")
    folder = Path(tempfile.mkdtemp(prefix="ato-pg-"))
    pwfile = folder / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if owner:
        info = pwd.getpwnam(owner)
        for p in (folder, pwfile):
            os.chown(p, info.pw_uid, info.pw_gid)
    server = PgServer(bindir, folder, _free_port(), owner)
    log = folder / "server.log"
    try:
        r = subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust",
                                      "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                                      "--locale=C.UTF-8", "--no-sync"], owner),
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {r.stderr.strip()[-300:]}")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories={folder} "
                f"-c fsync=off -c max_connections={max_connections} -c shared_buffers=16MB")
        r = subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(log), "-o", opts,
                                      "-w", "-t", "60", "start"], owner),
                           capture_output=True, text=True, timeout=90)
        if r.returncode != 0:
            detail = log.read_text()[-300:] if log.exists() else r.stderr
            raise ServerUnavailable(f"the test PostgreSQL server did not start: {detail.strip()}")
    except BaseException:
        server.stop()
        raise
    return server
