"""Reading files that may be hostile: regular files only, never more than a limit, never blocking.

A FIFO named like a chapter would block a plain open() forever, and a link to /dev/zero reports size 0
and then never ends; so the file is opened without blocking and checked before anything is read.
"""
from __future__ import annotations

import errno
import os
import stat

MAX_FILE_BYTES = 4 * 1024 * 1024  # a story file's size limit


class NotARegularFile(OSError):
    def __init__(self, path: str):
        super().__init__(errno.EINVAL, "not a regular file (a folder, FIFO, device or socket)", path)


class FileTooLarge(OSError):
    def __init__(self, path: str, size: int, limit: int):
        super().__init__(errno.EFBIG, f"file is {size:,} bytes or more; the limit is {limit:,}", path)
        self.size, self.limit = size, limit


def read_regular_file(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError (or a subclass above) otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(path)
        if info.st_size > limit:
            raise FileTooLarge(path, info.st_size, limit)
        chunks, total = [], 0
        while total <= limit:  # the file may grow while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileTooLarge(path, total, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)
