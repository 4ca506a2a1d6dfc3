#!/usr/bin/python3
"""A TUF repository over plain HTTP on loopback for mamori's client tests.

Serves DIRECTORY as files, and any path below /endless/ as a body that never ends (no
Content-Length, bytes until the client hangs up): the endless-data attack. Prints the port it
listens on, then serves until killed.

    tuf_http_server.py DIRECTORY
"""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/endless/"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"signatures": [], "signed": "')
                while True:
                    self.wfile.write(b"A" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                return
        super().do_GET()

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


def main():
    handler = functools.partial(Handler, directory=sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
