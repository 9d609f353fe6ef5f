#!/usr/bin/python3
"""One NTLMSSP (or SPNEGO) handshake between a client helper and a server
helper, both ntlm_auth line protocols (ntlmssp-client-1 or
gss-spnego-client against squid-2.5-ntlmssp or gss-spnego): the client's
YR token goes to the server as YR, each TT back to the client, the
client's next token to the server as KK. Prints the server's answers, one
per line (the last one is the verdict: AF ... or NA ...).

Usage: relay.py CLIENT_ARGV... -- SERVER_ARGV...
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402

args = sys.argv[1:]
if "--" not in args:
    sys.exit(__doc__)
cut = args.index("--")
c, s = LineProc(args[:cut]), LineProc(args[cut + 1:])
c.send("YR")
r, verb = c.recv(), "YR"
for _ in range(4):
    w = r.split()
    if len(w) < 2 or w[0] not in ("YR", "KK", "AF"):
        print("client: " + r)
        break
    s.send(verb + " " + w[1])
    a = s.recv()
    print(a)
    if a.split()[0] != "TT":
        break
    c.send("TT " + a.split()[1])
    r, verb = c.recv(), "KK"
for h in (c, s):
    try:
        h.p.stdin.close()
        h.p.wait(timeout=10)
    except (OSError, ValueError, TimeoutError):
        h.p.kill()
