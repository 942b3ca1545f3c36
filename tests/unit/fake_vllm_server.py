"""A scripted stand-in for vLLM's API server process, for unit tests of process handling.

Usage: fake_vllm_server.py PORT MODE, MODE one of
  ok        serve GET /v1/models after 0.3 s; a child process sleeps alongside (like EngineCore);
  die       print an error and exit with code 3 before listening;
  hang      never listen;
  stubborn  like ok, but ignore SIGTERM (stop() must escalate to SIGKILL).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Models(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"object": "list", "data": [{"id": "stylist-base"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    port, mode = int(sys.argv[1]), sys.argv[2]
    print(f"fake vllm starting in mode {mode}", flush=True)
    if mode == "die":
        print("RuntimeError: engine core failed to start (boom)", flush=True)
        sys.exit(3)
    if mode == "hang":
        while True:
            time.sleep(1)
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # A child in the same process group, like vLLM's engine core process.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    print(f"child {child.pid}", flush=True)
    time.sleep(0.3)
    HTTPServer(("127.0.0.1", port), Models).serve_forever()


if __name__ == "__main__":
    main()
