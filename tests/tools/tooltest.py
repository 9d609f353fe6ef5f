#!/usr/bin/python3
"""Tests of the `ntlm` command, driven through pipes.

Covers: helper mode (client <-> server relayed line by line, session
security both ways, tampering, policy switches, credential sources, bad
input), decode (every message type, text and JSON, malformed input naming
the field and offset, mutation robustness), hash, passwd (every action,
concurrent adds), and the squid-helper protocol without Squid (channels,
replay, errors). Prints one line per check and "tool: N passed, N failed".

Usage: tooltest.py PATH/TO/ntlm
"""
import base64
import json
import os
import random
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402

NTLM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/tools/ntlm")
TIMEOUT = 15
WORK = tempfile.mkdtemp(prefix="ntlm-tool-")
ACCOUNTS = os.path.join(WORK, "accounts")
PASSED = 0
FAILED = 0
STARTED = []


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok   " + name)
    else:
        FAILED += 1
        print("FAIL %s%s" % (name, (": " + str(detail)[:400]) if detail else ""))
    sys.stdout.flush()
    return ok


def b64(data):
    return base64.b64encode(bytes(data)).decode()


def unb64(s):
    return base64.b64decode(s)


def run(args, stdin="", env=None, timeout=TIMEOUT):
    """Runs ntlm ARGS to completion: (returncode, stdout, stderr)."""
    p = subprocess.run([NTLM] + args, input=stdin, capture_output=True, text=True,
                       env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def no_crash(rc):
    """Exit statuses of a controlled end: never a signal (negative) or an abort."""
    return rc in (0, 1, 2)


class Proc(LineProc):
    """An `ntlm` subcommand with line-at-a-time I/O and a timeout on reads."""

    def __init__(self, args, env=None):
        self.args = args
        super().__init__([NTLM] + args, env)
        STARTED.append(self.p)

    def cmd(self, line):
        self.send(line)
        return self.recv()

    def close(self):
        try:
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            return self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def handshake(client_args, server_args, cenv=None, senv=None):
    """Relays TOKEN lines between a client and a server helper. Returns
    (client, server, client_final, server_final, tokens) where the finals are
    the DONE/FAIL lines and tokens the messages in order."""
    c = Proc(["client"] + client_args, env=cenv)
    s = Proc(["server"] + server_args, env=senv)
    tokens = []
    cfin = sfin = None
    datagram = "--datagram" in server_args
    src, dst = (s, c) if datagram else (c, s)
    for _ in range(8):
        line = src.recv()
        if line.startswith("TOKEN "):
            tokens.append(unb64(line[6:]))
            dst.send(line)
            # the client's last token comes with its DONE
            if src is c and len(tokens) >= 2:
                cfin = c.recv()
            src, dst = dst, src
            continue
        if src is c:
            cfin = line
        else:
            sfin = line
        break
    if cfin is None:
        cfin = c.recv(timeout=2) if datagram else cfin
    if sfin is None:
        sfin = s.recv()
    return c, s, cfin or "", sfin or "", tokens


def done_fields(line):
    return dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)


def stop(*procs):
    for p in procs:
        p.send("QUIT")
        p.close()


def add_account(user, password, extra=()):
    return run(["passwd", "--account-file", ACCOUNTS, "--password-on-command-line", password]
               + list(extra) + ["add", user])


SERVER = ["--account-file", ACCOUNTS, "--computer-name", "SRV"]


def client_args(user="alice", password="Alice-Pass1", *extra):
    return ["--user", user, "--domain", "TESTDOM", "--password", password,
            "--workstation", "WS1"] + list(extra)


# ---------------------------------------------------------------- dispatcher

def test_dispatcher():
    rc, out, _ = run(["--help"])
    check("ntlm --help", rc == 0 and "squid-helper" in out and "decode" in out, out)
    for sub in ("client", "server", "decode", "hash", "passwd", "squid-helper"):
        rc, out, _ = run([sub, "--help"])
        check("ntlm %s --help" % sub, rc == 0 and out.startswith("usage: ntlm " + sub), out[:100])
    rc, out, _ = run(["help", "passwd"])
    check("ntlm help passwd", rc == 0 and "usage: ntlm passwd" in out)
    rc, _, err = run(["frobnicate"])
    check("unknown command: exit 2", rc == 2 and "unknown command" in err, err)
    rc, _, err = run(["client", "--no-such-option"])
    check("unknown option: exit 2", rc == 2 and "--no-such-option" in err, err)
    rc, _, err = run(["server", "--account-file"])
    check("missing option argument: exit 2", rc == 2 and "needs an argument" in err, err)
    rc, out, _ = run(["--version"])
    check("ntlm --version", rc == 0 and re.match(r"ntlm \(libntlmssp\) \d", out), out)


# ---------------------------------------------------------------- hash, passwd

def nt_hash_of(line):
    rc, out, err = run(["hash"], stdin=line)
    return rc, out.strip(), err


def test_hash():
    rc, h, err = nt_hash_of("Password\n")
    check("hash of Password", rc == 0 and h == "a4f49c406510bdcab6824ee7c30fd852", (h, err))
    rc, h, _ = nt_hash_of("Password\r\n")
    check("hash: CRLF line end", h == "a4f49c406510bdcab6824ee7c30fd852", h)
    rc, h, _ = nt_hash_of("Password")
    check("hash: last line without newline", h == "a4f49c406510bdcab6824ee7c30fd852", h)
    rc, _, err = nt_hash_of("")
    check("hash: no input -> exit 1", rc == 1 and "no password" in err, err)
    rc, _, err = run(["hash", "Password"])
    check("hash: password argument refused", rc == 2, err)


def account_line(user, path=ACCOUNTS):
    with open(path) as f:
        for line in f:
            if line.split(":")[0].lower() == user.lower():
                return line.strip()
    return None


def test_passwd():
    rc, out, err = add_account("alice", "Alice-Pass1")
    line = account_line("alice")
    check("passwd add", rc == 0 and line is not None and "[U" in line, (rc, err, line))
    mode = stat.S_IMODE(os.stat(ACCOUNTS).st_mode)
    check("passwd: file mode 0600", mode == 0o600, oct(mode))
    nt = nt_hash_of("Alice-Pass1\n")[1].upper()
    check("passwd add stores the NT hash", line and line.split(":")[3] == nt, line)
    check("passwd add stores no LM hash", line and line.split(":")[2] == "X" * 32, line)
    rc, _, err = add_account("alice", "x")
    check("passwd add: duplicate refused", rc == 1 and "already exists" in err, err)

    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "--stdin", "add", "bob"],
                     stdin="Bob-Pass1\n")
    check("passwd add --stdin", rc == 0 and account_line("bob"), err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "add", "carl"], stdin="Carl-Pass1\n")
    check("passwd add: password from a non-tty stdin", rc == 0 and account_line("carl"), err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "add", "dave"], stdin="")
    check("passwd add: no password -> exit 1", rc == 1 and account_line("dave") is None, err)

    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "disable", "bob"])
    check("passwd disable", rc == 0 and "D" in account_line("bob").split(":")[4], account_line("bob"))
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "enable", "bob"])
    check("passwd enable", rc == 0 and "D" not in account_line("bob").split(":")[4],
          account_line("bob"))
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "--stdin", "set", "bob"],
                     stdin="Bob-Pass2\n")
    nt2 = nt_hash_of("Bob-Pass2\n")[1].upper()
    check("passwd set (new password)", rc == 0 and account_line("bob").split(":")[3] == nt2,
          (err, account_line("bob")))
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "delete", "carl"])
    check("passwd delete", rc == 0 and account_line("carl") is None, err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "delete", "carl"])
    check("passwd delete: missing account -> exit 1", rc == 1 and "no account" in err, err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "enable", "nobody-here"])
    check("passwd enable: missing account -> exit 1", rc == 1, err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "frob", "bob"])
    check("passwd: unknown action -> exit 2", rc == 2, err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "--password-on-command-line", "x",
                      "delete", "bob"])
    check("passwd: delete takes no password", rc == 2 and account_line("bob"), err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "--password-on-command-line",
                      "x", "add", "bad:name"])
    check("passwd: invalid name refused", rc == 2, err)
    rc, _, err = run(["passwd", "add", "eve"], stdin="x\n", env=dict(os.environ, NTLM_ACCOUNT_FILE=""))
    check("passwd: no account file -> exit 2", rc == 2, err)
    rc, _, err = run(["passwd", "--account-file", ACCOUNTS, "--with-lm-hash",
                      "--password-on-command-line", "LmPass12", "add", "lmuser"])
    line = account_line("lmuser")
    check("passwd --with-lm-hash stores an LM hash", rc == 0 and line.split(":")[2] != "X" * 32,
          line)

    # concurrent adds: each one is a locked read-modify-write, none may be lost
    path = os.path.join(WORK, "concurrent")
    procs = [subprocess.Popen([NTLM, "passwd", "--account-file", path,
                               "--password-on-command-line", "Pw-%d" % i, "add", "user%02d" % i],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(40)]
    codes = [p.wait(timeout=60) for p in procs]
    with open(path) as f:
        names = sorted(line.split(":")[0] for line in f if line.strip())
    check("40 concurrent passwd adds lose nothing",
          codes == [0] * 40 and names == ["user%02d" % i for i in range(40)],
          (codes, len(names)))


# ---------------------------------------------------------------- helper mode

def session_checks(c, s, label, datagram=False):
    msgs = [b"hello server", b"\x00\x01binary\xff" * 20, b"x"]
    ok = True
    for i, m in enumerate(msgs):
        for src, dst, d in ((c, s, "client->server"), (s, c, "server->client")):
            r = src.cmd("SEAL " + b64(m))
            parts = r.split()
            if len(parts) != 3 or parts[0] != "SEALED" or unb64(parts[1]) == m or len(unb64(parts[2])) != 16:
                return check("%s: seal %s" % (label, d), False, r)
            r2 = dst.cmd("UNSEAL %s %s" % (parts[1], parts[2]))
            ok &= r2 == "PLAIN " + b64(m)
            if not ok:
                return check("%s: unseal %s" % (label, d), False, r2)
            r = src.cmd("SIGN " + b64(m))
            r2 = dst.cmd("VERIFY %s %s" % (b64(m), r.split()[1]))
            if r2 != "OK":
                return check("%s: sign/verify %s" % (label, d), False, (r, r2))
    check("%s: seal/unseal and sign/verify both ways, %d messages" % (label, len(msgs)), ok)

    r = c.cmd("SEAL " + b64(b"tamper me"))
    data = bytearray(unb64(r.split()[1]))
    data[0] ^= 1
    r2 = s.cmd("UNSEAL %s %s" % (b64(data), r.split()[2]))
    check("%s: tampered sealed data -> ERR" % label, r2.startswith("ERR NTLM_E_BAD_MAC"), r2)
    # a failure consumes nothing: the genuine message still unseals
    r2 = s.cmd("UNSEAL %s %s" % (r.split()[1], r.split()[2]))
    check("%s: after a failed UNSEAL the genuine one unseals" % label,
          r2 == "PLAIN " + b64(b"tamper me"), r2)
    r = c.cmd("SIGN " + b64(b"signed"))
    sig = bytearray(unb64(r.split()[1]))
    sig[10] ^= 0x80
    r2 = s.cmd("VERIFY %s %s" % (b64(b"signed"), b64(sig)))
    check("%s: tampered signature -> BAD" % label, r2.startswith("BAD "), r2)
    r2 = s.cmd("VERIFY %s %s" % (b64(b"signed!"), r.split()[1]))
    check("%s: tampered signed message -> BAD" % label, r2.startswith("BAD "), r2)
    r2 = s.cmd("VERIFY %s %s" % (b64(b"signed"), r.split()[1]))
    check("%s: after failed VERIFYs the genuine one verifies" % label, r2 == "OK", r2)
    r2 = s.cmd("VERIFY %s %s" % (b64(b"signed"), r.split()[1]))
    check("%s: replayed signature -> BAD" % label, r2.startswith("BAD "), r2)


def test_helper_basic():
    # without --show-session-key the DONE lines do not carry the key (a secret)
    c, s, cfin, sfin, _ = handshake(client_args(), SERVER)
    check("helper: no session key in DONE without --show-session-key",
          cfin.startswith("DONE ") and sfin.startswith("DONE ")
          and "sessionkey" not in cfin + sfin and not re.search(r"[0-9a-f]{32}", cfin + sfin)
          and "kind" in done_fields(sfin) and "flags" in done_fields(cfin), (cfin, sfin))
    stop(c, s)
    c, s, cfin, sfin, tokens = handshake(client_args("alice", "Alice-Pass1", "--show-session-key"),
                                         SERVER + ["--show-session-key"])
    cf, sf = done_fields(cfin), done_fields(sfin)
    check("helper: handshake completes", cfin.startswith("DONE ") and sfin.startswith("DONE "),
          (cfin, sfin, c.err, s.err))
    check("helper: server names the user", sf.get("user") == "SRV\\alice", sfin)
    check("helper: same session key and flags",
          cf.get("sessionkey") and cf.get("sessionkey") == sf.get("sessionkey")
          and re.fullmatch(r"[0-9a-f]{32}", cf["sessionkey"])
          and cf.get("flags") == sf.get("flags") and re.fullmatch(r"0x[0-9a-f]{8}", sf["flags"]),
          (cfin, sfin))
    check("helper: NTLMv2", sf.get("kind") == "NTLMv2", sfin)
    check("helper: three tokens NEGOTIATE, CHALLENGE, AUTHENTICATE",
          [t[8] for t in tokens] == [1, 2, 3] and all(t[:8] == b"NTLMSSP\0" for t in tokens),
          [t[:12] for t in tokens])
    session_checks(c, s, "helper")

    # bad requests after DONE: answered, never fatal
    for line, want in (("FROB x", "ERR syntax: unknown command"),
                       ("TOKEN " + b64(tokens[0]), "ERR state:"),
                       ("SEAL", "ERR syntax: SEAL takes 1 argument"),
                       ("SEAL a b", "ERR syntax: SEAL takes 1 argument, got 2"),
                       ("SEAL !!!!", "ERR base64: argument 1: invalid character"),
                       ("SEAL QUJD", "SEALED "),
                       ("SEAL QUJ", "ERR base64"),
                       ("SEAL QUJDRA", "ERR base64"),
                       ("UNSEAL QUJD QUJD", "ERR syntax: the signature is 3 bytes"),
                       ("VERIFY QUJD", "ERR syntax: VERIFY takes 2 arguments"),
                       ("", "ERR syntax: empty line"),
                       ("seal QUJD", "ERR syntax: unknown command"),
                       ("SIGN QUJD QUJD QUJD QUJD", "ERR syntax: SIGN takes 1 argument, got more"),
                       ("\x01\x02\x1b[31m", "ERR syntax: unknown command")):
        r = c.cmd(line)
        check("helper after DONE: %r -> %s" % (line[:24], want), r.startswith(want), r)
    c.send("SIGN QUJD\x00QUJD")
    check("helper: NUL byte in a line -> ERR", c.recv().startswith("ERR syntax: the line contains a NUL"))
    c.send("SIGN " + "A" * (1024 * 1024 + 10))
    r = c.recv()
    check("helper: over-long line -> ERR", r.startswith("ERR syntax: line longer"), r[:80])
    r = c.cmd("SIGN QUJD")
    check("helper: still serving after bad requests", r.startswith("SIG "), r)
    stop(c, s)
    check("helper: QUIT exits 0", c.p.returncode == 0 and s.p.returncode == 0,
          (c.p.returncode, s.p.returncode))
    return tokens


def expect_fail(label, cargs, sargs, pattern, cenv=None, senv=None):
    c, s, cfin, sfin, tokens = handshake(cargs, sargs, cenv, senv)
    stop(c)
    rc = s.close()
    check(label, sfin.startswith("FAIL ") and re.search(pattern, sfin) and rc == 1,
          (cfin, sfin, rc, s.err))
    return tokens


def expect_done(label, cargs, sargs, want_kind=None, cenv=None, senv=None):
    c, s, cfin, sfin, tokens = handshake(cargs, sargs, cenv, senv)
    ok = cfin.startswith("DONE") and sfin.startswith("DONE")
    if want_kind:
        ok = ok and done_fields(sfin).get("kind") == want_kind
    check(label, ok, (cfin, sfin, c.err, s.err))
    stop(c, s)
    return tokens


def test_helper_policy():
    expect_fail("wrong password -> server FAIL, exit 1", client_args("alice", "nope"), SERVER,
                "NTLM_E_LOGON_FAILURE")
    expect_fail("unknown user -> FAIL, the same status as a wrong password",
                client_args("zed", "x"), SERVER, "NTLM_E_LOGON_FAILURE")
    run(["passwd", "--account-file", ACCOUNTS, "disable", "bob"])
    expect_fail("disabled account -> FAIL", client_args("bob", "Bob-Pass2"), SERVER,
                "NTLM_E_ACCOUNT_DISABLED|NTLM_E_LOGON_FAILURE")
    run(["passwd", "--account-file", ACCOUNTS, "enable", "bob"])
    expect_done("re-enabled account authenticates", client_args("bob", "Bob-Pass2"), SERVER)

    v1 = expect_fail("NTLMv1 refused by default", client_args("alice", "Alice-Pass1", "--ntlmv1"),
                     SERVER, r"NTLM_E_NTLMV1_REFUSED .*\(rule: allowed_responses\)")
    v1 = expect_done("--allow-ntlmv1 accepts NTLMv1-ESS",
                     client_args("alice", "Alice-Pass1", "--ntlmv1"), SERVER + ["--allow-ntlmv1"],
                     "NTLMv1-ESS")
    # lmuser (test_passwd) has an LM hash
    lm_client = client_args("lmuser", "LmPass12", "--responses", "lm", "--min-security", "none")
    c, s, cfin, sfin, _ = handshake(lm_client, SERVER + ["--allow-lm", "--min-security", "none"])
    check("--responses lm against a server allowing LM: an LM-only exchange",
          cfin.startswith("DONE") and done_fields(cfin).get("kind") == "LM"
          and sfin.startswith("DONE") and done_fields(sfin).get("kind") == "LM",
          (cfin, sfin, c.err, s.err))
    if sfin.startswith("DONE"):
        session_checks(c, s, "LM-only exchange")
    stop(c, s)
    expect_fail("--responses lm against the default server: LM refused", lm_client, SERVER,
                "NTLM_E_LM_REFUSED")
    anon = expect_done("anonymous with --allow-anonymous", ["--anonymous"],
                       SERVER + ["--allow-anonymous"], "anonymous")
    expect_fail("anonymous refused by default", ["--anonymous"], SERVER, "NTLM_E_ANONYMOUS_REFUSED")

    cbt = "00112233445566778899aabbccddeeff"
    expect_done("channel bindings match", client_args() + ["--cbt-hash", cbt],
                SERVER + ["--cbt-hash", cbt, "--cbt-policy", "required"])
    expect_fail("channel bindings mismatch", client_args() + ["--cbt-hash", cbt],
                SERVER + ["--cbt-hash", "ff" * 16], "NTLM_E_CBT_MISMATCH")
    expect_fail("channel bindings required but absent", client_args(),
                SERVER + ["--cbt-hash", cbt, "--cbt-policy", "required"], "NTLM_E_CBT_MISSING")
    expect_done("target name accepted", client_args() + ["--target-name", "HTTP/web.test"],
                SERVER + ["--service-name", "HOST/x", "--service-name", "HTTP/web.test",
                          "--require-target-name"])
    expect_fail("target name mismatch", client_args() + ["--target-name", "HTTP/other"],
                SERVER + ["--service-name", "HTTP/web.test", "--require-target-name"],
                "NTLM_E_TARGET_MISMATCH")
    expect_fail("target name required but absent", client_args(),
                SERVER + ["--service-name", "HTTP/web.test", "--require-target-name"],
                "NTLM_E_TARGET_MISSING")
    expect_done("--require-mic with a MIC-sending client", client_args(),
                SERVER + ["--require-mic"])

    conf = os.path.join(WORK, "policy.conf")
    with open(conf, "w") as f:
        f.write("# test policy\nallowed_responses = ntlmv1, ntlmv2\n")
    expect_done("--config: policy file allows NTLMv1",
                client_args("alice", "Alice-Pass1", "--ntlmv1"), SERVER + ["--config", conf],
                "NTLMv1-ESS")
    with open(conf, "w") as f:
        f.write("allowed_responses = ntlmv2\nbogus_key = 1\n")
    rc, _, err = run(["server", "--config", conf] + SERVER)
    check("--config: bad line -> exit 2 naming the line", rc == 2 and "line 2" in err, err)
    rc, _, err = run(["server", "--min-security", "sign,bogus"] + SERVER)
    check("--min-security: bad word -> exit 2", rc == 2 and "bogus" in err, err)
    rc, _, err = run(["server", "--cbt-policy", "sometimes"] + SERVER)
    check("--cbt-policy: bad value -> exit 2", rc == 2, err)
    rc, _, err = run(["server", "--require-target-name"] + SERVER)
    check("--require-target-name without --service-name: exit 2 naming both",
          rc == 2 and "require_target_name" in err and "service_names" in err, err)
    rc, _, err = run(["server", "--cbt-policy", "required", "--responses", "ntlmv1"] + SERVER)
    check("--cbt-policy required with --responses ntlmv1: exit 2 naming both",
          rc == 2 and "channel_bindings" in err and "allowed_responses" in err, err)
    rc, _, err = run(["client", "--user", "a", "--password", "b", "--cbt-hash", "12"])
    check("--cbt-hash: bad hex -> exit 2", rc == 2, err)
    expect_fail("--min-security seal refuses a client that does not seal",
                client_args() + ["--flags", "0x00088207"], SERVER + ["--min-security", "seal"],
                r"NTLM_E_FLAGS_POLICY .*\(rule: min_security: seal\)")

    log = os.path.join(WORK, "audit.log")
    expect_done("--audit-log", client_args(), SERVER + ["--audit-log", log])
    expect_fail("--audit-log records failures", client_args("alice", "bad"),
                SERVER + ["--audit-log", log], "LOGON_FAILURE")
    try:
        with open(log) as f:
            recs = [json.loads(line) for line in f]
        check("audit log: one JSON line per authentication",
              len(recs) == 2 and recs[0]["result"] == "success" and recs[1]["result"] == "failure"
              and recs[0]["user"] == "alice", recs)
    except (OSError, ValueError, KeyError) as e:
        check("audit log: one JSON line per authentication", False, e)
    return v1, anon


def test_helper_credentials():
    pwfile = os.path.join(WORK, "pw")
    with open(pwfile, "w") as f:
        f.write("Alice-Pass1\nsecond line ignored\n")
    expect_done("--password-file", ["--user", "alice", "--password-file", pwfile], SERVER)
    nt = nt_hash_of("Alice-Pass1\n")[1]
    expect_done("--nt-hash", ["--user", "alice", "--nt-hash", nt], SERVER)
    cred = os.path.join(WORK, "creds")
    with open(cred, "w") as f:
        f.write("# gss-ntlmssp format\nOTHER:zed:nope\nTESTDOM:alice:Alice-Pass1\n")
    expect_done("--cred-file picks the named user", ["--cred-file", cred, "--user", "alice"], SERVER)
    env = dict(os.environ, NTLM_USER="alice", NTLM_DOMAIN="TESTDOM", NTLM_PASSWORD="Alice-Pass1")
    expect_done("NTLM_USER / NTLM_PASSWORD environment", [], SERVER, cenv=env)
    env = dict(os.environ, NTLM_USER_FILE=cred, NTLM_USER="alice")
    env.pop("NTLM_PASSWORD", None)
    expect_done("NTLM_USER_FILE environment", [], SERVER, cenv=env)
    senv = dict(os.environ, NTLM_ACCOUNT_FILE=ACCOUNTS)
    expect_done("NTLM_ACCOUNT_FILE environment (server)", client_args(), [], senv=senv)
    env = dict(os.environ)
    for k in ("NTLM_USER", "NTLM_PASSWORD", "NTLM_USER_FILE"):
        env.pop(k, None)
    rc, _, err = run(["client"], env=env)
    check("client without credentials -> exit 2", rc == 2 and "no credentials" in err, err)
    rc, _, err = run(["client", "--user", "a", "--password", "b", "--nt-hash", "00" * 16])
    check("client: two secrets -> exit 2", rc == 2, err)
    rc, _, err = run(["server", "--account-file", os.path.join(WORK, "missing")])
    check("server: unreadable account file -> exit 1", rc == 1 and "missing" in err, err)
    env = dict(os.environ)
    env.pop("NTLM_ACCOUNT_FILE", None)
    rc, _, err = run(["server"], env=env)
    check("server: no account file -> exit 2", rc == 2, err)


def test_helper_datagram():
    c, s, cfin, sfin, tokens = handshake(client_args() + ["--datagram"], SERVER + ["--datagram"])
    ok = cfin.startswith("DONE") and sfin.startswith("DONE")
    check("datagram: server speaks first, handshake completes",
          ok and [t[8] for t in tokens] == [2, 3], (cfin, sfin, [t[8:12] for t in tokens]))
    if ok:
        flags = int(done_fields(sfin)["flags"], 16)
        check("datagram: NEGOTIATE_DATAGRAM negotiated", flags & 0x40, hex(flags))
        session_checks(c, s, "datagram", datagram=True)
    stop(c, s)


def test_helper_bad_input(tokens):
    neg, chal, auth = tokens[:3]
    cases = [
        ("garbage line", "hello there"),
        ("lower-case command", "token " + b64(neg)),
        ("bad base64", "TOKEN ***"),
        ("missing token", "TOKEN"),
        ("truncated NEGOTIATE", "TOKEN " + b64(neg[:14])),
        ("not NTLMSSP", "TOKEN " + b64(b"GET / HTTP/1.1\r\n")),
        ("AUTHENTICATE first (wrong order)", "TOKEN " + b64(auth)),
        ("CHALLENGE to a server", "TOKEN " + b64(chal)),
        ("SEAL before the handshake", "SEAL QUJD"),
        ("empty line", ""),
    ]
    for label, line in cases:
        s = Proc(["server"] + SERVER)
        r = s.cmd(line)
        rc = s.close()
        check("server handshake, %s -> FAIL, exit 1" % label, r.startswith("FAIL ") and rc == 1,
              (r, rc, s.err))
    # truncated AUTHENTICATE after a good NEGOTIATE
    s = Proc(["server"] + SERVER)
    r1 = s.cmd("TOKEN " + b64(neg))
    r = s.cmd("TOKEN " + b64(auth[:70]))
    rc = s.close()
    check("server: truncated AUTHENTICATE -> FAIL", r1.startswith("TOKEN ") and r.startswith("FAIL ")
          and rc == 1, (r, rc))
    s = Proc(["server"] + SERVER)
    s.cmd("TOKEN " + b64(neg))
    rc = s.close()
    check("server: input ends mid-handshake -> exit 1", rc == 1, rc)

    # the client answers ERR and keeps waiting for a usable CHALLENGE
    c = Proc(["client"] + client_args())
    c.recv()
    errs = [c.cmd(x) for x in ("nonsense", "SIGN QUJD", "TOKEN !!", "TOKEN")]
    check("client handshake: bad lines -> ERR, no exit",
          all(e.startswith("ERR ") for e in errs), errs)
    r = c.cmd("TOKEN " + b64(chal[:30]))
    rc = c.close()
    check("client: truncated CHALLENGE -> FAIL, exit 1", r.startswith("FAIL ") and rc == 1, (r, rc))

    # random tokens and mutations of real ones: answers, never a crash
    rnd = random.Random(1234)
    crashes = []
    for i in range(40):
        s = Proc(["server"] + SERVER)
        if i % 2:
            s.cmd("TOKEN " + b64(neg))
            m = bytearray(auth)
        else:
            m = bytearray(neg if i % 4 else os.urandom(rnd.randrange(1, 80)))
        for _ in range(rnd.randrange(1, 6)):
            m[rnd.randrange(len(m))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            m = m[:rnd.randrange(len(m))] or m
        r = s.cmd("TOKEN " + b64(m))
        rc = s.close()
        if not (r.startswith(("FAIL ", "TOKEN ", "DONE ")) and no_crash(rc)):
            crashes.append((bytes(m).hex(), r, rc))
    check("server: 40 mutated tokens answered without a crash", not crashes, crashes[:2])


# ---------------------------------------------------------------- decode

def decode(args, stdin=""):
    return run(["decode"] + args, stdin=stdin)


def decode_json(msg):
    rc, out, err = decode(["--json", b64(msg)])
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, out + err


def valid_json_tool(text):
    p = subprocess.run([sys.executable, "-m", "json.tool"], input=text, capture_output=True, text=True)
    return p.returncode == 0


def lm_only_authenticate():
    """An AUTHENTICATE carrying only a 24-byte LM response (no client of ours sends one)."""
    user = "alice".encode("utf-16-le")
    lm = bytes(range(24))
    off = 64
    fields = [(lm, off)]
    payload = lm + user
    hdr = b"NTLMSSP\0" + struct.pack("<I", 3)
    hdr += struct.pack("<HHI", 24, 24, off)                  # LM
    hdr += struct.pack("<HHI", 0, 0, off)                    # NT
    hdr += struct.pack("<HHI", 0, 0, off)                    # domain
    hdr += struct.pack("<HHI", len(user), len(user), off + 24)
    hdr += struct.pack("<HHI", 0, 0, off)                    # workstation
    hdr += struct.pack("<HHI", 0, 0, off)                    # session key
    hdr += struct.pack("<I", 0x00000201)                     # UNICODE | NTLM
    assert len(hdr) == off and fields
    return hdr + payload


def test_decode(tokens, v1_tokens, anon_tokens):
    neg, chal, auth = tokens[:3]
    want = {1: "NEGOTIATE", 2: "CHALLENGE", 3: "AUTHENTICATE"}
    for msg in (neg, chal, auth):
        t = msg[8]
        rc, out, err = decode([b64(msg)])
        check("decode %s (text)" % want[t], rc == 0 and "message: %s" % want[t] in out
              and "NTLMSSP_NEGOTIATE_UNICODE" in out, out[:300] + err)
        rc, out, err = decode(["--json", b64(msg)])
        check("decode %s --json is valid JSON (json.tool)" % want[t], rc == 0 and valid_json_tool(out),
              out[:300])
    rc, j, _ = decode_json(neg)
    check("decode NEGOTIATE: version and flags",
          j and j["message"] == "NEGOTIATE" and j["version"].startswith("10.0.20348")
          and "NTLMSSP_NEGOTIATE_KEY_EXCH" in j["flag_names"], j)
    rc, j, _ = decode_json(chal)
    names = [a["name"] for a in (j or {}).get("target_info", [])]
    check("decode CHALLENGE: target name, challenge, AV pairs",
          j and j["target_name"] == "SRV" and len(j["server_challenge"]) == 16
          and "MsvAvTimestamp" in names and "MsvAvNbComputerName" in names
          and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$",
                       [a for a in j["target_info"] if a["name"] == "MsvAvTimestamp"][0]["value"]),
          j)
    # impacket's server: a UTF-16LE TargetName under OEM flags; tolerated, with a warning
    f = (struct.unpack_from("<I", chal, 20)[0] & ~0x1) | 0x2
    rc, j, err = decode_json(chal[:20] + struct.pack("<I", f) + chal[24:])
    check("decode CHALLENGE: UTF-16 TargetName under OEM flags is explained, not refused",
          rc == 0 and j and j["target_name"] == "SRV"
          and any("TargetName is not OEM" in w for w in j["warnings"]), (j, err))
    rc, j, _ = decode_json(auth)
    av = {a["name"]: a for a in (j or {}).get("ntlmv2", {}).get("av_pairs", [])}
    check("decode AUTHENTICATE: names, NTLMv2, MIC",
          j and j["user"] == "alice" and j["domain"] == "TESTDOM" and j["workstation"] == "WS1"
          and j["response_kind"] == "NTLMv2" and j["mic_present"] and j["mic_announced"]
          and "MSV_AV_FLAG_MIC_PRESENT" in av.get("MsvAvFlags", {}).get("flag_names", []), j)
    check("decode AUTHENTICATE: warns about missing channel bindings and target name",
          j and any("channel bindings" in w for w in j["warnings"])
          and any("MsvAvTargetName" in w for w in j["warnings"]), j and j["warnings"])

    v1_auth = [t for t in v1_tokens if t[8] == 3]
    rc, j, _ = decode_json(v1_auth[0]) if v1_auth else (1, None, "")
    check("decode NTLMv1-ESS AUTHENTICATE warns about NTLMv1",
          j and j["response_kind"] == "NTLMv1-ESS" and any("NTLMv1" in w for w in j["warnings"]), j)
    anon_auth = [t for t in anon_tokens if t[8] == 3]
    rc, j, _ = decode_json(anon_auth[0]) if anon_auth else (1, None, "")
    check("decode anonymous AUTHENTICATE", j and j["response_kind"] == "anonymous", j)
    rc, j, _ = decode_json(lm_only_authenticate())
    check("decode LM AUTHENTICATE: LM, no MIC field, weak-key warnings",
          j and j["response_kind"] == "LM" and not j["mic_present"]
          and any("LM response" in w for w in j["warnings"])
          and any("40-bit" in w for w in j["warnings"])
          and any("key exchange" in w for w in j["warnings"]), j)
    # LM_KEY without ESS shortens the seal key, NEGOTIATE_128 or not
    f = (struct.unpack_from("<I", neg, 12)[0] | 0x80 | 0x20000000) & ~0x00080000
    rc, j, _ = decode_json(neg[:12] + struct.pack("<I", f) + neg[16:])
    check("decode: LM_KEY without ESS warns of a short seal key despite NEGOTIATE_128",
          j and any("seal key" in w for w in j["warnings"]), j and j["warnings"])

    # input forms
    forms = {
        "hex": auth.hex(),
        "hex with spaces": " ".join("%02x" % b for b in neg),
        "NTLM <b64>": "NTLM " + b64(chal),
        "Authorization header": "Authorization: NTLM " + b64(auth),
        "Proxy-Authorization header": "Proxy-Authorization: NTLM " + b64(neg),
        "WWW-Authenticate header": "WWW-Authenticate: NTLM " + b64(chal),
        "helper TOKEN line": "TOKEN " + b64(auth),
        "unpadded base64": b64(neg).rstrip("="),
    }
    for label, text in forms.items():
        rc, out, err = decode(["--json", text])
        check("decode input form: " + label, rc == 0 and json.loads(out)["valid"], out + err)
    rc, out, err = decode(["--json"], stdin="TOKEN %s\n\nKK %s\n%s\n" % (b64(neg), b64(auth), b64(chal)))
    lines = out.splitlines()
    check("decode stdin: one JSON object per line",
          rc == 0 and [json.loads(x)["message"] for x in lines] == ["NEGOTIATE", "AUTHENTICATE",
                                                                    "CHALLENGE"], out + err)

    # malformed: the field and its offset, exit 1. An 88-byte AUTHENTICATE
    # whose only non-empty field is DomainNameFields, pointing past the end.
    m = bytearray(auth[:88])
    for pos in range(12, 60, 8):
        m[pos:pos + 8] = struct.pack("<HHI", 0, 0, 88)
    m[28:36] = struct.pack("<HHI", 12, 12, 0x100)
    rc, out, err = decode([b64(m)])
    check("decode: DomainNameFields beyond the end names field and offset", rc == 1 and
          "DomainNameFields at offset 0x0000001c: offset 0x00000100 + length 12 beyond message "
          "end (length 88)"
          in err, err)
    rc, out, err = decode(["--json", b64(m)])
    try:
        j = json.loads(out)
        ok = rc == 1 and not j["valid"] and "DomainNameFields" in j["error"]
    except ValueError:
        ok = False
    check("decode --json: malformed message is a JSON error", ok, out)
    mutations = {
        "MaxLen < Len": (36, struct.pack("<HH", 10, 8), "UserNameFields at offset 0x00000024: MaxLen 8 is less than Len 10"),
        "offset inside the header": (40, struct.pack("<I", 8), "UserNameFields at offset 0x00000024: offset 0x00000008 lies inside the 64-byte header"),
        "odd UTF-16 user": (36, struct.pack("<HH", 9, 9), "UserName at offset"),
        "bad signature": (0, b"NTLMSSQ", "Signature at offset 0x00000000"),
        "bad message type": (8, struct.pack("<I", 7), "MessageType at offset 0x00000008: 7 is not"),
    }
    for label, (pos, data, want_msg) in mutations.items():
        mm = bytearray(auth)
        mm[pos:pos + len(data)] = data
        rc, out, err = decode([b64(mm)])
        check("decode malformed: " + label, rc == 1 and want_msg in err, err)
    # overlapping fields: user on top of the domain
    mm = bytearray(auth)
    dom = struct.unpack("<HHI", auth[28:36])
    mm[36:44] = struct.pack("<HHI", dom[0], dom[1], dom[2])
    rc, out, err = decode([b64(mm)])
    check("decode malformed: overlapping fields", rc == 1 and "overlaps" in err
          and "UserNameFields" in err, err)
    # NTLMv2 response: RespType, named with its absolute offset
    nt_len, _, nt_off = struct.unpack("<HHI", auth[20:28])
    mm = bytearray(auth)
    mm[nt_off + 16] = 2
    rc, out, err = decode([b64(mm)])
    check("decode malformed: NTLMv2 RespType names field and offset", rc == 1 and
          ("RespType/HiRespType at offset 0x%08x: 2/1, expected 1/1" % (nt_off + 16)) in err, err)
    rc, out, err = decode([b64(auth[:50])])
    check("decode malformed: truncated header", rc == 1 and "the message ends at 50 bytes" in err, err)
    # CHALLENGE with a 6-byte MsvAvTimestamp
    cm = bytearray(chal)
    tlen, _, toff = struct.unpack("<HHI", chal[40:48])
    pos = toff
    while pos < toff + tlen:
        av_id, av_len = struct.unpack("<HH", cm[pos:pos + 4])
        if av_id == 7:
            cm[pos + 2:pos + 4] = struct.pack("<H", 6)
            break
        pos += 4 + av_len
    rc, out, err = decode([b64(cm)])
    check("decode malformed: AV pair length names the pair and offset", rc == 1 and
          ("TargetInfo: MsvAvTimestamp at offset 0x%08x: length 6, expected 8" % pos) in err, err)
    rc, out, err = decode(["!!not a message!!"])
    check("decode: garbage input -> exit 1", rc == 1 and "neither hex nor base64" in err, err)
    rc, out, err = decode([], stdin="")
    check("decode: empty stdin -> exit 1", rc == 1, err)
    rc, out, err = decode([b64(b"NTLMSSP\0")])
    check("decode: preamble only -> exit 1", rc == 1 and "MessageType" in err, err)

    # robustness: many random mutations in one process, text and JSON
    rnd = random.Random(99)
    batch = []
    for base in (neg, chal, auth, lm_only_authenticate()):
        for _ in range(150):
            mm = bytearray(base)
            for _ in range(rnd.randrange(1, 5)):
                mm[rnd.randrange(len(mm))] = rnd.randrange(256)
            if rnd.random() < 0.3:
                mm = mm[:rnd.randrange(1, len(mm))]
            batch.append(b64(mm))
    for mode in ([], ["--json"]):
        rc, out, err = decode(mode + batch)
        ok = rc in (0, 1)
        if mode:
            try:
                # split on "\n" only: names may hold U+0085, which splitlines() also splits on
                objs = [json.loads(x) for x in out.split("\n") if x]
                ok = ok and len(objs) == len(batch)
            except ValueError as e:
                ok = False
                err = str(e)
        check("decode: %d mutated messages%s, no crash" % (len(batch), " (JSON)" if mode else ""),
              ok, (rc, err[-300:]))


# ---------------------------------------------------------------- squid-helper protocol

def test_squid_protocol():
    sq = Proc(["squid-helper"] + SERVER)

    def client_for(user, pw):
        c = Proc(["client"] + client_args(user, pw))
        return c, c.recv()[6:]

    # two channels, interleaved: right password on 1, wrong on 2
    c1, neg1 = client_for("alice", "Alice-Pass1")
    c2, neg2 = client_for("alice", "wrong")
    t1 = sq.cmd("1 YR " + neg1)
    t2 = sq.cmd("2 YR " + neg2)
    check("squid: YR -> TT per channel, channel ID echoed",
          t1.startswith("1 TT ") and t2.startswith("2 TT "), (t1, t2))
    a1 = c1.cmd("TOKEN " + t1.split()[2])[6:]
    a2 = c2.cmd("TOKEN " + t2.split()[2])[6:]
    r2 = sq.cmd("2 KK " + a2)
    r1 = sq.cmd("1 KK " + a1)
    check("squid: right password -> AF DOMAIN\\user", r1 == "1 AF SRV\\alice", r1)
    check("squid: wrong password -> NA", r2.startswith("2 NA ") and "LOGON_FAILURE" in r2, r2)
    r = sq.cmd("3 YR " + neg1)
    r = sq.cmd("3 KK " + a1)
    check("squid: replayed AUTHENTICATE -> NA", r.startswith("3 NA "), r)
    stop(c1, c2)

    # no channel IDs
    c = Proc(["client"] + client_args("bob", "Bob-Pass2"))
    t = sq.cmd("YR " + c.recv()[6:])
    a = c.cmd("TOKEN " + t.split()[1]) if t.startswith("TT ") else ""
    r = sq.cmd("KK " + a[6:])
    check("squid: without channel IDs, YR then KK -> AF", t.startswith("TT ") and r == "AF SRV\\bob",
          (t, a[:40], r))
    stop(c)
    # Squid may not forward the client's NEGOTIATE: a CHALLENGE all the same
    t = sq.cmd("4 YR")
    rc, out, err = decode(["--json", t[5:]]) if t.startswith("4 TT ") else (1, "{}", t)
    check("squid: YR without a token -> TT with a CHALLENGE",
          rc == 0 and json.loads(out)["message"] == "CHALLENGE", (t, err))
    for line, want in (("KK " + a[6:], "BH KK without a preceding YR"),
                       ("5 KK QUJD", "5 BH KK without a preceding YR"),
                       ("XX foo", "BH unknown request"),
                       ("YR !!!", "BH bad base64"),
                       ("KK", "BH KK without a token"),
                       ("", "BH empty request"),
                       ("1 2 3 4", "1 BH too many words"),
                       ("7 YR " + b64(b"NTLMSSP\0\x01\0\0"), "7 NA ")):
        r = sq.cmd(line)
        check("squid: %r -> %s" % (line[:20], want), r.startswith(want), r)
    r = sq.cmd("8 YR " + neg1)
    r = sq.cmd("8 KK " + b64(b"garbage-token"))
    check("squid: garbage AUTHENTICATE -> NA", r.startswith("8 NA "), r)
    rc = sq.close()
    check("squid-helper exits 0 at end of input", rc == 0, (rc, sq.err))


# ------------------------------------------------- files, account flags, lockout (issue 10)

def write_private(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def test_unsafe_files():
    good = os.path.join(WORK, "good-accounts")
    shutil.copy(ACCOUNTS, good)
    os.chmod(good, 0o600)
    rc, _, err = run(["server"] + ["--account-file", good], stdin="QUIT\n")
    check("server: a private account file is accepted", rc == 0 or "handshake" in err, (rc, err))
    link = os.path.join(WORK, "link-accounts")
    os.symlink(good, link)
    rc, _, err = run(["server", "--account-file", link])
    check("server: symlinked account file refused", rc == 1 and "UNSAFE_FILE" in err, (rc, err))
    rc, _, err = run(["squid-helper", "--account-file", link], stdin="YR\n")
    check("squid-helper: symlinked account file refused", rc == 1 and "UNSAFE_FILE" in err, (rc, err))
    open_file = os.path.join(WORK, "open-accounts")
    shutil.copy(ACCOUNTS, open_file)
    os.chmod(open_file, 0o666)
    rc, _, err = run(["server", "--account-file", open_file])
    check("server: world-writable account file refused", rc == 1 and "UNSAFE_FILE" in err, (rc, err))
    rc, _, err = run(["passwd", "--account-file", open_file, "disable", "alice"])
    check("passwd: world-writable account file not edited",
          rc == 1 and "UNSAFE_FILE" in err and "D" not in account_line("alice", open_file).split(":")[4],
          (rc, err))
    fifo = os.path.join(WORK, "fifo-accounts")
    os.mkfifo(fifo, 0o600)
    try:
        rc, _, err = run(["server", "--account-file", fifo], timeout=5)
        check("server: FIFO account file refused without hanging", rc == 1 and "UNSAFE_FILE" in err,
              (rc, err))
        rc, _, err = run(["server", "--account-file", good, "--audit-log", fifo], timeout=5)
        check("server: FIFO audit log refused without hanging", rc == 1, (rc, err))
    except subprocess.TimeoutExpired:
        check("FIFO files refused without hanging", False, "timed out")
    audit_link = os.path.join(WORK, "audit-link")
    os.symlink(os.path.join(WORK, "audit-target"), audit_link)
    rc, _, err = run(["server", "--account-file", good, "--audit-log", audit_link])
    check("server: symlinked audit log refused",
          rc == 1 and not os.path.exists(os.path.join(WORK, "audit-target")), (rc, err))
    conf = os.path.join(WORK, "open.conf")
    write_private(conf, "", 0o666)
    rc, _, err = run(["server", "--config", conf, "--account-file", good])
    check("server: world-writable policy file refused", rc == 2 and "UNSAFE_FILE" in err, (rc, err))
    rc, _, err = run(["server", "--account-file", good], env=dict(os.environ, NTLMSSP_CONF=conf))
    check("server: world-writable $NTLMSSP_CONF refused", rc == 2 and "UNSAFE_FILE" in err, (rc, err))


def test_passwd_keeps_mode_and_group():
    try:
        import grp
        gid = grp.getgrnam("proxy").gr_gid
    except KeyError:
        gid = None
    path = os.path.join(WORK, "shared-accounts")
    rc, _, err = run(["passwd", "--account-file", path, "--password-on-command-line", "Pw-1", "add", "sq"])
    os.chmod(path, 0o640)
    if gid is not None and os.geteuid() == 0:
        os.chown(path, -1, gid)
    before = os.stat(path)
    rc2, _, err2 = run(["passwd", "--account-file", path, "--password-on-command-line", "Pw-2", "set", "sq"])
    rc3, _, err3 = run(["passwd", "--account-file", path, "disable", "sq"])
    after = os.stat(path)
    check("passwd keeps the file's mode and group (0640, group proxy)",
          rc == rc2 == rc3 == 0 and stat.S_IMODE(after.st_mode) == 0o640
          and after.st_gid == before.st_gid,
          (err, err2, err3, oct(after.st_mode), after.st_gid, before.st_gid))


def test_account_flags_and_lockout():
    path = os.path.join(WORK, "flag-accounts")
    nt = nt_hash_of("Flag-Pass1\n")[1].upper()
    lines = ["%s:1000:%s:%s:[%s]:LCT-00000000:\n" % (u, "X" * 32, nt, f)
             for u, f in (("alice", "U"), ("carl", "U"), ("lockd", "UL"), ("wks$", "W"),
                          ("srv$", "S"), ("dom", "I"))]
    write_private(path, "".join(lines))
    server = ["--account-file", path, "--computer-name", "SRV"]
    for user, want in (("lockd", "NTLM_E_ACCOUNT_LOCKED"), ("wks$", "NTLM_E_NOLOGON_WORKSTATION_TRUST"),
                       ("srv$", "NTLM_E_NOLOGON_SERVER_TRUST"),
                       ("dom", "NTLM_E_NOLOGON_INTERDOMAIN_TRUST")):
        c, s, cfin, sfin, _ = handshake(client_args(user, "Flag-Pass1"), server)
        check("server: [%s] refused with %s" % (user, want), sfin.startswith("FAIL " + want), sfin)
        stop(c, s)
    c, s, cfin, sfin, _ = handshake(client_args("alice", "Flag-Pass1"), server)
    check("server: a normal account with the same password logs on", sfin.startswith("DONE "), sfin)
    stop(c, s)

    # lockout in a long-lived squid-helper: 2 failures lock alice out, with an audit record
    conf = os.path.join(WORK, "lockout.conf")
    write_private(conf, "lockout_threshold = 2\nlockout_window = 600\n")
    audit = os.path.join(WORK, "lockout-audit.log")
    sq = Proc(["squid-helper", "--config", conf, "--audit-log", audit] + server)

    def attempt(chan, user, pw):
        c = Proc(["client"] + client_args(user, pw))
        t = sq.cmd("%d YR %s" % (chan, c.recv()[6:]))
        a = c.cmd("TOKEN " + t.split()[2])[6:] if t.startswith("%d TT " % chan) else ""
        stop(c)
        return sq.cmd("%d KK %s" % (chan, a))

    r1, r2 = attempt(1, "alice", "wrong-1"), attempt(2, "ALICE", "wrong-2")
    r3 = attempt(3, "alice", "Flag-Pass1")
    check("squid-helper lockout: 2 failures, then even the right password -> NA ACCOUNT_LOCKED",
          "LOGON_FAILURE" in r1 and "LOGON_FAILURE" in r2 and r3.startswith("3 NA ")
          and "NTLM_E_ACCOUNT_LOCKED" in r3, (r1, r2, r3))
    r4 = attempt(4, "carl", "Flag-Pass1")
    check("squid-helper lockout: other users unaffected", r4 == "4 AF SRV\\carl", r4)
    sq.close()
    with open(audit) as f:
        records = [json.loads(line) for line in f if line.strip()]
    check("lockout: the refusal has an audit record",
          any(r.get("error") == "NTLM_E_ACCOUNT_LOCKED" and r.get("user") == "alice" for r in records),
          records[-2:])


def test_squid_channel_ids():
    sq = Proc(["squid-helper"] + SERVER)
    r = sq.cmd("18446744073709551615 YR")
    check("squid: the largest 64-bit channel ID is echoed", r.startswith("18446744073709551615 TT "), r)
    for line in ("18446744073709551616 YR", "99999999999999999999999999 KK abc",
                 "000000000000000000001 YR"):
        r = sq.cmd(line)
        check("squid: channel ID %s... overflows -> BH" % line[:12], r == "BH channel ID out of range", r)
    # an overflowing ID must not alias the largest one: channel 18446744073709551615 still waits for KK
    r = sq.cmd("18446744073709551615 KK " + b64(b"garbage-token"))
    check("squid: the overflowing IDs left channel 2^64-1 alone", r.startswith("18446744073709551615 NA "), r)
    r = sq.cmd("9 KK a\0b")
    check("squid: a NUL byte is refused on its channel", r == "9 BH the line contains a NUL byte", r)
    sq.send("12 YR " + "A" * (1024 * 1024 + 10))
    r = sq.recv()
    check("squid: an overlong line is refused on its channel", r.startswith("12 BH line longer"), r[:60])
    rc = sq.close()
    check("squid-helper exits 0 after the ID checks", rc == 0, (rc, sq.err))


def test_squid_channel_table():
    """The channel table keeps only handshakes in progress and evicts the oldest when full:
    more than 1,024 distinct IDs never lock the helper."""
    sq = Proc(["squid-helper"] + SERVER)

    def squid_logon(cid):
        c = Proc(["client"] + client_args("alice", "Alice-Pass1"))
        t = sq.cmd("%d YR %s" % (cid, c.recv()[6:]))
        a = c.cmd("TOKEN " + t.split()[2])[6:] if t.startswith("%d TT " % cid) else ""
        r = sq.cmd("%d KK %s" % (cid, a))
        stop(c)
        return r

    # 1,100 finished handshakes (YR, then a KK that fails): each channel is freed
    n = 1100
    for i in range(n):
        sq.send("%d YR" % (100000 + i))
        sq.send("%d KK %s" % (100000 + i, b64(b"not an AUTHENTICATE")))
    answers = [sq.recv() for _ in range(2 * n)]
    check("squid: 1,100 distinct channels, each YR -> TT and KK -> NA",
          all(answers[2 * i].startswith("%d TT " % (100000 + i)) and
              answers[2 * i + 1].startswith("%d NA " % (100000 + i)) for i in range(n)),
          [a for a in answers if " BH " in a][:3])
    r = squid_logon(7)
    check("squid: after 1,100 finished channels a new one still logs on", r == "7 AF SRV\\alice", r)

    # 1,100 handshakes left waiting: the oldest are evicted, new channels keep working
    for i in range(n):
        sq.send("%d YR" % (200000 + i))
    answers = [sq.recv() for _ in range(n)]
    check("squid: 1,100 waiting channels all get TT (the oldest evicted)",
          all(a.startswith("%d TT " % (200000 + i)) for i, a in enumerate(answers)),
          [a for a in answers if " BH " in a][:3])
    r = sq.cmd("200000 KK " + b64(b"x"))
    check("squid: the evicted oldest channel's KK -> BH", r == "200000 BH KK without a preceding YR", r)
    r = sq.cmd("%d KK %s" % (200000 + n - 1, b64(b"not an AUTHENTICATE")))
    check("squid: the newest waiting channel kept its handshake", r.startswith("%d NA " % (200000 + n - 1)), r)
    r = squid_logon(8)
    check("squid: with the table full a new channel still logs on", r == "8 AF SRV\\alice", r)
    rc = sq.close()
    check("squid-helper exits 0 after the channel table checks", rc == 0, (rc, sq.err))


def main():
    if not os.access(NTLM, os.X_OK):
        check("ntlm binary exists", False, NTLM)
        return
    try:
        test_dispatcher()
        test_hash()
        test_passwd()
        tokens = test_helper_basic()
        v1, anon = test_helper_policy()
        test_helper_credentials()
        test_helper_datagram()
        test_helper_bad_input(tokens)
        test_decode(tokens, v1, anon)
        test_squid_protocol()
        test_unsafe_files()
        test_passwd_keeps_mode_and_group()
        test_account_flags_and_lockout()
        test_squid_channel_ids()
        test_squid_channel_table()
    except Exception as e:  # a bug in the test itself still counts as a failure
        import traceback
        traceback.print_exc()
        check("test driver ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        for p in STARTED:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
    print("tool: %d passed, %d failed" % (PASSED, FAILED))
    sys.exit(1 if FAILED else 0)
