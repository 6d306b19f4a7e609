"""Datasette started as `make browse` starts it, for the tests that need a real server."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from lib.publish import browse, database
from lib.report import processed


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, **streams: int) -> tuple[subprocess.Popen, str]:
    """The server on the built database (lib.publish.browse.command) and its address, once it
    answers; ``streams`` go to Popen (stdout, stderr). Fails with the server's last output
    when it does not answer within a minute."""
    meta = folder / browse.METADATA
    meta.write_bytes(browse.metadata_bytes())
    port = free_port()
    cmd = browse.command(processed.processed_dir() / database.DATABASE, meta, port)
    proc = subprocess.Popen(cmd, **streams)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/-/versions.json", timeout=2).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.stderr or proc.stdout
                tail = out.read().decode()[-500:] if out else ""
                pytest.fail(f"Datasette did not start: {tail}")
            time.sleep(0.3)
