"""Domain errors: one shape (field, code, message) for forms, the API and the CLI alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorItem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was written."""

    def __init__(self, items: list[ErrorItem] | ErrorItem) -> None:
        self.items = items if isinstance(items, list) else [items]
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in self.items))

    @classmethod
    def single(cls, field: str, code: str, message: str) -> DomainError:
        return cls(ErrorItem(field=field, code=code, message=str(message)))


class NotFound(Exception):
    """Raised by access helpers for objects that are missing *or* out of the user's scope."""


class Conflict(DomainError):
    """The object changed under the request (another user acted first); nothing was written."""
