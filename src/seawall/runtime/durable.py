"""What the journal and the snapshots share: checksummed frames and all-or-nothing files.

A crash must never leave a half-written journal header or snapshot under its
real name; writing to a temporary name, syncing, renaming and syncing the
directory makes the rename the single moment the file comes into existence.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

FRAME = struct.Struct("<II")
"""Frame header: payload length and CRC32 of the payload, both little-endian u32."""


def frame(payload: bytes) -> bytes:
    return FRAME.pack(len(payload), zlib.crc32(payload)) + payload


def fsync_dir(path: Path) -> None:
    """Make a rename or a new name in ``path`` survive power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)
