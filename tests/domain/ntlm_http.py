#!/usr/bin/python3
"""A minimal HTTP server with NTLM authentication for 46-domain.sh: each
connection gets its own Squid-protocol helper (squid-2.5-ntlmssp; the suite
passes ours with --winbind), which verifies the tokens. 401 with
"WWW-Authenticate: NTLM [challenge]" until the helper answers AF, then 200
with "hello USER". Binds 127.0.0.1 port 0 and writes the port to PORTFILE.

Usage: ntlm_http.py PORTFILE HELPER [HELPER ARGS...]
"""
import http.server
import subprocess
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: NTLM authenticates the connection

    def helper(self):
        if getattr(self, "_helper", None) is None:
            self._helper = subprocess.Popen(self.server.helper_argv, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True, bufsize=1)
        return self._helper

    def ask(self, line):
        h = self.helper()
        h.stdin.write(line + "\n")
        h.stdin.flush()
        return h.stdout.readline().rstrip("\n")

    def answer(self, code, body, challenge=None):
        data = body.encode()
        self.send_response(code)
        if code == 401:
            self.send_header("WWW-Authenticate", "NTLM" + (" " + challenge if challenge else ""))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("NTLM "):
            return self.answer(401, "who are you?\n")
        token = auth[5:].strip()
        if not getattr(self, "_negotiated", False):
            reply = self.ask("YR " + token)
            self._negotiated = reply.startswith("TT ")
            return self.answer(401, reply + "\n", reply[3:] if self._negotiated else None)
        reply = self.ask("KK " + token)
        self._negotiated = False
        if reply.startswith("AF "):
            return self.answer(200, "hello " + reply[3:] + "\n")
        return self.answer(401, reply + "\n")

    def finish(self):
        super().finish()
        if getattr(self, "_helper", None) is not None:
            self._helper.stdin.close()
            self._helper.wait(timeout=10)

    def log_message(self, fmt, *args):
        sys.stderr.write("ntlm_http: " + fmt % args + "\n")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.helper_argv = sys.argv[2:]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
