"""Two performance fixes to Whoosh internals, applied once on import.

Both only change how much work Whoosh does, never what it reads or writes; each
was measured with bench/search.py (see bench/README.md).
"""

from whoosh.codec import whoosh3
from whoosh.filedb.structfile import BufferFile


def remember_missing_columns() -> None:
    """Whoosh checks the disk for a field's length column once per posting when the
    field has none (IDs, keywords, dates), which makes indexing over a quarter slower.
    A segment's files never change once written, so remembering "no such column"
    is safe."""
    original = whoosh3.W3PerDocReader._cached_reader
    if getattr(original, "parley_patched", False):
        return

    def cached_reader(self, fieldname, column):
        if fieldname in self._readers:
            return self._readers[fieldname]
        reader = original(self, fieldname, column)
        if reader is None:
            self._readers[fieldname] = None
        return reader

    cached_reader.parley_patched = True
    whoosh3.W3PerDocReader._cached_reader = cached_reader


class _ViewStream:
    """File-style reads straight from a memoryview, copying only what is read."""

    def __init__(self, view):
        self.view, self.pos = view, 0

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = (0, self.pos, len(self.view))[whence] + offset
        return self.pos

    def tell(self) -> int:
        return self.pos

    def read(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(len(self.view), self.pos + size)
        data = bytes(self.view[self.pos : end])
        self.pos = end
        return data

    def readline(self, size: int = -1) -> bytes:
        line = b""
        while not line.endswith(b"\n") and self.pos < len(self.view):
            chunk = self.read(256)
            cut = chunk.find(b"\n")
            if cut >= 0:
                self.pos -= len(chunk) - cut - 1
                chunk = chunk[: cut + 1]
            line += chunk
        return line

    def close(self) -> None:
        self.view = memoryview(b"")


def read_buffers_in_place() -> None:
    """A file inside a segment is a BufferFile over the memory-mapped segment, and its
    constructor copies the whole file into a BytesIO for stream-style reads. Opening
    a reader on a 100,000-document index spent about 35 ms copying, once per search
    and once per drain; streams now read the map in place."""
    if getattr(BufferFile, "parley_patched", False):
        return

    def __init__(self, buf, name=None, onclose=None):
        self._buf, self._name, self.onclose = buf, name, onclose
        self.file = _ViewStream(buf)
        self.is_real = False
        self.is_closed = False

    BufferFile.__init__ = __init__
    BufferFile.parley_patched = True


remember_missing_columns()
read_buffers_in_place()
