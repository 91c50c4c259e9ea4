"""The one-time code book on a real SQLite file: single use, per purpose, and spent codes do not pile up."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.db.codes import CHAT_LINK, INVITE, CodeBook, CodeRefused


def test_a_code_is_for_one_purpose_and_one_use(tmp_path: Path) -> None:
    book = CodeBook(tmp_path / "warroom.db")
    try:
        info, code = book.add(CHAT_LINK, "Raj", "raj", timedelta(minutes=15))
        assert info.handle == "raj"
        with pytest.raises(CodeRefused, match="unknown code"):
            book.redeem(INVITE, code)  # a chat-link code is no invite
        assert book.redeem(CHAT_LINK, code).handle == "raj"
        with pytest.raises(CodeRefused, match="already used"):
            book.redeem(CHAT_LINK, code)
    finally:
        book.close()


def test_codes_a_day_past_their_expiry_are_deleted_when_the_next_is_made(tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    book = CodeBook(db)
    try:
        _, old = book.add(INVITE, "raj", "operator", timedelta(hours=1))
        _, recent = book.add(INVITE, "sam", "operator", timedelta(hours=1))
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE codes SET expires_at = '2000-01-01T00:00:00Z' WHERE handle = 'raj'")
            conn.execute("UPDATE codes SET expires_at = '2999-01-01T00:00:00Z' WHERE handle = 'sam'")
        book.add(INVITE, "ann", "operator", timedelta(hours=1))
        with sqlite3.connect(db) as conn:
            assert sorted(row[0] for row in conn.execute("SELECT handle FROM codes")) == ["ann", "sam"]
        with pytest.raises(CodeRefused, match="unknown"):
            book.redeem(INVITE, old)
        assert book.redeem(INVITE, recent).handle == "sam"
    finally:
        book.close()
