"""Export layer: the queue of files made on request — a few at a time per process, the others wait their turn — and the files it made.

A press kit or a fact sheet takes seconds of processor time. Made as soon as they were asked
for, four visitors' files took a fifth visitor's page view from 0.7 s to 6.6 s; the process
serves every page, so its cores must not all go to files. Each file therefore takes a turn of
an `ExportQueue`: at most `slots` are made at once, the others wait in the order they came,
are told their place in the line while they wait, and give up after a timeout. `MadeFiles`
keeps the files made, so the next visitor of the same view takes no turn at all.

Plain Python (threading): nothing here knows Streamlit; tests run it with threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

# How often a waiting request hears its place in the line (seconds): often enough for a visitor
# to see the line move, and each report is also where a visitor who left stops waiting.
POLL = 0.5


class QueueTimeout(Exception):
    """No turn came within the time allowed."""


class ExportQueue:
    """At most `slots` turns at once; the others wait first come, first served."""

    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError("an export queue needs at least one slot")
        self.slots = slots
        self._changed = threading.Condition()
        self._running = 0
        self._line: list[object] = []  # tickets of the waiting requests, first come first

    @property
    def running(self) -> int:
        """Turns under way."""
        with self._changed:
            return self._running

    @property
    def waiting(self) -> int:
        """Requests waiting for a turn."""
        with self._changed:
            return len(self._line)

    def _take(self, ticket: object) -> bool:
        # Called holding the lock: the first in line takes a free slot.
        if self._line[0] is ticket and self._running < self.slots:
            self._line.pop(0)
            self._running += 1
            self._changed.notify_all()  # the next in line may take another free slot
            return True
        return False

    @contextmanager
    def turn(self, timeout: float, on_wait: Callable[[int], None] | None = None,
             poll: float = POLL) -> Iterator[None]:
        """Run the `with` block in a turn: at once when a slot is free and nobody waits, else
        after the requests that came first.

        While it waits, `on_wait(ahead)` is called in the waiting thread (outside the lock: it
        may draw on a page, or raise to give up) at once and then about every `poll` seconds;
        `ahead` is how many requests are before this one in the line (0: it is next). Raises
        QueueTimeout when no turn came within `timeout` seconds; a request that gives up,
        whatever the reason, leaves the line.
        """
        ticket = object()
        deadline = time.monotonic() + timeout
        with self._changed:
            self._line.append(ticket)
            started = self._take(ticket)
        try:
            while not started:
                with self._changed:
                    ahead = self._line.index(ticket)
                if on_wait is not None:
                    on_wait(ahead)
                with self._changed:
                    started = self._take(ticket)
                    left = deadline - time.monotonic()
                    if not started:
                        if left <= 0:
                            raise QueueTimeout(f"no turn within {timeout:g} s")
                        self._changed.wait(min(poll, left))
                        started = self._take(ticket)
        except BaseException:
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                elif started:
                    self._running -= 1
                self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()


class MadeFiles:
    """The files made on request, the `size` used last kept (a few hundred KB each), shared by
    every visitor of the process."""

    def __init__(self, size: int):
        self.size = size
        self._files: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        """The file made for `key`, or None."""
        with self._lock:
            data = self._files.get(key)
            if data is not None:
                self._files.move_to_end(key)
            return data

    def put(self, key: Hashable, data: bytes) -> None:
        with self._lock:
            self._files[key] = data
            self._files.move_to_end(key)
            while len(self._files) > self.size:
                self._files.popitem(last=False)

    def make(self, key: Hashable, build: Callable[[], bytes], queue: ExportQueue, timeout: float,
             on_wait: Callable[[int], None] | None = None, on_start: Callable[[], None] | None = None) -> bytes:
        """The file of `key`: the one made already, else `build()` run in a turn of `queue` (see
        ExportQueue.turn for `timeout` and `on_wait`; QueueTimeout when no turn came), after
        `on_start()` when the turn begins."""
        found = self.get(key)
        if found is not None:
            return found
        with queue.turn(timeout, on_wait):
            found = self.get(key)  # made for another visitor while this one waited
            if found is None:
                if on_start is not None:
                    on_start()
                found = build()
                self.put(key, found)
        return found
