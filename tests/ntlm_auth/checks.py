#!/usr/bin/python3
"""The security checks of ntlm_auth, each made to fire: a mechListMIC that
does not verify or is missing (server side and client side), and
--require-membership-of with an account file alone (it has no SIDs to
decide from) refused at start; with the domain's SIDs it is suite
46-domain's. Self-contained
(its own account file in a temp dir), so the mutants in
tests/mutation/mutants.txt can run it alone.

Usage: checks.py [BUILD_DIR]   (default: build). Prints ok/FAIL lines and
"checks: N passed, N failed"; exits non-zero on a failure.
"""
import base64
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
NA = os.path.join(BUILD, "tools", "ntlm_auth")
NTLM = os.path.join(BUILD, "tools", "ntlm")
USER, PASSWORD, DOMAIN = "carol", "Checks-Passw0rd", "DOM"
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def der(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([tag, n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([tag, 0x80 | len(size)]) + size
    return head + content


def resp(state=None, token=None, mic=None):
    """A NegTokenResp, written here independently of the codec under test."""
    body = b""
    if state is not None:
        body += der(0xA0, der(0x0A, bytes([state])))
    if token is not None:
        body += der(0xA2, der(0x04, token))
    if mic is not None:
        body += der(0xA3, der(0x04, mic))
    return der(0xA1, der(0x30, body))


def split_resp(tok):
    """(token, mic) of a NegTokenResp: [2] and [3] found by walking the DER."""
    def walk(b):
        out, i = [], 0
        while i < len(b):
            tag, n = b[i], b[i + 1]
            i += 2
            if n & 0x80:
                k = n & 0x7F
                n = int.from_bytes(b[i:i + k], "big")
                i += k
            out.append((tag, b[i:i + n]))
            i += n
        return out
    seq = walk(walk(tok)[0][1])[0][1]
    fields = dict(walk(seq))
    inner = lambda t: walk(fields[t])[0][1] if t in fields else None  # noqa: E731
    return inner(0xA2), inner(0xA3)


def b64(b):
    return base64.b64encode(b).decode()


def unb64(s):
    return base64.b64decode(s)


with tempfile.TemporaryDirectory() as tmp:
    accounts = os.path.join(tmp, "accounts")
    conf = os.path.join(tmp, "empty.conf")
    open(conf, "w").close()
    os.environ["NTLMSSP_CONF"] = conf
    subprocess.run([NTLM, "passwd", "--account-file", accounts, "--password-on-command-line",
                    PASSWORD, "add", USER], check=True, stdout=subprocess.DEVNULL)
    server_argv = [NA, "--helper-protocol=gss-spnego", "--account-file=" + accounts]
    client_argv = [NA, "--helper-protocol=gss-spnego-client", "--username=" + USER,
                   "--domain=" + DOMAIN, "--password=" + PASSWORD]

    def first_legs():
        """A client and a server up to the client's AUTHENTICATE (with its mechListMIC)."""
        c, s = LineProc(client_argv), LineProc(server_argv)
        c.send("YR")
        s.send("YR " + c.recv().split()[1])
        tt = s.recv().split()[1]
        c.send("TT " + tt)
        kk = unb64(c.recv().split()[1])
        return c, s, kk

    # the client's mechListMIC, tampered with or left out: refused
    c, s, kk = first_legs()
    auth, mic = split_resp(kk)
    check("our client sends a mechListMIC (16 bytes)", mic is not None and len(mic) == 16, mic)
    s.send("KK " + b64(resp(token=auth, mic=mic[:-1] + bytes([mic[-1] ^ 1]))))
    r = s.recv()
    check("server: a wrong client mechListMIC -> NA", r == "NA * NT_STATUS_ACCESS_DENIED", r)
    c, s, kk = first_legs()
    auth, mic = split_resp(kk)
    s.send("KK " + b64(resp(token=auth)))
    r = s.recv()
    check("server: no mechListMIC although the AUTHENTICATE has a MIC -> NA",
          r == "NA * NT_STATUS_ACCESS_DENIED", r)
    c, s, kk = first_legs()
    s.send("KK " + b64(kk))
    af = s.recv().split()
    check("server: the right mechListMIC -> AF with the server's own",
          af[0] == "AF" and af[2] == "%s\\%s" % (os.uname().nodename.split(".")[0].upper(), USER)
          and split_resp(unb64(af[1]))[1] is not None, af)
    # the server's mechListMIC, tampered with: our client refuses it
    _, smic = split_resp(unb64(af[1]))
    c.send("TT " + b64(resp(state=0, mic=smic[:-1] + bytes([smic[-1] ^ 1]))))
    r = c.recv()
    check("client: a wrong server mechListMIC -> BH", r.startswith("BH "), r)
    c, s, kk = first_legs()
    s.send("KK " + b64(kk))
    af = s.recv().split()
    c.send("TT " + af[1])
    r = c.recv()
    check("client: the right server mechListMIC -> AF", r == "AF", r)

    # Squid's channel IDs: two handshakes interleaved on one gss-spnego helper, each echoed
    s = LineProc(server_argv)
    c1, c2 = LineProc(client_argv), LineProc(client_argv[:-1] + ["--password=wrong"])
    c1.send("YR")
    c2.send("YR")
    s.send("1 YR " + c1.recv().split()[1])
    t1 = s.recv().split()
    s.send("2 YR " + c2.recv().split()[1])
    t2 = s.recv().split()
    c2.send("TT " + t2[2])
    c1.send("TT " + t1[2])
    s.send("2 KK " + c2.recv().split()[1])
    r2 = s.recv()
    s.send("1 KK " + c1.recv().split()[1])
    r1 = s.recv().split()
    check("gss-spnego: channels 1 and 2 interleaved, each its own handshake",
          t1[:2] == ["1", "TT"] and t2[:2] == ["2", "TT"] and r2 == "2 NA * NT_STATUS_LOGON_FAILURE"
          and r1[:2] == ["1", "AF"] and r1[3].endswith("\\" + USER), (t1[:2], t2[:2], r2, r1))

    # --require-membership-of: an account file cannot answer it, so the helper does not run
    for proto in ("squid-2.5-ntlmssp", "gss-spnego", "squid-2.5-basic", "ntlm-server-1"):
        p = subprocess.run([NA, "--helper-protocol=" + proto, "--account-file=" + accounts,
                            "--require-membership-of=S-1-5-32-544"], input="%s %s\n" % (USER, PASSWORD),
                           capture_output=True, text=True, timeout=20)
        check("--require-membership-of refused by %s (exit 1, no answer)" % proto,
              p.returncode == 1 and p.stdout == "" and "group membership" in p.stderr,
              (p.returncode, p.stdout, p.stderr))

print("checks: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
