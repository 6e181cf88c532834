"""A reader for Nasdaq TotalView-ITCH 5.0 files, one typed message at a time.

Every ITCH 5.0 message type has a fixed length, set by the specification
(``MESSAGE_LENGTHS``). Files put a 2-byte big-endian prefix before each
message. In Nasdaq's own files (BinaryFILE) the prefix is the message's length;
some samples write zero there instead, and then the type's fixed length is the
only way to frame. ``read_messages`` tells the two apart from the first
message and holds the rest of the stream to the same rule, so a frame that
drifts out of step stops the reader at once instead of decoding garbage:

* a prefix equal to the type's length: length framing, every prefix must match;
* a zero prefix: fixed-length framing, every prefix must be zero;
* anything else (an unknown type, a prefix that contradicts the type, a
  truncated last message, a bad side or a non-ASCII symbol) raises
  ``ItchFormatError`` with the byte offset of the frame and the problem.

The order and trade messages, the system event, the stock directory and the
trading action are decoded into frozen structs of ints and strs. Prices are
ITCH ``Price(4)``, ten-thousandths of a dollar, which is Seawall's own price
scale, so they stay ints; timestamps are nanoseconds since midnight. The other
ITCH 5.0 types are framed, counted and yielded as ``SkippedMessage`` with their
common header and raw bytes. Gzip'd files are read transparently.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, TypeAlias

import msgspec

__all__ = [
    "MESSAGE_LENGTHS",
    "AddOrder",
    "AddOrderAttributed",
    "BrokenTrade",
    "CrossTrade",
    "Framing",
    "ItchFormatError",
    "ItchMessage",
    "ItchSource",
    "NonCrossTrade",
    "OrderCancel",
    "OrderDelete",
    "OrderExecuted",
    "OrderExecutedWithPrice",
    "OrderReplace",
    "SkippedMessage",
    "StockDirectory",
    "StockTradingAction",
    "SystemEvent",
    "count_by_type",
    "detect_framing",
    "read_messages",
]

#: Length in bytes of every ITCH 5.0 message type, counting the type byte and
#: not the 2-byte prefix (Nasdaq TotalView-ITCH 5.0 specification, section 4).
MESSAGE_LENGTHS: Mapping[str, int] = MappingProxyType(
    {
        "S": 12,  # system event
        "R": 39,  # stock directory
        "H": 25,  # stock trading action
        "Y": 20,  # Reg SHO short sale price test restricted indicator
        "L": 26,  # market participant position
        "V": 35,  # MWCB decline level
        "W": 12,  # MWCB status
        "K": 28,  # IPO quoting period update
        "J": 35,  # LULD auction collar
        "h": 21,  # operational halt
        "A": 36,  # add order, no MPID attribution
        "F": 40,  # add order with MPID attribution
        "E": 31,  # order executed
        "C": 36,  # order executed with price
        "X": 23,  # order cancel
        "D": 19,  # order delete
        "U": 35,  # order replace
        "P": 44,  # trade (non-cross)
        "Q": 40,  # cross trade
        "B": 19,  # broken trade / order execution
        "I": 50,  # net order imbalance indicator (NOII)
        "N": 20,  # retail price improvement indicator (RPII)
        "O": 48,  # direct listing with capital raise price discovery
    }
)

#: Bytes read from a file at a time; messages that straddle two reads are joined.
CHUNK_SIZE = 1 << 20

_PREFIX = 2  # the 2-byte big-endian length prefix before every message
_MIN_FRAME = _PREFIX + 1  # prefix and type byte: enough to know how long the frame is
_GZIP_MAGIC = b"\x1f\x8b"


class ItchFormatError(ValueError):
    """The input is not a well-formed ITCH 5.0 stream at ``offset`` (a byte offset)."""

    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(f"ITCH format error at byte offset {offset}: {problem}")
        self.offset = offset
        self.problem = problem


class Framing(StrEnum):
    """How a stream's messages are delimited."""

    LENGTH_PREFIXED = "length-prefixed"  # each 2-byte prefix is the message's length
    FIXED_LENGTH = "fixed-length"  # each prefix is zero; the type's length frames it


# ---------------------------------------------------------------------- messages


class _Header(msgspec.Struct, frozen=True, gc=False):
    """The fields every ITCH 5.0 message starts with, after its type byte."""

    stock_locate: int
    tracking_number: int
    timestamp: int  # nanoseconds since midnight


class SystemEvent(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "S"
    event_code: str  # O start of messages, S system hours, Q market hours, M, E, C


class StockDirectory(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "R"
    stock: str
    market_category: str
    financial_status: str
    round_lot_size: int
    round_lots_only: str
    issue_classification: str
    issue_subtype: str
    authenticity: str
    short_sale_threshold: str
    ipo_flag: str
    luld_reference_price_tier: str
    etp_flag: str
    etp_leverage_factor: int
    inverse_indicator: str


class StockTradingAction(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "H"
    stock: str
    trading_state: str  # H halted, P paused, Q quotation only, T trading
    reserved: str
    reason: str


class AddOrder(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "A"
    order_ref: int
    side: str  # "B" buy or "S" sell
    shares: int
    stock: str
    price: int  # 1/10,000 dollar


class AddOrderAttributed(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "F"
    order_ref: int
    side: str
    shares: int
    stock: str
    price: int
    attribution: str  # the market participant's MPID


class OrderExecuted(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "E"
    order_ref: int
    executed_shares: int
    match_number: int


class OrderExecutedWithPrice(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "C"
    order_ref: int
    executed_shares: int
    match_number: int
    printable: str  # "Y" or "N"
    execution_price: int


class OrderCancel(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "X"
    order_ref: int
    cancelled_shares: int


class OrderDelete(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "D"
    order_ref: int


class OrderReplace(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "U"
    original_order_ref: int
    new_order_ref: int
    shares: int
    price: int


class NonCrossTrade(_Header, frozen=True, gc=False):
    """A match against a non-displayed order (type P)."""

    msg_type: ClassVar[str] = "P"
    order_ref: int
    side: str
    shares: int
    stock: str
    price: int
    match_number: int


class CrossTrade(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "Q"
    shares: int
    stock: str
    cross_price: int
    match_number: int
    cross_type: str  # O opening, C closing, H halt/IPO, I intraday/post-close


class BrokenTrade(_Header, frozen=True, gc=False):
    msg_type: ClassVar[str] = "B"
    match_number: int


class SkippedMessage(_Header, frozen=True, gc=False):
    """A well-framed message of a type this reader does not decode field by field."""

    msg_type: str
    raw: bytes  # the whole message from its type byte on, without the prefix


ItchMessage: TypeAlias = (
    SystemEvent
    | StockDirectory
    | StockTradingAction
    | AddOrder
    | AddOrderAttributed
    | OrderExecuted
    | OrderExecutedWithPrice
    | OrderCancel
    | OrderDelete
    | OrderReplace
    | NonCrossTrade
    | CrossTrade
    | BrokenTrade
    | SkippedMessage
)

ItchSource: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview

# ---------------------------------------------------------------------- decoding

# The 6-byte timestamp is read as a 2-byte high part and a 4-byte low part.
_HEAD = ">xHHHI"  # type byte (skipped), stock locate, tracking number, timestamp
_S = struct.Struct(_HEAD + "c")
_R = struct.Struct(_HEAD + "8sccIcc2scccccIc")
_H = struct.Struct(_HEAD + "8scc4s")
_A = struct.Struct(_HEAD + "QcI8sI")
_F = struct.Struct(_HEAD + "QcI8sI4s")
_E = struct.Struct(_HEAD + "QIQ")
_C = struct.Struct(_HEAD + "QIQcI")
_X = struct.Struct(_HEAD + "QI")
_D = struct.Struct(_HEAD + "Q")
_U = struct.Struct(_HEAD + "QQII")
_P = struct.Struct(_HEAD + "QcI8sIQ")
_Q = struct.Struct(_HEAD + "Q8sIQc")
_B = struct.Struct(_HEAD + "Q")
_GENERIC = struct.Struct(_HEAD)

_CHAR: dict[bytes, str] = {bytes([i]): chr(i) for i in range(256)}
_SIDE: dict[bytes, str] = {b"B": "B", b"S": "S"}


class _BadFieldError(Exception):
    """A field that cannot hold what it holds; turned into ItchFormatError with the offset."""


def _side(raw: bytes) -> str:
    side = _SIDE.get(raw)
    if side is None:
        raise _BadFieldError(f"buy/sell indicator is {raw!r}, not b'B' or b'S'")
    return side


def _alpha(raw: bytes) -> str:
    return raw.decode("ascii").rstrip()


def _system_event(buf: bytes, at: int) -> SystemEvent:
    loc, trk, hi, lo, code = _S.unpack_from(buf, at)
    return SystemEvent(loc, trk, hi << 32 | lo, _CHAR[code])


def _stock_directory(buf: bytes, at: int) -> StockDirectory:
    c = _CHAR
    loc, trk, hi, lo, stock, cat, fin, lot, lots_only, cls, sub, *flags, lev, inv = _R.unpack_from(
        buf, at
    )
    auth, ssti, ipo, tier, etp = (c[flag] for flag in flags)
    return StockDirectory(
        loc,
        trk,
        hi << 32 | lo,
        _alpha(stock),
        c[cat],
        c[fin],
        lot,
        c[lots_only],
        c[cls],
        _alpha(sub),
        auth,
        ssti,
        ipo,
        tier,
        etp,
        lev,
        c[inv],
    )


def _stock_trading_action(buf: bytes, at: int) -> StockTradingAction:
    loc, trk, hi, lo, stock, state, reserved, reason = _H.unpack_from(buf, at)
    return StockTradingAction(
        loc, trk, hi << 32 | lo, _alpha(stock), _CHAR[state], _CHAR[reserved], _alpha(reason)
    )


def _add_order(buf: bytes, at: int) -> AddOrder:
    loc, trk, hi, lo, ref, side, shares, stock, price = _A.unpack_from(buf, at)
    return AddOrder(loc, trk, hi << 32 | lo, ref, _side(side), shares, _alpha(stock), price)


def _add_order_attributed(buf: bytes, at: int) -> AddOrderAttributed:
    loc, trk, hi, lo, ref, side, shares, stock, price, mpid = _F.unpack_from(buf, at)
    return AddOrderAttributed(
        loc, trk, hi << 32 | lo, ref, _side(side), shares, _alpha(stock), price, _alpha(mpid)
    )


def _order_executed(buf: bytes, at: int) -> OrderExecuted:
    loc, trk, hi, lo, ref, shares, match = _E.unpack_from(buf, at)
    return OrderExecuted(loc, trk, hi << 32 | lo, ref, shares, match)


def _order_executed_with_price(buf: bytes, at: int) -> OrderExecutedWithPrice:
    loc, trk, hi, lo, ref, shares, match, printable, price = _C.unpack_from(buf, at)
    return OrderExecutedWithPrice(
        loc, trk, hi << 32 | lo, ref, shares, match, _CHAR[printable], price
    )


def _order_cancel(buf: bytes, at: int) -> OrderCancel:
    loc, trk, hi, lo, ref, shares = _X.unpack_from(buf, at)
    return OrderCancel(loc, trk, hi << 32 | lo, ref, shares)


def _order_delete(buf: bytes, at: int) -> OrderDelete:
    loc, trk, hi, lo, ref = _D.unpack_from(buf, at)
    return OrderDelete(loc, trk, hi << 32 | lo, ref)


def _order_replace(buf: bytes, at: int) -> OrderReplace:
    loc, trk, hi, lo, old_ref, new_ref, shares, price = _U.unpack_from(buf, at)
    return OrderReplace(loc, trk, hi << 32 | lo, old_ref, new_ref, shares, price)


def _non_cross_trade(buf: bytes, at: int) -> NonCrossTrade:
    loc, trk, hi, lo, ref, side, shares, stock, price, match = _P.unpack_from(buf, at)
    return NonCrossTrade(
        loc, trk, hi << 32 | lo, ref, _side(side), shares, _alpha(stock), price, match
    )


def _cross_trade(buf: bytes, at: int) -> CrossTrade:
    loc, trk, hi, lo, shares, stock, price, match, cross_type = _Q.unpack_from(buf, at)
    return CrossTrade(
        loc, trk, hi << 32 | lo, shares, _alpha(stock), price, match, _CHAR[cross_type]
    )


def _broken_trade(buf: bytes, at: int) -> BrokenTrade:
    loc, trk, hi, lo, match = _B.unpack_from(buf, at)
    return BrokenTrade(loc, trk, hi << 32 | lo, match)


def _skipped(msg_type: str, length: int) -> Callable[[bytes, int], SkippedMessage]:
    def decode(buf: bytes, at: int) -> SkippedMessage:
        loc, trk, hi, lo = _GENERIC.unpack_from(buf, at)
        return SkippedMessage(loc, trk, hi << 32 | lo, msg_type, buf[at : at + length])

    return decode


_Decoder: TypeAlias = Callable[[bytes, int], ItchMessage]

_DECODED: dict[str, tuple[_Decoder, struct.Struct]] = {
    "S": (_system_event, _S),
    "R": (_stock_directory, _R),
    "H": (_stock_trading_action, _H),
    "A": (_add_order, _A),
    "F": (_add_order_attributed, _F),
    "E": (_order_executed, _E),
    "C": (_order_executed_with_price, _C),
    "X": (_order_cancel, _X),
    "D": (_order_delete, _D),
    "U": (_order_replace, _U),
    "P": (_non_cross_trade, _P),
    "Q": (_cross_trade, _Q),
    "B": (_broken_trade, _B),
}

# Indexed by the type byte: the message length (0 for an unknown type) and its decoder.
_LENGTH_BY_BYTE: list[int] = [0] * 256
_DECODER_BY_BYTE: list[_Decoder | None] = [None] * 256
for _type, _length in MESSAGE_LENGTHS.items():
    _decoder, _layout = _DECODED.get(_type, (_skipped(_type, _length), _GENERIC))
    if _layout is not _GENERIC and _layout.size != _length:  # a layout typo must not ship
        raise AssertionError(f"ITCH {_type!r} layout is {_layout.size} bytes, not {_length}")
    _LENGTH_BY_BYTE[ord(_type)] = _length
    _DECODER_BY_BYTE[ord(_type)] = _decoder
del _type, _length, _decoder, _layout


# ---------------------------------------------------------------------- framing


def _describe_type(type_byte: int) -> str:
    if 0x21 <= type_byte <= 0x7E:
        return f"{chr(type_byte)!r} (0x{type_byte:02X})"
    return f"0x{type_byte:02X}"


def _frame_framing(prefix: int, type_byte: int, offset: int) -> Framing:
    """The framing the first frame announces, or the reason it announces none."""
    length = _LENGTH_BY_BYTE[type_byte]
    if length == 0:
        raise ItchFormatError(offset, f"unknown message type {_describe_type(type_byte)}")
    if prefix == length:
        return Framing.LENGTH_PREFIXED
    if prefix == 0:
        return Framing.FIXED_LENGTH
    raise ItchFormatError(
        offset,
        f"length prefix {prefix} contradicts message type {_describe_type(type_byte)}, "
        f"which is {length} bytes long",
    )


def _open(path: Path) -> io.BufferedIOBase:
    with path.open("rb") as probe:
        magic = probe.read(len(_GZIP_MAGIC))
    if magic == _GZIP_MAGIC:
        return gzip.open(path, "rb")
    return path.open("rb")


def _chunks(source: ItchSource) -> Generator[bytes, None, None]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        yield gzip.decompress(data) if data[:2] == _GZIP_MAGIC else data
        return
    with _open(Path(source)) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk


def _frames(source: ItchSource) -> Iterator[tuple[bytes, int, int, int]]:
    """Each message as (buffer, position of its type byte, type byte, offset of its frame).

    Raises ItchFormatError as soon as a frame's first three bytes are wrong, and
    at the end for a truncated last frame.
    """
    lengths = _LENGTH_BY_BYTE
    framing: Framing | None = None
    zero_prefixed = False
    buf = b""
    base = 0  # stream offset of buf[0]
    pos = 0
    for chunk in _chunks(source):
        buf = buf[pos:] + chunk if pos < len(buf) else chunk
        base += pos
        pos = 0
        end_of_data = len(buf)
        while end_of_data - pos >= _MIN_FRAME:
            prefix = buf[pos] << 8 | buf[pos + 1]
            type_byte = buf[pos + 2]
            length = lengths[type_byte]
            if framing is None:
                framing = _frame_framing(prefix, type_byte, base + pos)
                zero_prefixed = framing is Framing.FIXED_LENGTH
            elif length == 0 or prefix != (0 if zero_prefixed else length):
                # (a zero prefix before an unknown type matches a zero-prefixed stream)
                raise _framing_error(prefix, type_byte, length, zero_prefixed, base + pos)
            end = pos + _PREFIX + length
            if end > end_of_data:
                break
            yield buf, pos + _PREFIX, type_byte, base + pos
            pos = end
    left = len(buf) - pos
    if left:
        offset = base + pos
        if left < _MIN_FRAME:
            raise ItchFormatError(
                offset, f"truncated frame: {left} trailing byte(s), too few for a prefix and type"
            )
        type_byte = buf[pos + 2]
        raise ItchFormatError(
            offset,
            f"truncated message: type {_describe_type(type_byte)} is "
            f"{_LENGTH_BY_BYTE[type_byte]} bytes long but only {left - _PREFIX} remain",
        )


def _framing_error(
    prefix: int, type_byte: int, length: int, zero_prefixed: bool, offset: int
) -> ItchFormatError:
    kind = _describe_type(type_byte)
    if length == 0:
        return ItchFormatError(offset, f"unknown message type {kind}")
    if zero_prefixed:
        return ItchFormatError(
            offset,
            f"length prefix {prefix} before message type {kind} in a stream whose "
            "prefixes are zero (fixed-length framing)",
        )
    return ItchFormatError(
        offset,
        f"length prefix {prefix} contradicts message type {kind}, which is {length} bytes long",
    )


# ---------------------------------------------------------------------- public API


def read_messages(source: ItchSource) -> Iterator[ItchMessage]:
    """Every message of an ITCH 5.0 stream, in order.

    ``source`` is a file path (plain or gzip'd) or the stream's bytes. The
    framing (length-prefixed or zero-prefixed) is detected from the first
    message; see the module docstring for what raises ``ItchFormatError``.
    """
    decoders = _DECODER_BY_BYTE
    for buf, at, type_byte, offset in _frames(source):
        decode = decoders[type_byte]
        assert decode is not None  # _frames only yields known types
        try:
            message = decode(buf, at)
        except _BadFieldError as exc:
            raise ItchFormatError(offset, str(exc)) from None
        except UnicodeDecodeError as exc:
            raise ItchFormatError(
                offset, f"non-ASCII text in a {_describe_type(type_byte)} message: {exc.reason}"
            ) from None
        yield message


def count_by_type(source: ItchSource) -> dict[str, int]:
    """How many messages of each type the stream holds, by type letter in order of first sight.

    Frames the stream exactly as ``read_messages`` does (and raises the same
    framing errors) without decoding the fields.
    """
    counts: dict[int, int] = {}
    for _buf, _at, type_byte, _offset in _frames(source):
        counts[type_byte] = counts.get(type_byte, 0) + 1
    return {chr(type_byte): n for type_byte, n in counts.items()}


def detect_framing(source: ItchSource) -> Framing:
    """The framing of a stream, judged from its first message as ``read_messages`` judges it."""
    head = b""
    with closing(_chunks(source)) as chunks:
        for chunk in chunks:
            head += chunk
            if len(head) >= _MIN_FRAME:
                break
    if len(head) < _MIN_FRAME:
        raise ItchFormatError(0, f"stream is {len(head)} byte(s) long, too short for a message")
    return _frame_framing(head[0] << 8 | head[1], head[2], 0)
