"""The HTTP store's stream decoders (``warroom.store.sse``): the same messages however the bytes
are split. A socket hands over whatever it has, so a message, a line, a CRLF or a chunk's size
line can end anywhere: every test feeds its bytes whole, then split at every point (and at
many random points at once), and asks for the same result."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.store.sse import MAX_MESSAGE_BYTES, ChunkedBody, Message, SSEParser, StreamBroken

STREAM = (
    "\ufeff: connected\r\nretry: 3000\r\n\r\n"  # a BOM, a comment and a retry hint: no message
    'data: {"seq": 1}\nid: 1\n\n'  # the server's own framing
    "event: snapshot\ndata: [1,\ndata:  2]\n\n"  # multi-line data; only one leading space goes
    ": keep-alive\n\n"
    "data:no space\rid: 7\r\r"  # lone CRs end lines too
    "id: 8\0bad\ndata: the id keeps 7 (a NUL voids it)\n\n"
    "retry: soon\nfield-without-colon\ndata\nunknown: ignored\n\n"  # `data` alone: one empty line of data
    "id: 9\n\n"  # an id without data: not dispatched, but remembered
    "data: über ✓\r\n\r\n"
    "\n\ndata: after blank lines\n\n"
    "data: unfinished"  # no blank line yet: not a message
).encode()

EXPECTED = [
    Message('{"seq": 1}', "message", "1"),
    Message("[1,\n 2]", "snapshot", "1"),
    Message("no space", "message", "7"),
    Message("the id keeps 7 (a NUL voids it)", "message", "7"),
    Message("", "message", "7"),
    Message("über ✓", "message", "9"),
    Message("after blank lines", "message", "9"),
]


def feed_in_pieces(data: bytes, cuts: list[int]) -> tuple[list[Message], SSEParser]:
    parser = SSEParser()
    messages: list[Message] = []
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        messages += parser.feed(data[start:end])
    return messages, parser


def test_a_whole_stream_gives_each_message_with_its_event_and_last_id():
    messages, parser = feed_in_pieces(STREAM, [])
    assert messages == EXPECTED
    assert parser.retry == 3000 and parser.last_id == "9"


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_a_split_anywhere_gives_the_same_messages(cut: int):
    assert feed_in_pieces(STREAM, [cut])[0] == EXPECTED


def test_many_splits_at_once_give_the_same_messages_even_one_byte_at_a_time():
    assert feed_in_pieces(STREAM, list(range(1, len(STREAM))))[0] == EXPECTED
    chance = random.Random(23)
    for _ in range(300):
        cuts = sorted(chance.sample(range(1, len(STREAM)), chance.randint(2, 12)))
        assert feed_in_pieces(STREAM, cuts)[0] == EXPECTED


def test_a_crlf_split_between_its_cr_and_its_lf_is_one_line_end_and_a_cr_ends_a_message_at_once():
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\n") == []  # CR LF is one end of line, not two: no blank line yet
    assert parser.feed(b"\r") == [Message("a")]  # a CR ends a line at once: nothing waits for the next read
    assert parser.feed(b"\ndata: b\r\n\r\n") == [Message("b")]


def test_a_message_that_never_ends_is_refused_rather_than_kept_growing():
    parser = SSEParser()
    parser.feed(b"data: " + b"x" * (MAX_MESSAGE_BYTES // 2))
    with pytest.raises(StreamBroken):
        parser.feed(b"x" * (MAX_MESSAGE_BYTES // 2 + 10))
    whole_first = SSEParser()  # the messages before it still come out; the next read fails
    assert whole_first.feed(b"data: a\n\ndata: " + b"x" * MAX_MESSAGE_BYTES) == [Message("a")]
    with pytest.raises(StreamBroken):
        whole_first.feed(b"\n\n")


line_end = st.sampled_from(["\n", "\r\n", "\r"])
field = st.one_of(
    st.tuples(st.just("data"), st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]), max_size=12)),
    st.tuples(st.sampled_from(["event", "id"]), st.text(alphabet="abc123 ", max_size=5)),
    st.tuples(st.just(""), st.just("a comment")),
)


@given(
    messages=st.lists(st.lists(st.tuples(field, line_end), min_size=1, max_size=4), max_size=6),
    seed=st.integers(0, 2**32),
)
def test_any_stream_gives_the_same_messages_however_it_is_split(messages: list, seed: int):
    text = "".join("".join(f"{name}: {value}{end}" for (name, value), end in message) + message[-1][1] for message in messages)
    data = text.encode()
    whole, _ = feed_in_pieces(data, [])
    assert len(whole) == sum(any(name == "data" for (name, _), _ in message) for message in messages)
    chance = random.Random(seed)
    cuts = sorted(chance.sample(range(1, len(data)), min(len(data) - 1, chance.randint(1, 8)))) if len(data) > 1 else []
    assert feed_in_pieces(data, cuts)[0] == whole


# --- chunked transfer coding -------------------------------------------------------------

PAYLOAD = b"data: one\n\n" + bytes(range(256)) + b"data: two\n\n"


def chunked(payload: bytes, sizes: list[int]) -> bytes:
    out, position = b"", 0
    for n, size in enumerate(sizes):
        piece = payload[position : position + size]
        position += size
        extension = b";name=value" if n % 2 else b""
        out += b"%X%s\r\n%s\r\n" % (len(piece), extension, piece)
    assert position >= len(payload)
    return out + b"0\r\nTrailer: ignored\r\n\r\n"


ENCODED = chunked(PAYLOAD, [11, 200, 1, 44, 100])


def decode_in_pieces(data: bytes, cuts: list[int]) -> tuple[bytes, ChunkedBody]:
    body = ChunkedBody()
    out = b""
    for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
        if not body.done:
            out += body.feed(data[start:end])
    return out, body


@pytest.mark.parametrize("cut", range(0, len(ENCODED) + 1))
def test_a_chunked_body_split_anywhere_gives_the_payload_and_sees_its_end(cut: int):
    out, body = decode_in_pieces(ENCODED, [cut] if 0 < cut < len(ENCODED) else [])
    assert out == PAYLOAD and body.done


def test_a_chunked_body_fed_a_byte_at_a_time_gives_the_payload_and_waits_for_its_end():
    out, body = decode_in_pieces(ENCODED, list(range(1, len(ENCODED))))
    assert out == PAYLOAD and body.done
    unfinished = ChunkedBody()
    assert unfinished.feed(ENCODED[: -len(b"0\r\nTrailer: ignored\r\n\r\n")]) == PAYLOAD and not unfinished.done


@pytest.mark.parametrize(
    "bad",
    [b"zz\r\nab\r\n", b"0x2\r\nab\r\n", b"-2\r\nab\r\n", b"1_0\r\n", b"2\r\nabX\r\n", b"f" * 2000],
    ids=["not-hex", "0x-prefix", "negative", "underscore", "chunk-overruns-its-size", "endless-size-line"],
)
def test_a_malformed_chunked_body_is_refused_after_the_payload_before_it(bad: bytes):
    body = ChunkedBody()
    assert body.feed(b"3\r\nabc\r\n" + bad) == b"abc" and body.broken
    with pytest.raises(StreamBroken):
        body.feed(b"3\r\nabc\r\n")
