"""A minimal LSP client for the tests: starts `python -m gamespec.cli lsp` and speaks
JSON-RPC over its stdin/stdout with Content-Length framing (the real protocol)."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time


class LspClient:
    def __init__(self, cwd=None) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "gamespec.cli", "lsp"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self.inbox: queue.Queue = queue.Queue()
        self.notes: list[dict] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put(json.loads(body))

    def send(self, message: dict) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict, timeout: float = 60) -> dict:
        """The response (as a dict with `result` or `error`); notifications meanwhile are
        kept in self.notes."""
        self.next_id += 1
        wanted = self.next_id
        self.send({"id": wanted, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == wanted and "method" not in m, timeout)

    def diagnostics(self, uri: str, version: int, timeout: float = 60) -> list[dict]:
        """The diagnostics published for `uri` at `version`."""
        def match(m):
            p = m.get("params", {})
            return (m.get("method") == "textDocument/publishDiagnostics"
                    and p.get("uri") == uri and p.get("version") == version)
        for note in self.notes:
            if match(note):
                self.notes.remove(note)
                return note["params"]["diagnostics"]
        return self._wait(match, timeout)["params"]["diagnostics"]

    def _wait(self, match, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the language server")
            message = self.inbox.get(timeout=left)
            if message is None:
                raise EOFError("the language server exited: "
                               + self.proc.stderr.read().decode(errors="replace")[-2000:])
            if match(message):
                return message
            if "method" in message and "id" in message:  # a request from the server
                self.send({"id": message["id"], "result": None})
            else:
                self.notes.append(message)

    def start(self, root_uri: str | None = None) -> dict:
        answer = self.request("initialize", {"processId": None, "rootUri": root_uri,
                                             "capabilities": {}})
        self.notify("initialized", {})
        return answer

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "gamespec", "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})

    def stop(self) -> int:
        self.request("shutdown", {})
        self.notify("exit", {})
        try:
            return self.proc.wait(timeout=20)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                stream.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
