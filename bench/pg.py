"""What the PostgreSQL benchmarks share: the server of DATABASE_URL and a throwaway database on it.

A benchmark only ever creates, writes and drops its own database (gongzhi_bench_<name>); the
database DATABASE_URL names is used for nothing but finding the server.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Server:
    url: str

    @classmethod
    def from_env(cls, bench_db: str) -> Server:
        url = os.environ.get("DATABASE_URL", "")
        if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit(
                "this benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/anydb "
                f"(it creates and drops its own database {bench_db} on that server and leaves the named one alone)"
            )
        return cls(url)

    def url_for(self, name: str) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path="/" + name))

    @property
    def parts(self) -> dict[str, str]:
        u = urlsplit(self.url)
        return {
            "host": u.hostname or "127.0.0.1",
            "port": str(u.port or 5432),
            "user": unquote(u.username or "postgres"),
            "password": unquote(u.password or ""),
        }

    def connect(self, name: str = "postgres") -> Any:
        import psycopg

        p = self.parts
        return psycopg.connect(
            host=p["host"], port=p["port"], user=p["user"], password=p["password"] or None, dbname=name, autocommit=True
        )

    def exists(self, name: str) -> bool:
        with self.connect() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def recreate(self, name: str) -> None:
        self.drop(name)
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        if not name.startswith("gongzhi_bench_"):
            raise ValueError(f"refusing to drop {name}: benchmarks drop only their own gongzhi_bench_* databases")
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_env(url: str, home: Path, settings: str) -> dict[str, str]:
    """The environment of every process touching a bench database: production-like, throwaway secrets."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings,
        "GONGZHI_SECRET_KEY": secrets.token_urlsafe(64),
        "GONGZHI_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "GONGZHI_SSL_REDIRECT": "0",
        "GONGZHI_HOME": str(home),
        "GONGZHI_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
