#!/usr/bin/python3
"""Interop driver: pairs every client peer with every server peer through the
suite's line protocol, checks the handshake, user, session key, sealing and
signing both ways and tampering, runs the negative cases, and prints a
clients x servers matrix and "interop: N passed, N failed".

Usage: interop.py --work DIR --ours-client CMD... (see 40-interop.sh). Peers are
described in peers.py; every process is started here and ended by its PID.
"""
import argparse
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import peers as peerdefs  # noqa: E402

LINE_TIMEOUT = float(os.environ.get("INTEROP_LINE_TIMEOUT", "20"))
VERBOSE = os.environ.get("INTEROP_VERBOSE", "") not in ("", "0")

STARTED = []  # every Popen we made, to end by PID
PEERS = []    # peers set up, torn down (daemons stopped) whatever happens
ENV = []


class Proc:
    def __init__(self, name, argv, env=None, cwd=None):
        self.name = name
        self.argv = argv
        self.q = queue.Queue()
        self.err = []
        self.sent = []  # analyze() of each TOKEN it sent
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, cwd=cwd, text=True,
                                  bufsize=1, start_new_session=True)
        STARTED.append(self.p)
        threading.Thread(target=self._pump, args=(self.p.stdout, self.q), daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    @staticmethod
    def _pump(f, q):
        for line in f:
            q.put(line.rstrip("\r\n"))
        q.put(None)

    def _pump_err(self):
        for line in self.p.stderr:
            self.err.append(line.rstrip())

    def send(self, line):
        if VERBOSE:
            print("    -> %s: %s" % (self.name, line[:150]))
        try:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def recv(self, timeout=LINE_TIMEOUT):
        try:
            line = self.q.get(timeout=timeout)
        except queue.Empty:
            return "TIMEOUT"
        if line is None:
            self.q.put(None)
            return "EOF"
        if VERBOSE:
            print("    <- %s: %s" % (self.name, line[:150]))
        return line

    def cmd(self, line):
        self.send(line)
        return self.recv()

    def stop(self):
        try:
            self.send("QUIT")
            self.p.stdin.close()
        except Exception:
            pass
        try:
            self.p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.kill(self.p.pid, signal.SIGKILL)
            self.p.wait()

    def stderr_tail(self):
        return " | ".join(self.err[-4:])


def parse_done(line):
    d = {}
    for w in line.split()[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            d[k] = v
    return d


SECBUFS = {1: (("DomainName", 16), ("Workstation", 24)),
           2: (("TargetName", 12), ("TargetInfo", 40)),
           3: (("LmChallengeResponse", 12), ("NtChallengeResponse", 20), ("DomainName", 28),
               ("UserName", 36), ("Workstation", 44), ("EncryptedRandomSessionKey", 52))}
TOKENS = {}  # (peer name, role) -> [analysis of each message it sent], first pair only


def analyze(tok):
    """What a peer put in one NTLMSSP message: type, flags, VERSION, MIC,
    field Len/MaxLen."""
    import struct
    if tok[:8] != b"NTLMSSP\0" and tok[:1] in (b"\x60", b"\xa1"):  # SPNEGO: its NTLM token
        import spnego
        inner = spnego.ntlm_token(tok)
        if inner is None:
            return None  # (a NegTokenResp without responseToken)
        tok = inner
    a = {"len": len(tok)}
    if len(tok) < 12 or tok[:8] != b"NTLMSSP\0":
        a["error"] = "not NTLMSSP"
        return a
    t = a["type"] = struct.unpack_from("<I", tok, 8)[0]
    foff = {1: 12, 2: 20, 3: 60}.get(t)
    if foff is None or len(tok) < foff + 4:
        return a
    flags = a["flags"] = struct.unpack_from("<I", tok, foff)[0]
    a["fields"] = {}
    for name, off in SECBUFS.get(t, ()):
        if off + 8 <= len(tok):
            ln, mx, o = struct.unpack_from("<HHI", tok, off)
            a["fields"][name] = (ln, mx, o)
    hdr = {1: 32, 2: 48, 3: 64}[t]
    starts = [o for (ln, mx, o) in a["fields"].values() if ln]
    a["version"] = bool(flags & 0x02000000) and (not starts or min(starts) >= hdr + 8)
    if t == 3:
        ln, mx, o = a["fields"].get("NtChallengeResponse", (0, 0, 0))
        nt = tok[o:o + ln]
        a["ntlmv2"] = ln > 24
        a["mic"] = False
        if ln > 24:  # MsvAvFlags bit 0x2 in the NTLMv2 client blob announces a MIC
            i = 16 + 28
            while i + 4 <= len(nt):
                av_id, av_len = struct.unpack_from("<HH", nt, i)
                if av_id == 0:
                    break
                if av_id == 6 and av_len == 4:
                    a["mic"] = bool(struct.unpack_from("<I", nt, i + 4)[0] & 2)
                i += 4 + av_len
    return a


def maxlen_ok(a):
    bad = ["%s Len=%d MaxLen=%d" % (n, ln, mx) for n, (ln, mx, o) in a.get("fields", {}).items()
           if ln != mx]
    return not bad, ", ".join(bad)


def handshake(c, s, timeout=LINE_TIMEOUT):
    """Relays TOKEN lines. Returns (client_final, server_final): DONE/FAIL lines
    or TIMEOUT/EOF descriptions."""
    cfin = sfin = None
    deadline = time.time() + timeout * 3
    while time.time() < deadline:
        for who, other in ((c, s), (s, c)):
            if (who is c and cfin) or (who is s and sfin):
                continue
            line = who.recv(timeout=0.02)
            if line == "TIMEOUT":
                continue
            if line.startswith("TOKEN "):
                other.send(line)
                try:
                    a = analyze(unb64(line[6:]))
                except Exception:
                    a = {"error": "bad base64"}
                if a is not None:
                    who.sent.append(a)
            elif line.startswith("DONE") or line.startswith("FAIL") or line == "EOF":
                if who is c:
                    cfin = line
                else:
                    sfin = line
            # anything else (diagnostics) is ignored
        if sfin and (cfin or not sfin.startswith("DONE")):
            break
        if cfin and cfin.startswith(("FAIL", "EOF")):
            break
    return cfin or "TIMEOUT", sfin or "TIMEOUT"


class Result:
    def __init__(self, prefix=""):
        self.checks = []  # (name, status, detail) status in pass/fail/na
        self.prefix = prefix

    def add(self, name, ok, detail=""):
        self.checks.append((self.prefix + name, "pass" if ok else "fail", detail))

    def na(self, name, detail=""):
        self.checks.append((self.prefix + name, "na", detail))

    def counts(self):
        p = sum(1 for c in self.checks if c[1] == "pass")
        f = sum(1 for c in self.checks if c[1] == "fail")
        return p, f


def rand_msg(n):
    return secrets.token_bytes(n)


def b64(b):
    import base64
    return base64.b64encode(b).decode()


def unb64(s):
    import base64
    return base64.b64decode(s)


def tamper(b):
    b = bytearray(b)
    b[len(b) // 2] ^= 0x01
    return bytes(b)


# op -> (its answer's prefix, the verb of the "cannot" n/a message)
PRODUCERS = {"SEAL": ("SEALED ", "seal"), "SIGN": ("SIG ", "sign")}


def produce(res, name, src, op, msg, tampering=False):
    """The words after src's SEALED / SIG answer to op(msg), or None once res
    holds the check's verdict (n/a: src lacks op; fail: any other answer)."""
    r = src.cmd("%s %s" % (op, b64(msg)))
    prefix, verb = PRODUCERS[op]
    if r.startswith("ERR unsupported"):
        res.na(name, "%s cannot %s: %s" % (src.name, verb, r[:80]) if tampering
               else src.name + ": " + r)
    elif not r.startswith(prefix):
        res.add(name, False, "%s %s -> %s" % (src.name, op, r))
    else:
        return r.split()[1:]
    return None


def consume(res, name, dst, line):
    """dst's answer to line, or None (n/a recorded) when dst lacks the command."""
    r = dst.cmd(line)
    if r.startswith("ERR unsupported"):
        res.na(name, dst.name + ": " + r)
        return None
    return r


def check_seal(res, name, src, dst, msg):
    got = produce(res, name, src, "SEAL", msg)
    if got is None:
        return False
    data, sig = got
    if unb64(data) == msg and len(msg) > 8:
        res.add(name, False, "sealed data equals the plaintext")
        return False
    r2 = consume(res, name, dst, "UNSEAL %s %s" % (data, sig))
    if r2 is None:
        return False
    ok = r2 == "PLAIN " + b64(msg)
    res.add(name, ok, "" if ok else "%s UNSEAL -> %s" % (dst.name, r2[:120]))
    return ok


def check_sign(res, name, src, dst, msg):
    got = produce(res, name, src, "SIGN", msg)
    if got is None:
        return False
    r2 = consume(res, name, dst, "VERIFY %s %s" % (b64(msg), got[0]))
    if r2 is None:
        return False
    ok = r2 == "OK"
    res.add(name, ok, "" if ok else "%s VERIFY -> %s" % (dst.name, r2[:120]))
    return ok


def check_tamper_seal(res, name, src, dst, msg):
    got = produce(res, name, src, "SEAL", msg, tampering=True)
    if got is None:
        return
    data, sig = got
    r2 = consume(res, name, dst, "UNSEAL %s %s" % (b64(tamper(unb64(data))), sig))
    if r2 is not None:
        ok = r2.startswith("ERR")
        res.add(name, ok, "" if ok else "tampered sealed message accepted: %s" % r2[:80])


def check_tamper_sign(res, name, src, dst, msg):
    got = produce(res, name, src, "SIGN", msg, tampering=True)
    if got is None:
        return
    r2 = consume(res, name, dst, "VERIFY %s %s" % (b64(tamper(msg)), got[0]))
    if r2 is not None:
        ok = r2.startswith("BAD")
        res.add(name, ok, "" if ok else "tampered signed message accepted: %s" % r2[:80])


def server_argv(env, cpeer, speer, allow_v1=False):
    """speer's server command, behind cpeer's shim when it needs one (samba-spnego:
    tests/interop/spnego.py between its SPNEGO tokens and the NTLM server)."""
    argv = speer.server_argv(env, allow_v1=allow_v1)
    wrap = getattr(cpeer, "wrap_server", None)
    return wrap(argv) if wrap else argv


def run_positive(env, cpeer, speer, v1=False):
    """v1: the client sends NTLMv1 (ESS) to a server started to allow it."""
    res = Result("v1 " if v1 else "")
    c = s = None
    try:
        s = Proc(speer.name + "/server", server_argv(env, cpeer, speer, allow_v1=v1), env=speer.env(env))
        c = Proc(cpeer.name + "/client", cpeer.client_argv(env, case="ntlmv1" if v1 else None),
                 env=cpeer.env(env))
        cfin, sfin = handshake(c, s)
        ok = cfin.startswith("DONE") and sfin.startswith("DONE")
        res.add("handshake", ok, "" if ok else "client: %s; server: %s; stderr: %s %s" % (
            cfin[:200], sfin[:200], c.stderr_tail()[:300], s.stderr_tail()[:300]))
        if not ok:
            return res
        for peer, proc, role in ((cpeer, c, "client"), (speer, s, "server")):
            if not v1:
                TOKENS.setdefault((peer.name, role), proc.sent)
            if peer.name == "ours":  # our encoders write MaxLen = Len
                bad = [maxlen_ok(a)[1] for a in proc.sent if not maxlen_ok(a)[0]]
                res.add("maxlen=len (ours)", not bad, "; ".join(bad))
        cd, sd = parse_done(cfin), parse_done(sfin)
        if v1:  # the server must really have verified an NTLMv1 response
            nt = [a for a in c.sent if a.get("type") == 3]
            res.add("sent NTLMv1", bool(nt) and not nt[0].get("ntlmv2"),
                    "client's AUTHENTICATE carries %s" % ("NTLMv2" if nt and nt[0].get("ntlmv2") else "?"))
        user = sd.get("user", "-")
        want = env.expected_user(speer)
        if user == "-":
            res.na("user", "server does not report the user")
        else:
            res.add("user", user.lower() == want.lower(), "server says %s, want %s" % (user, want))
        if getattr(cpeer, "spnego", False):
            check_mechlistmic(res, cd, sd, c.sent, v1)
        ck, sk = cd.get("sessionkey", "-"), sd.get("sessionkey", "-")
        if ck == "-" or sk == "-":
            res.na("sessionkey", "not reported (client %s, server %s)" % (ck, sk))
        else:
            res.add("sessionkey", ck.lower() == sk.lower(), "client %s server %s" % (ck, sk))
        res.flags = (cd.get("flags"), sd.get("flags"))
        res.mic = sd.get("mic")
        try:
            cflags = int(cd.get("flags", "0"), 16)
        except ValueError:
            cflags = 0
        if not cflags & 0x10:  # NTLMSSP_NEGOTIATE_SIGN
            for n in ("seal c->s", "seal s->c", "sign c->s", "sign s->c", "seal c->s #2",
                      "sign s->c #2", "tamper seal c->s", "tamper sign s->c"):
                res.na(n, "client did not negotiate SIGN/SEAL (flags %s)" % cd.get("flags"))
            return res
        signing = cpeer.can_sign and speer.can_sign
        nosign = "%s cannot sign without sealing" % (speer.name if cpeer.can_sign else cpeer.name)
        check_seal(res, "seal c->s", c, s, rand_msg(37))
        check_seal(res, "seal s->c", s, c, rand_msg(1000))
        for name, src, dst, n in (("sign c->s", c, s, 64), ("sign s->c", s, c, 5)):
            if signing:
                check_sign(res, name, src, dst, rand_msg(n))
            else:
                res.na(name, nosign)
        check_seal(res, "seal c->s #2", c, s, rand_msg(100))
        if signing:
            check_sign(res, "sign s->c #2", s, c, rand_msg(100))
        else:
            check_seal(res, "seal s->c #2", s, c, rand_msg(100))
        # tampering desynchronises a direction's RC4 state: last, one per direction
        check_tamper_seal(res, "tamper seal c->s", c, s, rand_msg(48))
        if signing:
            check_tamper_sign(res, "tamper sign s->c", s, c, rand_msg(48))
        else:
            check_tamper_seal(res, "tamper seal s->c", s, c, rand_msg(48))
    except Exception as e:
        res.add("driver", False, "%s: %s" % (type(e).__name__, e))
    finally:
        for p in (c, s):
            if p:
                p.stop()
    return res


def check_mechlistmic(res, cd, sd, sent, v1):
    """SPNEGO (samba-spnego through spnego.py): the initiator's mechListMIC was
    verified by the server's VERIFY, ours (from SIGN) was accepted by the
    initiator. Samba (asked for SIGN) sends one after NTLMv2 and NTLMv1-ESS
    alike: required whenever it was sent or the AUTHENTICATE carries an NTLM
    MIC; n/a only when neither."""
    auth = [a for a in sent if a.get("type") == 3]
    ntlm_mic = bool(auth) and auth[0].get("mic")
    if cd.get("mechlistmic_sent") != "yes" and (v1 or not ntlm_mic):
        why = "no NTLM MIC%s and no mechListMIC from the client" % (" (NTLMv1)" if v1 else "")
        res.na("mechListMIC c->s", why)
        res.na("mechListMIC s->c", why)
        return
    res.add("mechListMIC c->s", cd.get("mechlistmic_sent") == "yes" and sd.get("mechlistmic") == "verified",
            "client sent: %s, shim: %s" % (cd.get("mechlistmic_sent"), sd.get("mechlistmic")))
    res.add("mechListMIC s->c", cd.get("mechlistmic_checked") == "yes",
            "acceptor's mechListMIC reached the client and was accepted: %s" % cd.get("mechlistmic_checked"))


def run_negative(env, cpeer, speer, case):
    """case: wrong-password | unknown-user | ntlmv1. Returns Result with one check."""
    res = Result()
    want = speer.expected_failure(case)
    c = s = None
    try:
        s = Proc(speer.name + "/server", server_argv(env, cpeer, speer), env=speer.env(env))
        c = Proc(cpeer.name + "/client", cpeer.client_argv(env, case=case), env=cpeer.env(env))
        cfin, sfin = handshake(c, s)
        if cfin.startswith("FAIL") and case == "ntlmv1" and cpeer.v1_refused_by_client:
            res.add(case, True, "client refused: " + cfin)
        else:
            ok = sfin.startswith("FAIL") and re.search(want, sfin) is not None
            res.add(case, ok, sfin[:400] if ok else "server: %s (want FAIL matching /%s/); client: %s" % (
                sfin[:300], want, cfin[:100]))
    except Exception as e:
        res.add(case, False, "%s: %s" % (type(e).__name__, e))
    finally:
        for p in (c, s):
            if p:
                p.stop()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", default="", help="comma list of peer names")
    ap.add_argument("--no-cross", dest="cross", action="store_false",
                    help="skip the peer x peer pairs (run by default, informational: not counted)")
    args = ap.parse_args()
    env = peerdefs.Env(args.work)
    ENV.append(env)
    total_p = total_f = 0
    failures = []
    peers = peerdefs.all_peers(env)
    PEERS.extend(peers)
    if args.only:
        keep = set(args.only.split(",")) | {"ours"}
        peers = [p for p in peers if p.name in keep]
    # set-up (a peer whose set-up fails is a failure, not a skip)
    ready = []
    for p in peers:
        t0 = time.time()
        err = p.setup(env)
        if err:
            print("setup %-14s FAILED: %s" % (p.name, err))
            total_f += 1
            failures.append("setup %s: %s" % (p.name, err))
        else:
            print("setup %-14s ok (%.1fs)%s" % (p.name, time.time() - t0,
                                                 " " + p.describe() if hasattr(p, "describe") else ""))
        ready.append(p)
    clients = [p for p in ready if p.has_client]
    servers = [p for p in ready if p.has_server]
    matrix = {}
    for cp in clients:
        for sp in servers:
            if not args.cross and "ours" not in (cp.name, sp.name):
                continue
            if getattr(cp, "servers", None) and sp.name not in cp.servers:
                continue  # (samba-spnego: its shim is run with ours only)
            if cp.setup_error or sp.setup_error:  # (already counted once at set-up)
                matrix[(cp.name, sp.name)] = "SETUP"
                continue
            t0 = time.time()
            res = run_positive(env, cp, sp)
            if "ours" in (cp.name, sp.name) and cp.can_ntlmv1 and sp.accepts_ntlmv1_if_allowed:
                res.checks.extend(run_positive(env, cp, sp, v1=True).checks)
            if "ours" in (cp.name, sp.name):
                for case in ("wrong-password", "unknown-user", "ntlmv1"):
                    if case == "ntlmv1" and not (cp.can_ntlmv1 and sp.refuses_ntlmv1):
                        continue
                    r = run_negative(env, cp, sp, case)
                    res.checks.extend(r.checks)
            p, f = res.counts()
            informational = "ours" not in (cp.name, sp.name)
            if not informational:
                total_p += p
                total_f += f
            print("%-14s -> %-14s %3d passed %2d failed %2d n/a  (%.1fs) flags c=%s s=%s%s" % (
                cp.name, sp.name, p, f, len([c for c in res.checks if c[1] == "na"]),
                time.time() - t0, *(getattr(res, "flags", ("-", "-"))),
                "  [informational]" if informational else ""))
            for name, st, detail in res.checks:
                if st == "fail":
                    print("    FAIL %-18s %s" % (name, detail))
                    if not informational:
                        failures.append("%s->%s %s: %s" % (cp.name, sp.name, name, detail))
                elif name in ("wrong-password", "unknown-user", "ntlmv1"):
                    print("    ok   %-18s %s" % (name, re.sub(r"Unspecified GSS failure.*?\(minor 0\) ", "", detail)[:220]))
                elif st == "na" and VERBOSE:
                    print("    n/a  %-18s %s" % (name, detail))
            cell = "ok" if f == 0 else "FAIL(%d)" % f
            if f == 0 and any(c[1] == "na" for c in res.checks):
                cell = "ok*"
            matrix[(cp.name, sp.name)] = "(%s)" % cell if informational else cell
    # extra checks (tshark dissection, Samba-written smbpasswd, ...)
    for name, fn in peerdefs.extra_checks(env, ready):
        t0 = time.time()
        try:
            ok, detail = fn()
        except Exception as e:
            ok, detail = False, "%s: %s" % (type(e).__name__, e)
        print("check %-30s %s (%.1fs) %s" % (name, "ok" if ok else "FAIL", time.time() - t0, detail))
        if ok:
            total_p += 1
        else:
            total_f += 1
            failures.append("%s: %s" % (name, detail))
    for p in ready:
        p.teardown(env)
    # what each peer sent by default (first positive pair it was in)
    print()
    print("what each peer sends (first handshake; NEG/CHAL/AUTH flags, VERSION, MIC, MaxLen=Len):")
    for (name, role), msgs in sorted(TOKENS.items()):
        parts = []
        for a in msgs:
            t = {1: "NEG", 2: "CHAL", 3: "AUTH"}.get(a.get("type"), "?")
            d = "%s 0x%08x%s" % (t, a.get("flags", 0), " V" if a.get("version") else "")
            if a.get("type") == 3:
                d += " %s%s" % ("NTLMv2" if a.get("ntlmv2") else "NTLMv1", " MIC" if a.get("mic") else "")
            if not maxlen_ok(a)[0]:
                d += " [MaxLen!=Len: %s]" % maxlen_ok(a)[1]
            parts.append(d)
        print("  %-16s %-6s %s" % (name, role, "; ".join(parts)))
    # matrix
    print()
    print("matrix (rows: clients, columns: servers; ok* = some checks not applicable,"
          " see docs/interop.md;\n        (..) = peer x peer, informational, not counted; . = not run)")
    w = max(len(p.name) for p in ready) + 2
    print(" " * w + "".join("%-*s" % (w, sp.name) for sp in servers))
    for cp in clients:
        print("%-*s" % (w, cp.name) + "".join("%-*s" % (w, matrix.get((cp.name, sp.name), "."))
                                             for sp in servers))
    print()
    if failures:
        print("failures:")
        for f in failures:
            print("  " + f)
    print("interop: %d passed, %d failed" % (total_p, total_f))
    return 1 if total_f else 0


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    rc = 1
    try:
        rc = main()
    finally:
        for p in PEERS:  # idempotent: a second teardown finds nothing to stop
            try:
                p.teardown(ENV[0])
            except Exception:
                pass
        for p in STARTED:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait()
                except ProcessLookupError:
                    pass
    sys.exit(rc)
