#!/usr/bin/python3
"""Differential tests: our ntlm_auth against Samba's own, on the same scripted
dialogues, comparing what is deterministic (answer codes, user names, the NA
and BH texts for a wrong password, an unknown user and bad input).

Run by tests/suites/36-ntlm-auth.sh in the environment that reaches the
suite's winbindd (Samba's helper needs it for every server mode). Ours runs
twice where the store matters: over the same winbindd (--winbind: the very
same accounts, so even "DOMAIN\\user" must match) and over an smbpasswd file
(our default store, which names the server as the domain: that part is
compared without the domain).

Usage: difftest.py OURS SAMBA_CONF ACCOUNT_FILE USER PASSWORD DOMAIN
Prints "ok   NAME" / "FAIL NAME: detail" lines.
"""
import base64
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402

OURS, CONF, ACCOUNTS, USER, PASSWORD, DOMAIN = sys.argv[1:7]
SAMBA = "/usr/bin/ntlm_auth"
WRONG = "Wrong-Passw0rd?"
UNKNOWN = "nosuchuser"
failed = 0


def check(name, cond, detail=""):
    global failed
    if cond:
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def samba(proto, *extra):
    return [SAMBA, "--helper-protocol=" + proto, "--configfile=" + CONF] + list(extra)


def ours(proto, *extra, store="winbind"):
    s = ["--winbind"] if store == "winbind" else ["--account-file=" + ACCOUNTS]
    return [OURS, "--helper-protocol=" + proto] + s + list(extra)


def client_args(user, password):
    a = ["--username=" + user, "--domain=" + DOMAIN]
    return a + (["--password=" + password] if password is not None else [])


class Helper:
    def __init__(self, argv):
        self.p = LineProc(argv)

    def ask(self, line):
        self.p.send(line)
        return self.p.recv()

    def close(self):
        try:
            self.p.p.stdin.close()
        except OSError:
            pass
        self.p.p.wait(timeout=10)


def handshake(client_argv, server_argv, client_yr="YR", after=()):
    """A client helper against a server helper (squid-2.5-ntlmssp or gss-spnego):
    the server's answers, in order."""
    c, s = Helper(client_argv), Helper(server_argv)
    out = []
    r = c.ask(client_yr)
    verb = "YR"
    for _ in range(4):
        w = r.split()
        if len(w) < 2 or w[0] not in ("YR", "KK", "AF"):
            out.append("client: " + r)
            break
        a = s.ask(verb + " " + w[1])
        out.append(a)
        aw = a.split()
        if aw[0] != "TT":
            break
        r = c.ask("TT " + aw[1])
        verb = "KK"
    out += [s.ask(q) for q in after]
    c.close()
    s.close()
    return out


def shape(line):
    """The deterministic part of an answer: base64 tokens become <tok>."""
    return re.sub(r"\b[A-Za-z0-9+/]{16,}={0,2}", "<tok>", line)


def no_domain(line):
    return re.sub(r"[^ \\]+\\", "", line)


def lines(argv, inputs):
    h = Helper(argv)
    out = [h.ask(i) for i in inputs]
    h.close()
    return out


# --------------------------------------------------------------- squid-2.5-ntlmssp
sclient = samba("ntlmssp-client-1")
for case, user, pw in (("right password", USER, PASSWORD), ("wrong password", USER, WRONG),
                       ("unknown user", UNKNOWN, PASSWORD)):
    want = handshake(sclient + client_args(user, pw), samba("squid-2.5-ntlmssp"), after=("GK",))
    got = handshake(sclient + client_args(user, pw), ours("squid-2.5-ntlmssp"), after=("GK",))
    check("squid-2.5-ntlmssp %s (same winbindd): %s" % (case, " | ".join(map(shape, want))),
          list(map(shape, got)) == list(map(shape, want)), (got, want))
    got = handshake(sclient + client_args(user, pw), ours("squid-2.5-ntlmssp", store="file"),
                    after=("GK",))
    check("squid-2.5-ntlmssp %s (smbpasswd file)" % case,
          [no_domain(shape(x)) for x in got] == [no_domain(shape(x)) for x in want], (got, want))

bad_input = ["XX", "KK", "KK abc", "YR !!!", "OK", "yr", "YR a b", "GK",
             "KK TlRMTVNTUAADAAAA", "YR TlRMTVNTUAACAAAA", "SF NTLMSSP_FEATURE_SEAL", "PW abc"]
want = lines(samba("squid-2.5-ntlmssp"), bad_input)
got = lines(ours("squid-2.5-ntlmssp"), bad_input)
for i, line in enumerate(bad_input):
    check("squid-2.5-ntlmssp bad input %r -> %s" % (line, want[i]), got[i] == want[i], got[i])

# --------------------------------------------------------------- ntlmssp-client-1
pw64 = base64.b64encode(PASSWORD.encode()).decode()
script = ["GK", "SF NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL", "PW " + pw64, "OK", "XX", "TT",
          "PW", "YR"]
want = [shape(x) for x in lines(sclient + client_args(USER, None), script)]
got = [shape(x) for x in lines([OURS, "--helper-protocol=ntlmssp-client-1"]
                               + client_args(USER, None), script)]
for i, line in enumerate(script):
    check("ntlmssp-client-1 %r -> %s" % (line[:20], want[i]), got[i] == want[i], got[i])
oclient = [OURS, "--helper-protocol=ntlmssp-client-1"]
for server, label in ((samba("squid-2.5-ntlmssp"), "Samba's server"),
                      (ours("squid-2.5-ntlmssp"), "our server")):
    want = handshake(sclient + client_args(USER, PASSWORD), server, after=("GF",))
    got = handshake(oclient + client_args(USER, PASSWORD), server, after=("GF",))
    check("ntlmssp-client-1 against %s: %s" % (label, " | ".join(map(shape, got))),
          [x.split()[0] for x in got] == [x.split()[0] for x in want] and got[1] == want[1],
          (got, want))
# no password yet: TT is answered PW, as Samba's does
c = Helper(oclient + client_args(USER, None))
s = Helper(ours("squid-2.5-ntlmssp"))
tt = s.ask(c.ask("YR"))
r = c.ask("TT " + tt.split()[1])
ok = c.ask("PW " + pw64)
af = c.ask("TT " + tt.split()[1])
check("ntlmssp-client-1: TT without a password -> PW, then PW -> OK and TT -> AF",
      r == "PW" and ok == "OK" and af.startswith("AF ") and
      s.ask("KK " + af.split()[1]) == "AF %s\\%s" % (DOMAIN, USER), (r, ok, af[:20]))
c.close()
s.close()

# --------------------------------------------------------------- gss-spnego
sspn = samba("gss-spnego-client")
for case, user, pw in (("right password", USER, PASSWORD), ("wrong password", USER, WRONG),
                       ("unknown user", UNKNOWN, PASSWORD)):
    want = handshake(sspn + client_args(user, pw), samba("gss-spnego"), after=("GK",))
    got = handshake(sspn + client_args(user, pw), ours("gss-spnego"), after=("GK",))
    # the last token and user exactly (Samba's client sends no mechListMIC: ours sends none back)
    check("gss-spnego (SPNEGO) %s: %s" % (case, " | ".join(map(shape, want))),
          list(map(shape, got)) == list(map(shape, want)) and got[1:2] == want[1:2], (got, want))
    want = handshake(sclient + client_args(user, pw), samba("gss-spnego"))
    got = handshake(sclient + client_args(user, pw), ours("gss-spnego"))
    check("gss-spnego (raw NTLMSSP) %s: %s" % (case, " | ".join(map(shape, want))),
          list(map(shape, got)) == list(map(shape, want)), (got, want))
bad_input = ["XX", "KK abc", "KK", "GK", "YR a b"]
want = lines(samba("gss-spnego"), bad_input)
got = lines(ours("gss-spnego"), bad_input)
for i, line in enumerate(bad_input):
    check("gss-spnego bad input %r -> %s" % (line, want[i]), got[i] == want[i], got[i])

# --------------------------------------------------------------- gss-spnego-client
ospn = [OURS, "--helper-protocol=gss-spnego-client"]
for server, label in ((samba("gss-spnego"), "Samba's server"), (ours("gss-spnego"), "our server")):
    got = handshake(ospn + client_args(USER, PASSWORD), server)
    check("gss-spnego-client against %s (mechListMIC both ways): %s"
          % (label, " | ".join(map(shape, got))),
          len(got) == 2 and got[1].startswith("AF ") and got[1].endswith("%s\\%s" % (DOMAIN, USER)),
          got)
    got = handshake(ospn + client_args(USER, WRONG), server)
    check("gss-spnego-client against %s, wrong password -> NA" % label,
          got[-1] == "NA * NT_STATUS_LOGON_FAILURE", got)
want = lines(sspn + ["--username=" + USER], ["YR"])
got = lines(ospn + ["--username=" + USER], ["YR"])
check("gss-spnego-client without a password: YR -> PW", got == want, (got, want))

# --------------------------------------------------------------- squid-2.5-basic
q = lambda s: "".join(c if c.isalnum() else "%%%02X" % ord(c) for c in s)  # noqa: E731
basic = ["%s %s" % (USER, q(PASSWORD)), "%s %s" % (USER, q(WRONG)), "%s %s" % (UNKNOWN, q(PASSWORD)),
         "%s%%5C%s %s" % (DOMAIN, USER, q(PASSWORD)), USER]
for store in ("winbind", "file"):
    want = lines(samba("squid-2.5-basic"), basic)
    got = lines(ours("squid-2.5-basic", store=store), basic)
    check("squid-2.5-basic (%s): %s" % (store, " ".join(want)), got == want, got)

# --------------------------------------------------------------- ntlm-server-1
def kv(argv, reqs):
    """Each request's answer lines up to its '.'."""
    h = Helper(argv)
    out = []
    for req in reqs:
        for line in req:
            h.p.send(line)
        ans = []
        while True:
            r = h.p.recv()
            ans.append(r)
            if r in (".", "EOF", "TIMEOUT"):
                break
        out.append(ans)
    h.close()
    return out


chal = "0102030405060708"
v2 = "00" * 16 + "0101000000000000" + "00" * 8 + "11" * 8 + "00" * 8
server_reqs = [
    ["Username: " + USER, "NT-Domain: " + DOMAIN, "Password: " + PASSWORD, "."],
    ["Username: " + USER, "NT-Domain: " + DOMAIN, "Password: " + WRONG, "."],
    ["Username:: " + base64.b64encode(USER.encode()).decode(), "NT-Domain: " + DOMAIN,
     "Password:: " + pw64, "."],
    ["Bogus: x"],
    ["."],
    ["Username x"],
    ["Username: " + USER, "NT-Domain: " + DOMAIN, "LANMAN-Challenge: " + chal,
     "NT-Response: " + v2, "."],
]
want = kv(samba("ntlm-server-1"), server_reqs)
got = kv(ours("ntlm-server-1"), server_reqs)
for i, req in enumerate(server_reqs):
    check("ntlm-server-1 %r -> %s" % (req[-2 if len(req) > 1 else 0][:24], " / ".join(want[i])),
          got[i] == want[i], got[i])

# --------------------------------------------------------------- ntlm-change-password-1
change_reqs = [["."], ["Bogus: 1"], ["Username: x", "."]]
want = kv(samba("ntlm-change-password-1"), change_reqs)
got = kv(ours("ntlm-change-password-1"), change_reqs)
for i, req in enumerate(change_reqs):
    check("ntlm-change-password-1 %r -> %s" % (req[0], " / ".join(want[i])), got[i] == want[i],
          got[i])

print("difftest: %d failed" % failed)
sys.exit(1 if failed else 0)
