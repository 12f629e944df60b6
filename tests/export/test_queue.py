"""The export queue (dashboard/export/queue.py): at most `slots` files are made at once, the others
wait first come first served and hear their place in the line, a wait has an end, and a file
made once is not made again.

Threads meet at events, never at times: the only times below are timeouts that end a broken
test instead of hanging it (SAFETY), and a timeout of 0 (no wait at all).
"""

from __future__ import annotations

import threading

import pytest

from dashboard import settings
from dashboard.export.queue import ExportQueue, MadeFiles, QueueTimeout

SAFETY = 60  # seconds: a test that waits longer than this is broken, not slow


def _wait(event: threading.Event) -> None:
    assert event.wait(SAFETY), "a thread never got there"


@pytest.mark.parametrize("slots, requests", [(1, 4), (2, 6), (3, 3)])
def test_at_most_slots_run_at_once_and_the_others_wait_their_turn(slots, requests):
    queue = ExportQueue(slots)
    lock = threading.Lock()
    running, most, order = [0], [0], []
    entered = threading.Semaphore(0)  # one release per request that got its turn
    reported = threading.Semaphore(0)  # one release per request that heard its first place in line
    first_place: dict[int, int] = {}
    go = [threading.Event() for _ in range(requests)]

    def request(i: int) -> None:
        def on_wait(ahead: int) -> None:
            if i not in first_place:
                first_place[i] = ahead
                reported.release()

        with queue.turn(SAFETY, on_wait):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                order.append(i)
            entered.release()
            _wait(go[i])
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=request, args=(i,), daemon=True) for i in range(requests)]
    for t in threads:
        t.start()
    for _ in range(slots):
        assert entered.acquire(timeout=SAFETY)
    for _ in range(requests - slots):
        assert reported.acquire(timeout=SAFETY)
    # Every slot taken, everyone else in line, each told how many came before it.
    assert (queue.running, queue.waiting) == (slots, requests - slots)
    assert sorted(first_place.values()) == list(range(requests - slots))
    assert not set(first_place) & set(order[:slots])
    for done in range(requests):
        go[order[done]].set()  # one turn ends: exactly one waiting request may start
        if done + slots < requests:
            assert entered.acquire(timeout=SAFETY)
        with lock:
            assert running[0] <= slots
    for t in threads:
        t.join(SAFETY)
    assert most[0] == slots and sorted(order) == list(range(requests))
    # Those who waited started in the order they joined the line.
    waited = [i for i in order if i in first_place]
    assert [first_place[i] for i in waited] == sorted(first_place.values())
    assert (queue.running, queue.waiting) == (0, 0)


def test_a_request_that_gets_no_turn_in_time_gives_up_and_leaves_the_line():
    queue = ExportQueue(1)
    heard = []
    with queue.turn(SAFETY):
        with pytest.raises(QueueTimeout):
            with queue.turn(0, heard.append):
                raise AssertionError("ran without a turn")
        assert heard == [0]  # it was told it was next before it gave up
        assert (queue.running, queue.waiting) == (1, 0)
    with queue.turn(0):  # the slot is free again: no wait at all
        assert queue.running == 1
    assert queue.running == 0


def test_a_visitor_who_leaves_while_waiting_leaves_the_line():
    # A page that is left raises from its report of the place in line (Streamlit stops the run there).
    queue = ExportQueue(1)

    class Left(Exception):
        pass

    def leave(_ahead: int) -> None:
        raise Left

    with queue.turn(SAFETY):
        with pytest.raises(Left):
            with queue.turn(SAFETY, leave):
                raise AssertionError("ran without a turn")
        assert queue.waiting == 0
    assert queue.running == 0


def test_a_turn_is_given_back_when_making_the_file_fails():
    queue = ExportQueue(1)
    with pytest.raises(RuntimeError):
        with queue.turn(SAFETY):
            raise RuntimeError("the chart engine failed")
    assert queue.running == 0
    with queue.turn(0):
        pass


def test_a_queue_needs_a_slot():
    with pytest.raises(ValueError):
        ExportQueue(0)


def test_a_file_is_made_once_then_handed_out_without_a_turn():
    queue, made = ExportQueue(1), MadeFiles(2)
    calls, started = [], []
    build = lambda: calls.append(1) or b"kit"  # noqa: E731
    assert made.make("a", build, queue, SAFETY, on_start=lambda: started.append(1)) == b"kit"
    with queue.turn(SAFETY):  # the only slot is taken: a file made already still comes at once
        assert made.make("a", build, queue, 0) == b"kit"
    assert calls == [1] and started == [1]


def test_made_files_keep_the_ones_used_last():
    made = MadeFiles(2)
    made.put("a", b"1")
    made.put("b", b"2")
    assert made.get("a") == b"1"  # a is now the one used last
    made.put("c", b"3")
    assert (made.get("a"), made.get("b"), made.get("c")) == (b"1", None, b"3")


def test_a_second_visitor_of_the_same_file_takes_it_from_the_first():
    # Two visitors ask for the same file at once: the one who waited gets the file the first made.
    queue, made = ExportQueue(1), MadeFiles(4)
    building, finish, waiting = threading.Event(), threading.Event(), threading.Event()
    calls = []

    def slow() -> bytes:
        calls.append(1)
        building.set()
        _wait(finish)
        return b"sheet"

    results = []
    first = threading.Thread(target=lambda: results.append(made.make("k", slow, queue, SAFETY)), daemon=True)
    first.start()
    _wait(building)
    second = threading.Thread(target=lambda: results.append(
        made.make("k", slow, queue, SAFETY, on_wait=lambda _a: waiting.set())), daemon=True)
    second.start()
    _wait(waiting)
    finish.set()
    first.join(SAFETY)
    second.join(SAFETY)
    assert results == [b"sheet", b"sheet"] and calls == [1]


@pytest.mark.parametrize("env, slots, wait", [({}, 1, 60), ({"DASHBOARD_EXPORT_SLOTS": "3"}, 3, 60),
                                              ({"DASHBOARD_EXPORT_WAIT": " 5 "}, 1, 5)])
def test_slots_and_wait_come_from_the_settings(monkeypatch, env, slots, wait):
    for name in ("DASHBOARD_EXPORT_SLOTS", "DASHBOARD_EXPORT_WAIT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert (settings.export_slots(), settings.export_wait()) == (slots, wait)


@pytest.mark.parametrize("name, value", [("DASHBOARD_EXPORT_SLOTS", "0"), ("DASHBOARD_EXPORT_SLOTS", "two"),
                                         ("DASHBOARD_EXPORT_SLOTS", "17"), ("DASHBOARD_EXPORT_WAIT", "0"),
                                         ("DASHBOARD_EXPORT_WAIT", "1.5"), ("DASHBOARD_EXPORT_WAIT", "")])
def test_a_bad_setting_is_refused_by_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        settings.export_slots() if name.endswith("SLOTS") else settings.export_wait()
