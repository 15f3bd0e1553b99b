"""gc_paused() from several threads at once (the service's workers): the collector is one switch
for the process, so the threads must decide together when it is turned back on."""
from __future__ import annotations

import threading

from entrustment_chain.graph import gcpause
from entrustment_chain.graph.gcpause import gc_paused


class FakeGC:
    """The collector's switch, with a hook run when a thread turns it off."""

    def __init__(self) -> None:
        self.enabled = True
        self.on_disable = lambda: None

    def isenabled(self) -> bool:
        return self.enabled

    def disable(self) -> None:
        self.on_disable()
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True


def test_a_block_ending_in_another_thread_leaves_the_collector_enabled(monkeypatch):
    """Thread A is inside a block; thread B enters one and, between seeing the collector off and
    turning it off itself, A leaves (and turns it on). Checked and switched apart, B then turned
    it off for good: it believed it was off before B came. The collector must be on at the end."""
    fake = FakeGC()
    monkeypatch.setattr(gcpause, "gc", fake)
    a_inside, a_leave, a_left = threading.Event(), threading.Event(), threading.Event()

    def a() -> None:
        with gc_paused():
            a_inside.set()
            a_leave.wait(10)
        a_left.set()

    def b() -> None:
        with gc_paused():
            pass

    thread_a = threading.Thread(target=a)
    thread_b = threading.Thread(target=b)

    def b_switches_off() -> None:
        if threading.current_thread() is thread_b:
            a_leave.set()
            a_left.wait(0.5)  # A leaves here, unless B's entry holds it off

    fake.on_disable = b_switches_off
    thread_a.start()
    assert a_inside.wait(10)
    thread_b.start()
    thread_b.join(10)
    a_leave.set()
    thread_a.join(10)
    assert not thread_a.is_alive() and not thread_b.is_alive()
    assert fake.enabled, "the collector was left disabled"


def test_many_threads_leave_it_as_they_found_it(monkeypatch):
    fake = FakeGC()
    monkeypatch.setattr(gcpause, "gc", fake)

    def work() -> None:
        for _ in range(2000):
            with gc_paused():
                with gc_paused():
                    pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.enabled
    fake.enabled = False  # a caller who disabled it keeps it disabled
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not fake.enabled
