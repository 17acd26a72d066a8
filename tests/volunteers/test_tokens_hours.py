"""The QR token scheme and the hours rule, as pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.volunteers.hours import attendance_hours
from gongzhi.volunteers.tokens import Mode, TokenError, make_token, parse_token, verify_token

SECRET = "a" * 64
T = 1_900_000_000.0  # some moment; windows are 60 s


def _verify(token: str, at: float, secret: str = SECRET) -> None:
    verify_token(secret, parse_token(token), at)


def test_token_is_valid_in_its_window_and_the_next_then_expires() -> None:
    token = make_token(SECRET, 17, Mode.IN, T)
    parsed = parse_token(token)
    assert (parsed.activity_id, parsed.mode) == (17, Mode.IN)
    _verify(token, T)
    _verify(token, T + 60)  # the previous window is still accepted
    with pytest.raises(TokenError) as caught:
        _verify(token, T + 180)
    assert caught.value.code == "expired"


def test_token_from_the_future_is_refused_as_expired() -> None:
    with pytest.raises(TokenError) as caught:
        _verify(make_token(SECRET, 17, Mode.IN, T + 600), T)
    assert caught.value.code == "expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("a17-", "a18-"),  # another activity
        lambda t: t.replace("-in-", "-out-"),  # the other direction
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # a changed mac
    ],
)
def test_tampered_token_is_forged(tamper: object) -> None:
    token = make_token(SECRET, 17, Mode.IN, T)
    with pytest.raises(TokenError) as caught:
        _verify(tamper(token), T)  # type: ignore[operator]
    assert caught.value.code == "forged"


def test_token_of_another_secret_is_forged_and_garbage_is_malformed() -> None:
    with pytest.raises(TokenError) as caught:
        _verify(make_token("b" * 64, 17, Mode.IN, T), T)
    assert caught.value.code == "forged"
    for garbage in ("", "hello", "a17-in-1-xyz", "a17-up-31666666-" + "0" * 24):
        with pytest.raises(TokenError) as caught:
            parse_token(garbage)
        assert caught.value.code == "malformed"


def _at(minutes: int) -> dt.datetime:
    return dt.datetime(2030, 6, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("check_in", "check_out", "length", "hours"),
    [
        (0, 120, 120, "2.0"),
        (0, 74, 120, "1.0"),  # 1 h 14 min rounds down
        (0, 75, 120, "1.5"),  # 1 h 15 min rounds up
        (-30, 150, 120, "2.0"),  # early and late: capped by the activity's length
        (10, 20, 120, "0.0"),
        (0, 110, 110, "1.5"),  # never more than the length rounded down to a half hour
        (0, 0, 60, "0.0"),
    ],
)
def test_hours_rule(check_in: int, check_out: int, length: int, hours: str) -> None:
    assert attendance_hours(_at(check_in), _at(check_out), _at(0), _at(length)) == Decimal(hours)
