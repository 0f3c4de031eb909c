"""`shared.testing.free_port`: the ports the suite's servers bind, chosen so that no other
test worker and no outgoing connection can be handed the same one meanwhile."""

from __future__ import annotations

import socket

from shared import testing


def test_ports_come_from_this_workers_band_below_the_ephemeral_range(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    ports = [testing.free_port() for _ in range(5)]
    band = range(testing.PORT_RANGE.start + testing.PORT_BAND,
                 testing.PORT_RANGE.start + 2 * testing.PORT_BAND)
    assert all(port in band for port in ports) and len(set(ports)) == 5
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert testing.free_port() not in band


def test_a_port_someone_holds_is_passed_over(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw2")
    upcoming = testing.free_port() + 1  # the band is counted through in order
    with socket.socket() as held:
        held.bind(("127.0.0.1", upcoming))
        held.listen()
        port = testing.free_port()
    assert port != upcoming
    with socket.socket() as mine:
        mine.bind(("127.0.0.1", port))  # what was returned can be bound
