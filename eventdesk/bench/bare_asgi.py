"""The floor of the HTTP benchmark: a bare ASGI app on the same server with the same settings as
``eventdesk serve``, reading each request's body and answering a fixed small JSON, storing nothing.

    python -m eventdesk.bench.bare_asgi [--port 0]    # prints the same ready line as serve
"""
from __future__ import annotations

import argparse
from typing import Any

from eventdesk.http.server import _Server, address, bind, ready_line, uvicorn_config

REPLY = (b'{"outcome": "accepted", "raw_id": 1, "normalized_id": 1, "status": "normalized",'
         b' "error": null, "duplicate_of": null}')
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(REPLY)).encode())]


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the whole body, as the real endpoint must
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": HEADERS})
    await send({"type": "http.response.body", "body": REPLY})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eventdesk.bench.bare_asgi")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    sock = bind(args.host, args.port)
    port = sock.getsockname()[1]
    server = _Server(uvicorn_config(bare_app), lambda: ready_line(address(args.host, port)))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


if __name__ == "__main__":
    main()
