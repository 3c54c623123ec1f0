"""A per-case time limit for tests of input that once made the game hang."""
from __future__ import annotations

import contextlib
import signal


@contextlib.contextmanager
def deadline(seconds: float):
    """Raise TimeoutError in the test if the block runs longer than `seconds` (main thread, POSIX)."""
    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: the code hangs on this input")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
