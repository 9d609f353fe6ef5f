"""Shared helpers for the python peer adapters: the suite's line protocol.

A client adapter prints "TOKEN <b64>" (its NEGOTIATE) unprompted, reads
"TOKEN <b64>" (the CHALLENGE), prints "TOKEN <b64>" (AUTHENTICATE) and
"DONE flags=0x%08x sessionkey=<hex>". A server adapter reads TOKEN lines,
answers TOKEN, and ends with "DONE user=<DOMAIN\\user> flags=.. sessionkey=.."
or "FAIL <reason>". After DONE: SEAL/UNSEAL/SIGN/VERIFY/QUIT (see
docs/interop.md).
"""
import argparse
import base64
import sys


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def b64(data):
    return base64.b64encode(bytes(data)).decode()


def unb64(s):
    return base64.b64decode(s)


def read_token():
    """Next "TOKEN <b64>" line from stdin, as bytes; None at EOF."""
    for line in sys.stdin:
        line = line.strip()
        if line.startswith("TOKEN "):
            return unb64(line[6:])
        if line == "QUIT":
            return None
        out("ERR expected TOKEN")
    return None


def done(flags, key, user=None, extra=""):
    parts = ["DONE"]
    if user is not None:
        parts.append("user=" + user)
    parts.append("flags=0x%08x" % (flags or 0))
    parts.append("sessionkey=" + (key.hex() if key else "-"))
    if extra:
        parts.append(extra)
    out(" ".join(parts))


def session(ops):
    """Runs the post-handshake command loop. ops: object with optional
    seal(data)->(sealed, sig), unseal(data, sig)->plain (raise on failure),
    sign(data)->sig, verify(data, sig) (raise on failure)."""
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], words[1:]
        if cmd == "QUIT":
            break
        try:
            a = [unb64(x) for x in args]
        except Exception:
            out("ERR syntax")
            continue
        fn = getattr(ops, cmd.lower(), None)
        if fn is None or cmd not in ("SEAL", "UNSEAL", "SIGN", "VERIFY"):
            out("ERR unsupported " + cmd)
            continue
        try:
            if cmd == "SEAL":
                d, s = fn(a[0])
                out("SEALED %s %s" % (b64(d), b64(s)))
            elif cmd == "UNSEAL":
                out("PLAIN " + b64(fn(a[0], a[1])))
            elif cmd == "SIGN":
                out("SIG " + b64(fn(a[0])))
            else:
                fn(a[0], a[1])
                out("OK")
        except Exception as e:  # the peer's own refusal
            msg = ("%s: %s" % (type(e).__name__, e)).replace("\n", " ")
            out(("BAD " if cmd == "VERIFY" else "ERR ") + msg)


def common_args(argv):
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["client", "server"])
    p.add_argument("--user", default="")
    p.add_argument("--domain", default="")
    p.add_argument("--password", default="")
    p.add_argument("--workstation", default="PYCLIENT")
    p.add_argument("--ntlmv1", action="store_true", help="client: send an NTLMv1 response")
    p.add_argument("--account-file")
    p.add_argument("--allow-ntlmv1", action="store_true")
    p.add_argument("--computer-name", default="INTEROP")
    p.add_argument("--domain-name", default="INTEROP")
    return p.parse_args(argv)
