"""The bare baseline client of ``bench.latency``: what ``releve send`` and ``releve inbox
--wait`` do minus Relève (a Python process, urllib.request, JSON over HTTP on 127.0.0.1).

    python -m bench.bare_client post URL TEXT   # POST {"text": TEXT} to URL/post
    python -m bench.bare_client wait URL        # GET URL/wait; prints the body
"""

from __future__ import annotations

import json
import sys
import urllib.request


def main(argv: list[str]) -> int:
    verb, url = argv[0], argv[1]
    if verb == "post":
        request = urllib.request.Request(
            url + "/post",
            data=json.dumps({"text": argv[2]}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
    else:
        request = urllib.request.Request(url + "/wait")
    with urllib.request.urlopen(request, timeout=300) as response:
        body = json.loads(response.read())
    print(json.dumps(body))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
