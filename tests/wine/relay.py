#!/usr/bin/env python3
"""relay.py PORT_FILE -- COMMAND...: a line-protocol server on TCP.

Listens on 127.0.0.1 (a port the kernel picks, written to PORT_FILE) and
runs COMMAND once per connection, one connection at a time, with the
connection as its stdin and stdout: `ntlm server`, or a peer adapter of the
interop suite (tests/interop/peer_samba.py server ...). Ends on SIGTERM.
"""
import os
import signal
import socket
import subprocess
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.stderr.write(__doc__)
        return 2
    port_file, argv = sys.argv[1], sys.argv[3:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, port_file)  # whoever waits for the file sees it whole
    while True:
        conn, _ = srv.accept()
        with conn:
            rc = subprocess.call(argv, stdin=conn.fileno(), stdout=conn.fileno())
        sys.stderr.write("relay: %s exited %d\n" % (os.path.basename(argv[0]), rc))
        sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
