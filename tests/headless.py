"""Open a local HTML file in headless Chromium, as a person would, and report what happened.

Speaks the DevTools protocol over a pipe (`--remote-debugging-pipe`: file descriptors 3 and 4,
messages separated by NUL), so it needs nothing but Debian's `chromium` package. The network is
off three ways: a proxy that does not exist, host names that resolve nowhere, and the page's
network emulated offline; every request the page makes is still recorded, so a test can assert that
nothing but the file itself was asked for.

As a script: `python tests/headless.py PAGE.html SHOT.png [WIDTH HEIGHT [FRAGMENT]]` writes a screenshot of
the top of the page, or of the part from the element `#FRAGMENT` on (how the README's picture is made).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

VISIBLE = """JSON.stringify(Object.fromEntries(['table.printed', 'svg'].map(sel => [sel,
  Array.from(document.querySelectorAll(sel)).filter(e => { const r = e.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.width > 0; }).length])))"""
COUNT_FATES = """JSON.stringify(Array.from(document.querySelectorAll('[data-fate]')).reduce(
  (n, e) => (n[e.dataset.fate] = (n[e.dataset.fate] || 0) + 1, n), {}))"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


@dataclass
class PageRun:
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    fates: dict[str, int] = field(default_factory=dict)  # data-fate -> number of elements
    visible: dict[str, int] = field(default_factory=dict)  # printed tables and charts in the screenshot
    screenshot: bytes = b""
    height: int = 0  # of the whole page, in CSS pixels


class _Browser:
    def __init__(self, binary: str, profile: str):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        args = [
            binary,
            "--headless=new",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=127.0.0.1:9",  # nothing listens there: a request that tries the network fails
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars",
            "--force-color-profile=srgb",
        ]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox

        def fds() -> None:  # the child's 3 reads our commands, its 4 writes the answers
            r, w = os.dup(to_child_r), os.dup(from_child_w)  # out of the way of 3 and 4 first
            os.dup2(r, 3)  # dup2 makes them inheritable: they survive exec
            os.dup2(w, 4)

        # close_fds would close 3 and 4 after preexec_fn; Python's own descriptors close on exec anyway
        self.proc = subprocess.Popen(
            args, preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._next += 1
        msg: dict = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self._next:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read(deadline)
            if m.get("method") == method:
                return m
            self.events.append(m)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)


def open_page(
    page: Path, width: int = 1400, height: int = 1000, fragment: str = "", binary: str | None = None
) -> PageRun:
    """Load `page` with the network off; collect requests, errors, data-fate counts and a screenshot
    of `width` x `height` of the page at its top (or at the element `#fragment`)."""
    binary = binary or chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed")
    run = PageRun()
    with tempfile.TemporaryDirectory(prefix="navstat-chromium-") as profile:
        b = _Browser(binary, profile)
        try:
            target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                b.send(f"{domain}.enable", session=s)
            b.send(
                "Network.emulateNetworkConditions",
                {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                session=s,
            )
            b.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=s,
            )
            b.send("Page.navigate", {"url": page.resolve().as_uri() + (f"#{fragment}" if fragment else "")}, session=s)
            b.wait_for("Page.loadEventFired", timeout=60)
            run.fates = json.loads(
                b.send("Runtime.evaluate", {"expression": COUNT_FATES, "returnByValue": True}, session=s)["result"][
                    "value"
                ]
            )
            run.height = b.send(
                "Runtime.evaluate",
                {"expression": "document.documentElement.scrollHeight", "returnByValue": True},
                session=s,
            )["result"]["value"]
            run.visible = json.loads(
                b.send("Runtime.evaluate", {"expression": VISIBLE, "returnByValue": True}, session=s)["result"]["value"]
            )
            shot = b.send("Page.captureScreenshot", {"format": "png"}, session=s, timeout=60)
            run.screenshot = base64.b64decode(shot["data"])
        finally:
            events = list(b.events)
            b.close()
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Network.requestWillBeSent":
            run.requests.append(p["request"]["url"])
        elif method == "Network.loadingFailed":
            run.errors.append(f"load failed: {p.get('errorText')}")
        elif method == "Runtime.exceptionThrown":
            run.errors.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            run.errors.append(f"console: {p.get('args')}")
        elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
            run.errors.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
    return run


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 4, 5):
        print("usage: headless.py PAGE.html SHOT.png [WIDTH HEIGHT [FRAGMENT]]", file=sys.stderr)
        return 2
    size = (int(argv[2]), int(argv[3])) if len(argv) >= 4 else (1400, 1000)
    run = open_page(Path(argv[0]), *size, fragment=argv[4] if len(argv) == 5 else "")
    Path(argv[1]).write_bytes(run.screenshot)
    print(f"{argv[1]}: {len(run.screenshot)} bytes; requests {run.requests}; errors {run.errors}; fates {run.fates}")
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
