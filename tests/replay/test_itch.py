"""The Nasdaq TotalView-ITCH 5.0 reader: framing, field decoding, bad input and real files.

Hand-built messages are packed here field by field with ``struct.pack``, so a
field that lands at the wrong offset in the reader shows up as a wrong value.
The real files live outside the repository in ``../shared/data/itch/``; the
tests that need them skip, naming the missing path, when they are absent.

* ``ex20101224.TEST_ITCH_50`` (RITCH's sample of a BX session): every 2-byte
  prefix is zero, so only fixed-length framing reads it. Its published counts
  are 4,997 A, 3 F, 198 E, 45 X, 1,745 D, 12 U and 5,000 P, plus 6 S, 3 R and
  3 H: 12,012 messages.
* ``nasdaq_session_head_1000.itch``: the first 1,000 messages of a real Nasdaq
  session file, length-prefixed. Walking it by its own prefixes (below, without
  the reader) gives 1 S, 993 R, 3 H and 3 Y, every prefix equal to its type's
  length in the specification.
"""

from __future__ import annotations

import gzip
import struct
from collections import Counter
from pathlib import Path

import pytest

from real_data import REAL_DATA
from seawall.replay import itch
from seawall.replay.itch import (
    MESSAGE_LENGTHS,
    AddOrder,
    AddOrderAttributed,
    BrokenTrade,
    CrossTrade,
    Framing,
    ItchFormatError,
    ItchMessage,
    NonCrossTrade,
    OrderCancel,
    OrderDelete,
    OrderExecuted,
    OrderExecutedWithPrice,
    OrderReplace,
    SkippedMessage,
    StockDirectory,
    StockTradingAction,
    SystemEvent,
    count_by_type,
    detect_framing,
    read_messages,
)

# ---------------------------------------------------------------------- the specification

# Field widths of every ITCH 5.0 message, transcribed from the specification's
# tables (type byte, stock locate, tracking number, 6-byte timestamp, then the
# message's own fields). Their sums are the lengths the reader must frame by.
HEADER_WIDTHS = [1, 2, 2, 6]
SPEC_FIELD_WIDTHS: dict[str, list[int]] = {
    "S": [1],  # event code
    "R": [8, 1, 1, 4, 1, 1, 2, 1, 1, 1, 1, 1, 4, 1],  # stock ... ETP leverage, inverse
    "H": [8, 1, 1, 4],  # stock, trading state, reserved, reason
    "Y": [8, 1],  # stock, Reg SHO action
    "L": [4, 8, 1, 1, 1],  # MPID, stock, primary MM, mode, state
    "V": [8, 8, 8],  # three Price(8) levels
    "W": [1],  # breached level
    "K": [8, 4, 1, 4],  # stock, release time, qualifier, IPO price
    "J": [8, 4, 4, 4, 4],  # stock, reference, upper, lower, extension
    "h": [8, 1, 1],  # stock, market code, action
    "A": [8, 1, 4, 8, 4],  # ref, side, shares, stock, price
    "F": [8, 1, 4, 8, 4, 4],  # ... attribution
    "E": [8, 4, 8],  # ref, executed shares, match
    "C": [8, 4, 8, 1, 4],  # ... printable, execution price
    "X": [8, 4],  # ref, cancelled shares
    "D": [8],  # ref
    "U": [8, 8, 4, 4],  # original ref, new ref, shares, price
    "P": [8, 1, 4, 8, 4, 8],  # ref, side, shares, stock, price, match
    "Q": [8, 8, 4, 8, 1],  # shares (8), stock, cross price, match, cross type
    "B": [8],  # match
    "I": [8, 8, 1, 8, 4, 4, 4, 1, 1],  # NOII
    "N": [8, 1],  # stock, interest flag
    "O": [8, 1, 4, 4, 4, 8, 4, 4],  # DLCR price discovery
}
SPEC_LENGTHS = {t: sum(HEADER_WIDTHS) + sum(w) for t, w in SPEC_FIELD_WIDTHS.items()}
DECODED_TYPES = set("SRHAFECXDUPQB")

# ---------------------------------------------------------------------- building messages


def header(msg_type: str, locate: int, tracking: int, timestamp: int) -> bytes:
    return (
        msg_type.encode("ascii")
        + struct.pack(">H", locate)
        + struct.pack(">H", tracking)
        + timestamp.to_bytes(6, "big")
    )


def stock(symbol: str) -> bytes:
    return symbol.encode("ascii").ljust(8, b" ")


def u16(value: int) -> bytes:
    return struct.pack(">H", value)


def u32(value: int) -> bytes:
    return struct.pack(">I", value)


def u64(value: int) -> bytes:
    return struct.pack(">Q", value)


def length_framed(*messages: bytes) -> bytes:
    return b"".join(u16(len(m)) + m for m in messages)


def zero_framed(*messages: bytes) -> bytes:
    return b"".join(b"\x00\x00" + m for m in messages)


TS = 34_200_000_000_123  # 09:30:00.000000123
BIG_TS = (1 << 48) - 1  # every bit of the 6-byte timestamp set
BIG_REF = (1 << 64) - 2  # order reference numbers are unsigned 8-byte ints
PRICE = 1_234_500  # $123.45 as Price(4)

# Each message as bytes and as the struct the reader must return for it.
SAMPLES: list[tuple[bytes, ItchMessage]] = [
    (
        header("S", 0, 0, TS) + b"Q",
        SystemEvent(stock_locate=0, tracking_number=0, timestamp=TS, event_code="Q"),
    ),
    (
        header("R", 7, 1, TS)
        + stock("ZVZZT")
        + b"Q"  # market category
        + b"N"  # financial status
        + u32(100)  # round lot size
        + b"Y"  # round lots only
        + b"C"  # issue classification
        + b"IX"  # issue subtype
        + b"T"  # authenticity
        + b"N"  # short sale threshold
        + b"Y"  # IPO flag
        + b"1"  # LULD reference price tier
        + b"Y"  # ETP flag
        + u32(3)  # ETP leverage factor
        + b"N",  # inverse indicator
        StockDirectory(
            stock_locate=7,
            tracking_number=1,
            timestamp=TS,
            stock="ZVZZT",
            market_category="Q",
            financial_status="N",
            round_lot_size=100,
            round_lots_only="Y",
            issue_classification="C",
            issue_subtype="IX",
            authenticity="T",
            short_sale_threshold="N",
            ipo_flag="Y",
            luld_reference_price_tier="1",
            etp_flag="Y",
            etp_leverage_factor=3,
            inverse_indicator="N",
        ),
    ),
    (
        header("H", 7, 2, TS) + stock("ZVZZT") + b"H" + b" " + b"LUDP",
        StockTradingAction(
            stock_locate=7,
            tracking_number=2,
            timestamp=TS,
            stock="ZVZZT",
            trading_state="H",
            reserved=" ",
            reason="LUDP",
        ),
    ),
    (
        header("A", 7, 3, BIG_TS)
        + u64(BIG_REF)
        + b"B"
        + u32(0xFFFF_FFFF)
        + stock("ZVZZT")
        # the largest Price(4) the specification allows: $200,000.0000
        + u32(2_000_000_000),
        AddOrder(
            stock_locate=7,
            tracking_number=3,
            timestamp=BIG_TS,
            order_ref=BIG_REF,
            side="B",
            shares=0xFFFF_FFFF,
            stock="ZVZZT",
            price=2_000_000_000,
        ),
    ),
    (
        header("F", 7, 4, TS) + u64(11) + b"S" + u32(300) + stock("ZVZZT") + u32(PRICE) + b"VIRT",
        AddOrderAttributed(
            stock_locate=7,
            tracking_number=4,
            timestamp=TS,
            order_ref=11,
            side="S",
            shares=300,
            stock="ZVZZT",
            price=PRICE,
            attribution="VIRT",
        ),
    ),
    (
        header("E", 7, 5, TS) + u64(11) + u32(100) + u64(9_001),
        OrderExecuted(
            stock_locate=7,
            tracking_number=5,
            timestamp=TS,
            order_ref=11,
            executed_shares=100,
            match_number=9_001,
        ),
    ),
    (
        header("C", 7, 6, TS) + u64(11) + u32(50) + u64(9_002) + b"N" + u32(PRICE - 100),
        OrderExecutedWithPrice(
            stock_locate=7,
            tracking_number=6,
            timestamp=TS,
            order_ref=11,
            executed_shares=50,
            match_number=9_002,
            printable="N",
            execution_price=PRICE - 100,
        ),
    ),
    (
        header("X", 7, 7, TS) + u64(11) + u32(25),
        OrderCancel(
            stock_locate=7, tracking_number=7, timestamp=TS, order_ref=11, cancelled_shares=25
        ),
    ),
    (
        header("D", 7, 8, TS) + u64(BIG_REF),
        OrderDelete(stock_locate=7, tracking_number=8, timestamp=TS, order_ref=BIG_REF),
    ),
    (
        header("U", 7, 9, TS) + u64(11) + u64(12) + u32(400) + u32(PRICE + 100),
        OrderReplace(
            stock_locate=7,
            tracking_number=9,
            timestamp=TS,
            original_order_ref=11,
            new_order_ref=12,
            shares=400,
            price=PRICE + 100,
        ),
    ),
    (
        header("P", 7, 10, TS)
        + u64(0)
        + b"B"
        + u32(200)
        + stock("ZVZZT")
        + u32(PRICE)
        # the match number's high bytes set: a field read one byte short would lose them
        + u64(0x0102_0304_0506_0708),
        NonCrossTrade(
            stock_locate=7,
            tracking_number=10,
            timestamp=TS,
            order_ref=0,
            side="B",
            shares=200,
            stock="ZVZZT",
            price=PRICE,
            match_number=0x0102_0304_0506_0708,
        ),
    ),
    (
        header("Q", 7, 11, TS)
        + u64(5_000_000_000)
        + stock("ZVZZT")
        + u32(PRICE)
        + u64(9_003)
        # cross type
        + b"C",
        CrossTrade(
            stock_locate=7,
            tracking_number=11,
            timestamp=TS,
            shares=5_000_000_000,
            stock="ZVZZT",
            cross_price=PRICE,
            match_number=9_003,
            cross_type="C",
        ),
    ),
    (
        header("B", 7, 12, TS) + u64(9_001),
        BrokenTrade(stock_locate=7, tracking_number=12, timestamp=TS, match_number=9_001),
    ),
]
SAMPLE_BYTES = [raw for raw, _ in SAMPLES]
SAMPLE_MESSAGES = [message for _, message in SAMPLES]


def skipped_type_message(msg_type: str) -> bytes:
    """A message of a type the reader only frames: a real header, then filler of the right size."""
    body_length = SPEC_LENGTHS[msg_type] - sum(HEADER_WIDTHS)
    filler = bytes(range(0x41, 0x41 + body_length))  # 'A', 'B', ...: nothing decodes by accident
    return header(msg_type, 42, 3, TS) + filler


def add_order(ref: int, *, side: bytes = b"B", symbol: bytes = b"ZVZZT   ") -> bytes:
    return header("A", 7, 0, TS) + u64(ref) + side + u32(100) + symbol + u32(PRICE)


# ---------------------------------------------------------------------- the length table


def test_message_lengths_are_the_specifications() -> None:
    assert dict(MESSAGE_LENGTHS) == SPEC_LENGTHS
    assert len(MESSAGE_LENGTHS) == 23


@pytest.mark.parametrize(("raw", "expected"), SAMPLES, ids=[m.msg_type for m in SAMPLE_MESSAGES])
def test_each_decoded_type_lands_every_field(raw: bytes, expected: ItchMessage) -> None:
    assert len(raw) == SPEC_LENGTHS[expected.msg_type]
    assert list(read_messages(zero_framed(raw))) == [expected]
    assert list(read_messages(length_framed(raw))) == [expected]


def test_the_samples_cover_every_decoded_type() -> None:
    assert {m.msg_type for m in SAMPLE_MESSAGES} == DECODED_TYPES


@pytest.mark.parametrize("msg_type", sorted(set(SPEC_LENGTHS) - DECODED_TYPES))
def test_other_types_are_framed_and_yielded_as_skipped(msg_type: str) -> None:
    raw = skipped_type_message(msg_type)
    before, after = SAMPLE_BYTES[0], SAMPLE_BYTES[3]
    expected = [
        SAMPLE_MESSAGES[0],
        SkippedMessage(
            stock_locate=42, tracking_number=3, timestamp=TS, msg_type=msg_type, raw=raw
        ),
        SAMPLE_MESSAGES[3],
    ]
    for stream in (zero_framed(before, raw, after), length_framed(before, raw, after)):
        assert list(read_messages(stream)) == expected
        assert count_by_type(stream) == {"S": 1, msg_type: 1, "A": 1}


# ---------------------------------------------------------------------- framing


def test_zero_prefixed_and_length_prefixed_streams_read_the_same() -> None:
    zero = zero_framed(*SAMPLE_BYTES)
    framed = length_framed(*SAMPLE_BYTES)
    assert detect_framing(zero) is Framing.FIXED_LENGTH
    assert detect_framing(framed) is Framing.LENGTH_PREFIXED
    assert list(read_messages(zero)) == SAMPLE_MESSAGES
    assert list(read_messages(framed)) == SAMPLE_MESSAGES
    assert count_by_type(zero) == count_by_type(framed) == dict.fromkeys("SRHAFECXDUPQB", 1)


def test_paths_gzip_and_every_bytes_like_source_read_the_same(tmp_path: Path) -> None:
    stream = length_framed(*SAMPLE_BYTES)
    plain = tmp_path / "sample.itch"
    plain.write_bytes(stream)
    packed = tmp_path / "sample.itch.gz"
    packed.write_bytes(gzip.compress(stream))
    sources: list[itch.ItchSource] = [
        plain,
        str(plain),
        packed,
        stream,
        bytearray(stream),
        memoryview(stream),
        gzip.compress(stream),
    ]
    for source in sources:
        assert list(read_messages(source)) == SAMPLE_MESSAGES, source


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 36, 37, 4096])
def test_messages_straddling_file_reads_are_joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(itch, "CHUNK_SIZE", chunk_size)
    for name, stream in [
        ("zero.itch", zero_framed(*SAMPLE_BYTES)),
        ("length.itch", length_framed(*SAMPLE_BYTES)),
    ]:
        path = tmp_path / name
        path.write_bytes(stream)
        assert list(read_messages(path)) == SAMPLE_MESSAGES


def test_an_empty_stream_has_no_messages() -> None:
    assert list(read_messages(b"")) == []
    assert count_by_type(b"") == {}


# ---------------------------------------------------------------------- bad input


def frame_offsets(stream_messages: list[bytes]) -> list[int]:
    """Byte offset of each frame in a stream of these messages (2-byte prefix each)."""
    offsets, at = [], 0
    for raw in stream_messages:
        offsets.append(at)
        at += 2 + len(raw)
    return offsets


def raises_at(source: itch.ItchSource, offset: int, *phrases: str) -> None:
    """Reading ``source`` raises ItchFormatError at ``offset`` with all of ``phrases``."""
    with pytest.raises(ItchFormatError) as caught:
        list(read_messages(source))
    error = caught.value
    assert error.offset == offset, str(error)
    assert f"byte offset {offset}:" in str(error)
    for phrase in phrases:
        assert phrase in error.problem, error.problem


def test_an_unknown_message_type_is_refused_with_its_offset() -> None:
    bogus = b"Z" + bytes(20)
    good = SAMPLE_BYTES[:3]
    for framing in (zero_framed, length_framed):
        stream = framing(*good, bogus)
        at = frame_offsets([*good, bogus])[-1]
        raises_at(stream, at, "unknown message type 'Z' (0x5A)")
        with pytest.raises(ItchFormatError, match=f"offset {at}:"):
            count_by_type(stream)
    raises_at(b"\x00\x00\x00" + bytes(30), 0, "unknown message type 0x00")


def test_an_unknown_type_in_the_first_frame_is_refused_whatever_its_prefix() -> None:
    raises_at(b"\x00\x24" + b"a" + bytes(35), 0, "unknown message type 'a'")


@pytest.mark.parametrize("chunk_size", [1, 3, 1 << 20])
def test_a_truncated_final_message_is_refused_with_its_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    monkeypatch.setattr(itch, "CHUNK_SIZE", chunk_size)
    good = SAMPLE_BYTES[:4]
    at = frame_offsets([*good, b""])[-1]
    cut = add_order(1)[:20]
    for framing in (zero_framed, length_framed):
        path = tmp_path / "cut.itch"
        path.write_bytes(framing(*good) + framing(add_order(1))[: 2 + len(cut)])
        raises_at(path, at, "truncated message", "'A'", "36 bytes long but only 20 remain")
        with pytest.raises(ItchFormatError, match=f"offset {at}:"):
            count_by_type(path)
        for tail in (1, 2):  # a prefix with no type byte, or half a prefix
            path.write_bytes(framing(*good) + framing(add_order(1))[:tail])
            raises_at(path, at, "truncated frame", f"{tail} trailing byte")


def test_a_length_prefix_that_contradicts_the_type_is_refused() -> None:
    # the first frame: neither the type's length nor zero
    raises_at(b"\x00\x1e" + add_order(1), 0, "length prefix 30", "'A'", "36 bytes long")
    # later in a length-prefixed stream
    good = SAMPLE_BYTES[:5]
    at = frame_offsets([*good, b""])[-1]
    stream = length_framed(*good) + u16(35) + add_order(1)
    raises_at(stream, at, "length prefix 35 contradicts message type 'A'")
    # a zero prefix in a length-prefixed stream
    stream = length_framed(*good) + zero_framed(add_order(1))
    raises_at(stream, at, "length prefix 0 contradicts message type 'A'")
    # a length prefix in a zero-prefixed stream, even the right one
    stream = zero_framed(*good) + length_framed(add_order(1))
    raises_at(stream, at, "length prefix 36", "prefixes are zero")


def test_a_message_misframed_by_a_wrong_length_is_caught_at_the_next_frame() -> None:
    # A message one byte short in a zero-prefixed stream: the next "prefix" is
    # the last byte of the message and the first byte of the true prefix.
    good = SAMPLE_BYTES[0]
    short = add_order(1)[:-1]
    stream = zero_framed(good, short, add_order(2))
    raises_at(stream, frame_offsets([good, short, b""])[-1] + 1, "unknown message type 0x00")


def test_a_bad_side_or_a_non_ascii_symbol_is_refused_with_the_offset() -> None:
    good = SAMPLE_BYTES[:2]
    at = frame_offsets([*good, b""])[-1]
    raises_at(zero_framed(*good, add_order(1, side=b"x")), at, "buy/sell indicator is b'x'")
    raises_at(zero_framed(*good, add_order(1, symbol=b"\xffBAD    ")), at, "non-ASCII text")


def test_detect_framing_refuses_a_stream_too_short_to_tell() -> None:
    with pytest.raises(ItchFormatError, match="offset 0: stream is 2 byte"):
        detect_framing(b"\x00\x00")


# ---------------------------------------------------------------------- the real files

DATA = REAL_DATA / "itch"
RITCH_SAMPLE = DATA / "ex20101224.TEST_ITCH_50"
SESSION_HEAD = DATA / "nasdaq_session_head_1000.itch"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(
            f"ITCH test data not found: {path} (it lives in ../shared/data/itch next to the "
            "project root and is not part of the repository)"
        )
    return path


def walk_by_prefix(data: bytes) -> list[tuple[int, str, int]]:
    """(offset, type, prefix) of every frame, framed by the file's own prefixes alone."""
    frames, at = [], 0
    while at < len(data):
        prefix = int.from_bytes(data[at : at + 2], "big")
        frames.append((at, chr(data[at + 2]), prefix))
        at += 2 + prefix
    assert at == len(data)
    return frames


def reframe(messages: list[bytes], framing: Framing) -> bytes:
    if framing is Framing.FIXED_LENGTH:
        return zero_framed(*messages)
    return length_framed(*messages)


def raw_messages(data: bytes) -> list[bytes]:
    """The messages of a stream without their prefixes, framed by the spec's lengths."""
    out, at = [], 0
    while at < len(data):
        length = SPEC_LENGTHS[chr(data[at + 2])]
        out.append(data[at + 2 : at + 2 + length])
        at += 2 + length
    return out


RITCH_COUNTS = {
    "S": 6,
    "R": 3,
    "H": 3,
    "A": 4_997,
    "F": 3,
    "E": 198,
    "X": 45,
    "D": 1_745,
    "U": 12,
    "P": 5_000,
}


def test_the_ritch_sample_has_its_published_counts() -> None:
    path = need(RITCH_SAMPLE)
    assert detect_framing(path) is Framing.FIXED_LENGTH
    counts = count_by_type(path)
    assert counts == RITCH_COUNTS
    assert sum(counts.values()) == 12_012
    messages = list(read_messages(path))
    assert len(messages) == 12_012
    assert Counter(m.msg_type for m in messages) == RITCH_COUNTS
    # every prefix in the file really is zero
    data = path.read_bytes()
    assert all(data[at : at + 2] == b"\x00\x00" for at in frame_offsets(raw_messages(data)))


def test_the_ritch_sample_decodes_consistently() -> None:
    messages = list(read_messages(need(RITCH_SAMPLE)))
    directory = {m.stock_locate: m.stock for m in messages if isinstance(m, StockDirectory)}
    assert directory == {1: "ALC", 2: "BOB", 3: "CHAR"}
    assert [m.event_code for m in messages if isinstance(m, SystemEvent)] == list("OSQMEC")
    timestamps = [m.timestamp for m in messages]
    assert timestamps == sorted(timestamps)
    assert timestamps[-1] < 24 * 3600 * 10**9
    for m in messages:
        if isinstance(m, AddOrder | AddOrderAttributed | NonCrossTrade):
            assert directory[m.stock_locate] == m.stock
            assert m.side in ("B", "S")
            assert 0 < m.price < 10_000_000  # under $1,000, in 1/10,000 dollar
    attributed = [m for m in messages if isinstance(m, AddOrderAttributed)]
    assert attributed[0] == AddOrderAttributed(
        stock_locate=2,
        tracking_number=0,
        timestamp=32_813_425_752_711,
        order_ref=84_836,
        side="B",
        shares=100,
        stock="BOB",
        price=52_917,
        attribution="VIRT",
    )


def test_the_ritch_sample_reads_the_same_length_prefixed_and_in_small_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = need(RITCH_SAMPLE)
    expected = list(read_messages(path))
    relabelled = reframe(raw_messages(path.read_bytes()), Framing.LENGTH_PREFIXED)
    assert detect_framing(relabelled) is Framing.LENGTH_PREFIXED
    assert list(read_messages(relabelled)) == expected
    monkeypatch.setattr(itch, "CHUNK_SIZE", 7)
    assert list(read_messages(path)) == expected


def test_the_session_head_frames_every_message_by_its_spec_length() -> None:
    path = need(SESSION_HEAD)
    data = path.read_bytes()
    frames = walk_by_prefix(data)
    assert len(frames) == 1_000
    mismatched = [(at, t, p) for at, t, p in frames if SPEC_LENGTHS.get(t) != p]
    assert mismatched == []
    walked = Counter(t for _, t, _ in frames)
    assert walked == {"S": 1, "R": 993, "H": 3, "Y": 3}
    assert detect_framing(path) is Framing.LENGTH_PREFIXED
    assert count_by_type(path) == walked


def test_the_session_head_decodes_its_directory() -> None:
    messages = list(read_messages(need(SESSION_HEAD)))
    assert len(messages) == 1_000
    first = messages[0]
    assert isinstance(first, SystemEvent)
    assert first.event_code == "O"  # start of messages
    directory = [m for m in messages if isinstance(m, StockDirectory)]
    assert [m.stock_locate for m in directory] == list(range(1, 994))
    assert [m.stock for m in directory[:3]] == ["A", "AA", "AAAU"]
    symbols = [m.stock for m in directory]
    assert symbols == sorted(symbols)
    assert all(m.round_lot_size > 0 for m in directory)
    actions = [m for m in messages if isinstance(m, StockTradingAction)]
    assert [(m.stock_locate, m.stock, m.trading_state) for m in actions] == [
        (1, "A", "T"),
        (2, "AA", "T"),
        (3, "AAAU", "T"),
    ]
    reg_sho = [m for m in messages if isinstance(m, SkippedMessage)]
    assert [(m.msg_type, m.stock_locate, len(m.raw)) for m in reg_sho] == [
        ("Y", 1, 20),
        ("Y", 2, 20),
        ("Y", 3, 20),
    ]
    timestamps = [m.timestamp for m in messages]
    assert timestamps == sorted(timestamps)


def test_the_session_head_reads_the_same_zero_prefixed() -> None:
    path = need(SESSION_HEAD)
    data = path.read_bytes()
    zeroed = reframe(raw_messages(data), Framing.FIXED_LENGTH)
    assert detect_framing(zeroed) is Framing.FIXED_LENGTH
    assert list(read_messages(zeroed)) == list(read_messages(path))
