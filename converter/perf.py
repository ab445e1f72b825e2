"""Performance helpers."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many small objects.

    Reading a report allocates millions of tuples and objects without reference cycles; the
    collector's repeated scans of them cost as much as the work itself (measured: read time halves).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
