"""Two costs of whoosh-reloaded 2.7.5 (pinned) that we remove by replacing one method each.

Both change how Whoosh reads its own files, never what it reads: tests compare results
with Whoosh's own, and the version pin keeps these methods where we expect them.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.structfile import BufferFile


def _cached_reader(self, fieldname, column):
    # Only columns that exist are cached, so every posting of a field without lengths
    # (ID, KEYWORD) cost a stat() while writing: half a full build's time.
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


class _View:
    """A read-only file over a buffer (a slice of the memory-mapped segment)."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf):
        self._buf = buf
        self._pos = 0

    def seek(self, pos: int, whence: int = 0) -> int:
        self._pos = pos + (self._pos if whence == 1 else len(self._buf) if whence == 2 else 0)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, n: int | None = -1) -> bytes:
        start, size = self._pos, len(self._buf)
        end = size if n is None or n < 0 else min(start + n, size)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def peek(self, n: int = 0) -> bytes:
        # With peek, pickle.load reads ahead instead of calling read() per opcode (7x faster).
        return bytes(self._buf[self._pos : self._pos + max(n, 4096)])

    def readline(self, limit: int = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if limit is None or limit < 0 else min(start + limit, len(self._buf))
        chunk = bytes(self._buf[start:end])
        cut = chunk.find(b"\n")
        line = chunk if cut < 0 else chunk[: cut + 1]
        self._pos = start + len(line)
        return line

    def close(self) -> None:
        pass  # the buffer belongs to the segment's storage


def _buffer_file_init(self, buf, name=None, onclose=None):
    # Every file of a compound segment is opened as a BufferFile over the memory map,
    # whose BytesIO copies the whole file: each new searcher copied the entire index
    # (20 ms at 10,000 entries, 130 ms at 50,000, after every edit). Read it in place.
    self._buf = buf
    self._name = name
    self.file = _View(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


W3PerDocReader._cached_reader = _cached_reader
BufferFile.__init__ = _buffer_file_init
