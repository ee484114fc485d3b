"""devtools: a headless Debian Chromium driven through its DevTools protocol
(CDP) over a WebSocket (Debian's python3-websocket), for the browser tests.

Chromium is started with --remote-debugging-port=0 and a throwaway profile;
the browser's WebSocket address is read from the profile's DevToolsActivePort
file. One page (tab) is attached with a flat session; commands wait for their answer, events that
arrive meanwhile are kept so that a later wait sees them. Single-threaded
use; close() kills Chromium and removes its profile.

Navigation helpers wait for conditions (the load event, a new document),
never for a fixed time, and give up after a timeout with a clear error.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

CHROMIUM = os.environ.get("PASSERELLE_CHROMIUM", "/usr/bin/chromium")


class DevToolsError(Exception):
    """Chromium could not be started or answered with an error."""


class Browser:
    """One headless Chromium and one page in it."""

    def __init__(self, timeout=20):
        import websocket  # python3-websocket; imported here so that its absence is reported clearly

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="passerelle-chromium.")
        self.log = os.path.join(self.profile, "chromium.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                 "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "--no-first-run",
                 "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-sync", "--window-size=1280,900",
                 "--lang=fr-FR", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=log)
        address = self._devtools_address()
        self.ws = websocket.create_connection(address, timeout=timeout, suppress_origin=True)
        self.quiet = websocket.WebSocketTimeoutException  # nothing came in time
        self.next_id = 0
        self.events = []
        self.statuses = {}  # document URL -> HTTP status of its last response
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "DOM"):
            self.page(domain + ".enable")

    def _devtools_address(self):
        """Chromium writes its port and browser path to DevToolsActivePort in the profile."""
        active = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with open(active) as f:
                    lines = f.read().split()
                if len(lines) >= 2:
                    return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            except FileNotFoundError:
                pass
            time.sleep(0.05)  # polling a file Chromium writes: no event to wait on
        with open(self.log, errors="replace") as f:
            seen = f.read()[-1500:]
        self.close()
        raise DevToolsError("chromium did not open its DevTools port; its output:\n" + seen)

    def send(self, method, params=None, session=None):
        """Sends one command (to the browser, or to `session`) and returns its result."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                reply = self._receive(deadline)
            except self.quiet:
                continue
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise DevToolsError(f"{method}: no answer in {self.timeout} s")

    def page(self, method, params=None):
        """A command to the attached page."""
        return self.send(method, params, self.session)

    def _receive(self, deadline):
        self.ws.settimeout(max(0.05, deadline - time.monotonic()))
        message = json.loads(self.ws.recv())
        if "method" in message:
            self._note(message)
            self.events.append(message)
        return message

    def _note(self, event):
        if event["method"] == "Network.responseReceived" and event["params"].get("type") == "Document":
            response = event["params"]["response"]
            self.statuses[response["url"]] = response["status"]

    def wait_event(self, method, timeout=None):
        """The first kept or coming event named `method` (consumed)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            if time.monotonic() >= deadline:
                raise DevToolsError(f"no {method} in {timeout or self.timeout} s")
            try:
                self._receive(deadline)
            except self.quiet:
                pass  # the deadline check above decides

    def _forget(self, method):
        self.events = [e for e in self.events if e["method"] != method]

    def navigate(self, url):
        """Opens `url` and waits for its load event; returns the document's HTTP status."""
        self._forget("Page.loadEventFired")
        result = self.page("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise DevToolsError(f"navigate {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")
        return self.status()

    def status(self):
        """The HTTP status of the current document."""
        return self.statuses.get(self.url())

    def url(self):
        history = self.page("Page.getNavigationHistory")
        return history["entries"][history["currentIndex"]]["url"]

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (works with the
        page's scripts disabled: DevTools evaluates apart from them)."""
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise DevToolsError(f"evaluate: {result['exceptionDetails']}")
        return result["result"].get("value")

    def text(self):
        return self.evaluate("document.body ? document.body.innerText : ''")

    def html(self):
        return self.evaluate("document.documentElement.outerHTML")

    def set_scripts(self, enabled):
        """Turns the page's own JavaScript on or off (Emulation.setScriptExecutionDisabled)."""
        self.page("Emulation.setScriptExecutionDisabled", {"value": not enabled})

    def _node(self, selector):
        root = self.page("DOM.getDocument")["root"]["nodeId"]
        node = self.page("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            raise DevToolsError(f"no element {selector} on {self.url()}")
        return node

    def type_into(self, selector, text):
        """Focuses a field and types `text` as a keyboard would (no page script involved)."""
        self.page("DOM.focus", {"nodeId": self._node(selector)})
        self.page("Input.insertText", {"text": text})

    def click(self, selector):
        """A real mouse click in the middle of an element."""
        node = self._node(selector)
        self.page("DOM.scrollIntoViewIfNeeded", {"nodeId": node})
        quad = self.page("DOM.getBoxModel", {"nodeId": node})["model"]["content"]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        for kind in ("mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    KEYS = {"Tab": 9, "Enter": 13}

    def press(self, key):
        """One key pressed and released, as a keyboard would (Tab, Enter)."""
        code = self.KEYS[key]
        down = {"type": "keyDown", "key": key, "code": key, "windowsVirtualKeyCode": code}
        if key == "Enter":
            down["text"] = "\r"
        self.page("Input.dispatchKeyEvent", down)
        self.page("Input.dispatchKeyEvent",
                  {"type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code})

    def focused(self):
        """The id of the focused element ('' when it has none)."""
        return self.evaluate("document.activeElement ? document.activeElement.id : ''")

    def press_and_wait(self, key):
        """A key that submits a form (Enter): waits for the next document to load."""
        self._forget("Page.loadEventFired")
        self.press(key)
        self.wait_event("Page.loadEventFired")
        return self.status()

    def click_and_wait(self, selector):
        """Clicks (a submit button, a link) and waits for the next document to load."""
        self._forget("Page.loadEventFired")
        self.click(selector)
        self.wait_event("Page.loadEventFired")
        return self.status()

    def download(self, selector, directory):
        """Clicks a download link and waits for the file; returns its path."""
        self.send("Browser.setDownloadBehavior",
                  {"behavior": "allowAndName", "downloadPath": directory, "eventsEnabled": True})
        self._forget("Browser.downloadWillBegin")
        self._forget("Browser.downloadProgress")
        self.click(selector)
        guid = self.wait_event("Browser.downloadWillBegin")["params"]["guid"]
        while True:
            progress = self.wait_event("Browser.downloadProgress")["params"]
            if progress["guid"] == guid and progress["state"] == "completed":
                return os.path.join(directory, guid)
            if progress["guid"] == guid and progress["state"] == "canceled":
                raise DevToolsError(f"download from {selector} canceled")

    def screenshot(self, path):
        data = self.page("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
