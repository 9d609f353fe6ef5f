#!/usr/bin/python3
"""A man in the middle between `ntlm client` and `ntlm server`.

Both tools run as subprocesses with their default settings; the proxy
relays the TOKEN lines of their line protocol (see ntlm(1)) and may rewrite
each NTLM message on the way. Every scenario applies one rewrite and checks
that the attack fails; the unmodified relay must succeed (with session
security both ways), so that the test can fail.

The module has three parts, so other protocols can reuse the first two:
  - an NTLM message codec of its own ([MS-NLMP] 2.2), independent of the C
    code under test: NEGOTIATE / CHALLENGE / AUTHENTICATE, AV pairs, the
    NTLMv2 response;
  - the relay core: LinePeer (a line-protocol subprocess) and relay(),
    which hands every message to a rewrite function keyed by message type;
  - the scenarios.

Usage: ntlm_mitm.py [PATH/TO/ntlm] [SCENARIO...]
Prints one line per check and "mitm: N passed, N failed"; exits 1 on failure.
"""
import base64
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402

# ------------------------------------------------------------------ codec

SIGNATURE = b"NTLMSSP\0"
NEGOTIATE, CHALLENGE, AUTHENTICATE = 1, 2, 3

F_UNICODE = 0x00000001
F_SIGN = 0x00000010
F_SEAL = 0x00000020
F_LM_KEY = 0x00000080
F_ALWAYS_SIGN = 0x00008000
F_ESS = 0x00080000
F_VERSION = 0x02000000
F_128 = 0x20000000
F_KEY_EXCH = 0x40000000
F_56 = 0x80000000

AV_EOL, AV_NB_COMPUTER, AV_NB_DOMAIN, AV_FLAGS, AV_TIMESTAMP = 0, 1, 2, 6, 7
AV_TARGET_NAME, AV_CHANNEL_BINDINGS = 9, 10
AVF_MIC = 0x2


class CodecError(Exception):
    pass


def message_type(msg):
    if len(msg) < 12 or msg[:8] != SIGNATURE:
        raise CodecError("not an NTLMSSP message")
    return struct.unpack_from("<I", msg, 8)[0]


def get_field(msg, at):
    """A (Len, MaxLen, Offset) field at `at`: the bytes it points to, and its offset."""
    ln, _, off = struct.unpack_from("<HHI", msg, at)
    if off + ln > len(msg):
        raise CodecError("field at %d leaves the message" % at)
    return msg[off:off + ln], off


def get_flags(msg, at):
    return struct.unpack_from("<I", msg, at)[0]


def set_flags(msg, at, flags):
    out = bytearray(msg)
    struct.pack_into("<I", out, at, flags & 0xFFFFFFFF)
    return bytes(out)


def layout(header, fields):
    """header with its (Len, MaxLen, Offset) fields pointing at the payloads
    appended in order. fields: [(offset of the field in header, bytes)]."""
    out = bytearray(header)
    payload = bytearray()
    for at, data in fields:
        struct.pack_into("<HHI", out, at, len(data), len(data), len(header) + len(payload))
        payload += data
    return bytes(out + payload)


def parse_av(data):
    """AV pairs -> ordered [(id, value)], without the terminator."""
    pairs, i = [], 0
    while True:
        if i + 4 > len(data):
            raise CodecError("AV pairs without MsvAvEOL")
        av_id, ln = struct.unpack_from("<HH", data, i)
        i += 4
        if av_id == AV_EOL:
            return pairs
        if i + ln > len(data):
            raise CodecError("AV pair %d leaves the list" % av_id)
        pairs.append((av_id, bytes(data[i:i + ln])))
        i += ln


def build_av(pairs):
    out = b"".join(struct.pack("<HH", i, len(v)) + v for i, v in pairs)
    return out + struct.pack("<HH", AV_EOL, 0)


def av_get(pairs, av_id):
    for i, v in pairs:
        if i == av_id:
            return v
    return None


def av_without(pairs, *ids):
    return [(i, v) for i, v in pairs if i not in ids]


def av_with(pairs, av_id, value):
    """Replaces av_id's value, or appends it."""
    if av_get(pairs, av_id) is None:
        return pairs + [(av_id, value)]
    return [(i, value if i == av_id else v) for i, v in pairs]


def utf16(s):
    return s.encode("utf-16-le")


class Negotiate:
    FLAGS = 12

    @staticmethod
    def flags(msg):
        return get_flags(msg, Negotiate.FLAGS)

    @staticmethod
    def with_flags(msg, flags):
        return set_flags(msg, Negotiate.FLAGS, flags)


class Challenge:
    TARGET_NAME, FLAGS, TARGET_INFO = 12, 20, 40

    def __init__(self, msg):
        if message_type(msg) != CHALLENGE or len(msg) < 48:
            raise CodecError("not a CHALLENGE")
        self.flags = get_flags(msg, self.FLAGS)
        self.server_challenge = msg[24:32]
        self.target_name, tn_off = get_field(msg, self.TARGET_NAME)
        ti, ti_off = get_field(msg, self.TARGET_INFO)
        self.target_info = parse_av(ti) if ti else []
        # the fixed part: 48 bytes, 56 with a VERSION
        payload_at = min([o for o, d in ((tn_off, self.target_name), (ti_off, ti)) if d] or [len(msg)])
        self.header = msg[:56] if payload_at >= 56 else msg[:48]

    def encode(self):
        header = set_flags(self.header, self.FLAGS, self.flags)
        return layout(header, [(self.TARGET_NAME, self.target_name),
                               (self.TARGET_INFO, build_av(self.target_info))])


class Authenticate:
    LM, NT, DOMAIN, USER, WORKSTATION, SESSION_KEY = 12, 20, 28, 36, 44, 52
    FLAGS, VERSION_AT, MIC_AT, MIC_END = 60, 64, 72, 88
    PAYLOADS = (LM, NT, DOMAIN, USER, WORKSTATION, SESSION_KEY)

    def __init__(self, msg):
        if message_type(msg) != AUTHENTICATE or len(msg) < 64:
            raise CodecError("not an AUTHENTICATE")
        self.flags = get_flags(msg, self.FLAGS)
        self.fields = {}
        where = {}
        for at in self.PAYLOADS:
            self.fields[at], where[at] = get_field(msg, at)
        # re-encoded in the sender's payload order
        self.order = sorted(self.PAYLOADS, key=lambda at: where[at])
        offsets = [where[at] for at in self.PAYLOADS if self.fields[at]]
        payload_at = min(offsets or [len(msg)])
        self.version = msg[self.VERSION_AT:self.MIC_AT] if payload_at >= self.MIC_AT else None
        self.mic = msg[self.MIC_AT:self.MIC_END] if payload_at >= self.MIC_END else None

    def encode(self):
        header = bytearray(SIGNATURE + struct.pack("<I", AUTHENTICATE) + bytes(52))
        struct.pack_into("<I", header, self.FLAGS, self.flags)
        if self.version is not None or self.mic is not None:
            header += self.version if self.version is not None else bytes(8)
        if self.mic is not None:
            header += self.mic
        return layout(bytes(header), [(at, self.fields[at]) for at in self.order])

    @property
    def nt_response(self):
        return self.fields[self.NT]

    def v2_av_pairs(self):
        """The AV pairs of an NTLMv2 response (NTProofStr(16), then the blob:
        RespType, HiRespType, Z(6), Timestamp(8), ClientChallenge(8), Z(4), AV pairs)."""
        nt = self.nt_response
        if len(nt) <= 24:
            return None
        return parse_av(nt[16 + 28:])


# ------------------------------------------------------------- relay core

TIMEOUT = 15


class LinePeer(LineProc):
    """A subprocess speaking one line per message, read with a timeout."""

    timeout = TIMEOUT

    def __init__(self, argv, env=None, name=None):
        self.name = name or os.path.basename(argv[0])
        super().__init__(argv, env)

    def last_word(self):
        """Its final line once its input ends (it waits for a peer that gave up)."""
        try:
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        line = self.recv()
        return line if line != "EOF" else "EOF " + " ".join(self.err)[-200:].strip()

    def close(self):
        self.send("QUIT")
        try:
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Outcome:
    """What a relayed handshake came to."""

    def __init__(self):
        self.client_final = self.server_final = ""
        self.sent = []       # messages as their sender produced them
        self.delivered = []  # messages as the proxy passed them on
        self.session_ok = None  # sealing both ways (when both ends are DONE)

    @property
    def client_done(self):
        return self.client_final.startswith("DONE")

    @property
    def server_done(self):
        return self.server_final.startswith("DONE")

    @property
    def refused(self):
        return not (self.client_done and self.server_done)

    def server_flags(self):
        for w in self.server_final.split():
            if w.startswith("flags="):
                return int(w[6:], 16)
        return None

    def original(self, kind):
        return next((m for m in self.sent if message_type(m) == kind), None)

    def forwarded(self, kind):
        return next((m for m in self.delivered if message_type(m) == kind), None)

    def __str__(self):
        return "client: %s | server: %s" % (self.client_final[:160], self.server_final[:200])


def no_rewrite(kind, msg):
    return msg


def rewrites(**by_kind):
    """A rewrite function from per-message ones: negotiate=, challenge=, authenticate=."""
    names = {"negotiate": NEGOTIATE, "challenge": CHALLENGE, "authenticate": AUTHENTICATE}
    table = {names[k]: f for k, f in by_kind.items()}

    def rewrite(kind, msg):
        f = table.get(kind)
        return f(msg) if f else msg
    return rewrite


def seal_probe(src, dst, text):
    """src seals text, dst unseals it: True when dst reads text back."""
    src.send("SEAL " + base64.b64encode(text).decode())
    r = src.recv().split()
    if len(r) != 3 or r[0] != "SEALED":
        return False
    dst.send("UNSEAL %s %s" % (r[1], r[2]))
    r = dst.recv().split()
    return len(r) == 2 and r[0] == "PLAIN" and base64.b64decode(r[1]) == text


def relay(client_argv, server_argv, rewrite=no_rewrite, env=None):
    """Runs client and server with the proxy between them. Every TOKEN is
    decoded, given to rewrite(message type, bytes) and the result forwarded."""
    out = Outcome()
    c = LinePeer(client_argv, env=env, name="client")
    s = LinePeer(server_argv, env=env, name="server")
    try:
        src, dst = c, s
        for _ in range(6):
            line = src.recv()
            if not line.startswith("TOKEN "):
                if src is c:
                    out.client_final = line
                else:
                    out.server_final = line
                break
            msg = base64.b64decode(line[6:])
            out.sent.append(msg)
            msg = rewrite(message_type(msg), msg)
            out.delivered.append(msg)
            dst.send("TOKEN " + base64.b64encode(msg).decode())
            if src is c and message_type(msg) == AUTHENTICATE:
                out.client_final = c.recv()  # the client's DONE follows its last token
            src, dst = dst, src
        if not out.client_final:
            out.client_final = c.last_word()
        if not out.server_final:
            out.server_final = s.last_word()
        if out.client_done and out.server_done:
            out.session_ok = (seal_probe(c, s, b"client to server") and
                              seal_probe(s, c, b"server to client"))
    finally:
        c.close()
        s.close()
    return out


# ---------------------------------------------------------------- rewrites

def clear_negotiate_flags(bits):
    return lambda m: Negotiate.with_flags(m, Negotiate.flags(m) & ~bits)


def edit_challenge(flags_clear=0, drop=(), add=()):
    """A CHALLENGE rewrite: clear flag bits, drop AV ids, add/replace (id, value) pairs."""
    def rewrite(m):
        c = Challenge(m)
        c.flags &= ~flags_clear
        c.target_info = av_without(c.target_info, *drop)
        for av_id, value in add:
            c.target_info = av_with(c.target_info, av_id, value)
        return c.encode()
    return rewrite


def edit_authenticate(flags_clear=0, strip_mic=False):
    def rewrite(m):
        a = Authenticate(m)
        a.flags &= ~flags_clear
        if strip_mic:
            a.mic = None
        return a.encode()
    return rewrite


SESSION_BITS = F_SIGN | F_SEAL | F_KEY_EXCH

# ---------------------------------------------------------------- scenarios

PASSED = FAILED = 0


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok   " + name)
    else:
        FAILED += 1
        print("FAIL %s%s" % (name, (": " + str(detail)[:600]) if detail else ""))
    sys.stdout.flush()
    return ok


class Env:
    def __init__(self, ntlm):
        self.ntlm = ntlm
        self.work = tempfile.mkdtemp(prefix="ntlm-mitm-")
        self.accounts = os.path.join(self.work, "accounts")
        # defaults, whatever the host has: an empty policy file (/dev/null is no regular file)
        policy = os.path.join(self.work, "ntlmssp.conf")
        open(policy, "w").close()
        self.env = dict(os.environ, NTLMSSP_CONF=policy)
        r = subprocess.run([ntlm, "passwd", "--account-file", self.accounts,
                            "--password-on-command-line", "Alice-Pass1", "add", "alice"],
                           capture_output=True, text=True, env=self.env, timeout=TIMEOUT)
        if r.returncode != 0:
            raise SystemExit("ntlm passwd add: " + r.stderr)

    def client(self, *extra):
        return [self.ntlm, "client", "--user", "alice", "--domain", "TESTDOM",
                "--password", "Alice-Pass1", "--workstation", "WS1"] + list(extra)

    def server(self, *extra):
        return [self.ntlm, "server", "--account-file", self.accounts,
                "--computer-name", "SRV"] + list(extra)

    def run(self, rewrite=no_rewrite, client_extra=(), server_extra=()):
        return relay(self.client(*client_extra), self.server(*server_extra), rewrite, self.env)

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)


def rewritten(out, kind):
    """The rewrite really changed the message (else the scenario proves nothing)."""
    return out.original(kind) is not None and out.original(kind) != out.forwarded(kind)


def scenario_baseline(env):
    """No rewrite: both ends DONE with full session security that works."""
    out = env.run()
    f = out.server_flags() or 0
    want = F_SIGN | F_SEAL | F_KEY_EXCH | F_ESS | F_128
    check("baseline: unmodified relay completes", out.client_done and out.server_done, out)
    check("baseline: sign, seal, key exchange, ESS, 128-bit negotiated", f & want == want, hex(f))
    check("baseline: sealing works both ways through the relay", out.session_ok, out)
    a = Authenticate(out.forwarded(AUTHENTICATE))
    av = a.v2_av_pairs() or []
    check("baseline: the client sends a MIC and announces it",
          a.mic is not None and struct.unpack("<I", av_get(av, AV_FLAGS) or bytes(4))[0] & AVF_MIC,
          av)
    # the codec re-encodes what it parsed to the same bytes
    for kind, cls in ((CHALLENGE, Challenge), (AUTHENTICATE, Authenticate)):
        m = out.original(kind)
        check("codec: %s re-encodes unchanged" % cls.__name__, cls(m).encode() == m)


def scenario_timestamp_stripping(env):
    """Item 5: no session security asked for, no timestamp in the CHALLENGE
    (so the client sends no MIC): the server must refuse."""
    out = env.run(rewrites(negotiate=clear_negotiate_flags(SESSION_BITS),
                           challenge=edit_challenge(flags_clear=SESSION_BITS, drop=[AV_TIMESTAMP])))
    check("timestamp stripping: the rewrites applied",
          rewritten(out, NEGOTIATE) and rewritten(out, CHALLENGE), out)
    check("timestamp stripping + session security cleared: server refuses",
          out.server_final.startswith("FAIL") and not out.server_done, out)


def scenario_timestamp_stripping_authenticate(env):
    """Item 5, flags cleared in the AUTHENTICATE too (no MIC binds them)."""
    out = env.run(rewrites(challenge=edit_challenge(drop=[AV_TIMESTAMP]),
                           authenticate=edit_authenticate(flags_clear=SESSION_BITS)))
    check("timestamp stripping + AUTHENTICATE flags cleared: server refuses",
          out.server_final.startswith("FAIL"), out)


SPN = "HTTP/legit.test"
SERVER_CBT = "00112233445566778899aabbccddeeff"


def inject_target_and_bindings(strip_timestamp):
    add = [(AV_TARGET_NAME, utf16(SPN)), (AV_CHANNEL_BINDINGS, bytes.fromhex(SERVER_CBT))]
    return rewrites(challenge=edit_challenge(drop=[AV_TIMESTAMP] if strip_timestamp else [],
                                             add=add))


STRICT_SERVER = ("--service-name", SPN, "--require-target-name", "--cbt-policy", "required",
                 "--cbt-hash", SERVER_CBT)


def scenario_injected_target_and_bindings(env):
    """Item 1 seen from the server: the MitM strips the timestamp and injects
    the target name and bindings the server requires: refused."""
    out = env.run(inject_target_and_bindings(True), server_extra=STRICT_SERVER)
    check("injected target name + bindings, timestamp stripped: refused", out.refused, out)
    out = env.run(inject_target_and_bindings(False), server_extra=STRICT_SERVER)
    check("injected target name + bindings, timestamp kept (MIC): refused", out.refused, out)


def scenario_client_drops_injected_pairs(env):
    """Item 1 seen from the client: it never echoes a server-sent
    MsvAvTargetName or MsvAvChannelBindings."""
    name = "client does not echo injected target name / bindings"
    out = env.run(inject_target_and_bindings(True), server_extra=STRICT_SERVER)
    a = out.forwarded(AUTHENTICATE)
    av = Authenticate(a).v2_av_pairs() if a else None
    ok = av is not None and av_get(av, AV_TARGET_NAME) != utf16(SPN) and \
        av_get(av, AV_CHANNEL_BINDINGS) != bytes.fromhex(SERVER_CBT)
    check(name, ok or (a is None and not out.client_done), av)


def scenario_downgrades(env):
    """A MitM's other downgrades on the default policy: each fails or is caught."""
    cases = [
        ("drop ESS from NEGOTIATE", rewrites(negotiate=clear_negotiate_flags(F_ESS))),
        ("drop ESS from CHALLENGE", rewrites(challenge=edit_challenge(flags_clear=F_ESS))),
        ("drop 128-bit from NEGOTIATE", rewrites(negotiate=clear_negotiate_flags(F_128))),
        ("drop 128-bit from CHALLENGE", rewrites(challenge=edit_challenge(flags_clear=F_128))),
        ("drop key exchange from CHALLENGE",
         rewrites(challenge=edit_challenge(flags_clear=F_KEY_EXCH))),
        ("drop sign/seal/key exchange from NEGOTIATE (MIC kept)",
         rewrites(negotiate=clear_negotiate_flags(SESSION_BITS))),
        ("clear sign/seal/key exchange in AUTHENTICATE (MIC present)",
         rewrites(authenticate=edit_authenticate(flags_clear=SESSION_BITS))),
        ("swap 128-bit for 56-bit in AUTHENTICATE (MIC present)",
         rewrites(authenticate=lambda m: _swap_auth_flags(m, F_128, F_56))),
        ("remove the MIC field from AUTHENTICATE",
         rewrites(authenticate=edit_authenticate(strip_mic=True))),
        ("add LM_KEY to NEGOTIATE and CHALLENGE",
         rewrites(negotiate=lambda m: Negotiate.with_flags(m, Negotiate.flags(m) | F_LM_KEY),
                  challenge=_add_challenge_flags(F_LM_KEY))),
    ]
    for label, rw in cases:
        out = env.run(rw)
        changed = any(rewritten(out, k) for k in (NEGOTIATE, CHALLENGE, AUTHENTICATE))
        # caught: somebody refuses; or, if both finish, nothing was weakened
        weakened = not out.refused and (
            (out.server_flags() or 0) & (F_SIGN | F_SEAL | F_KEY_EXCH | F_ESS | F_128) !=
            (F_SIGN | F_SEAL | F_KEY_EXCH | F_ESS | F_128) or not out.session_ok)
        check("downgrade: %s -> caught" % label, changed and not weakened,
              ("rewrite had no effect; " if not changed else "") + str(out))


def _swap_auth_flags(m, clear, setbits):
    a = Authenticate(m)
    a.flags = (a.flags & ~clear) | setbits
    return a.encode()


def _add_challenge_flags(bits):
    def rewrite(m):
        c = Challenge(m)
        c.flags |= bits
        return c.encode()
    return rewrite


SCENARIOS = [scenario_baseline, scenario_timestamp_stripping,
             scenario_timestamp_stripping_authenticate, scenario_injected_target_and_bindings,
             scenario_client_drops_injected_pairs, scenario_downgrades]


def main(argv):
    ntlm = os.path.abspath(argv[1] if len(argv) > 1 else "build/tools/ntlm")
    wanted = set(argv[2:])
    if not os.access(ntlm, os.X_OK):
        check("prerequisites", False, ntlm + " not built")
    else:
        env = Env(ntlm)
        try:
            for sc in SCENARIOS:
                if not wanted or sc.__name__.replace("scenario_", "") in wanted:
                    sc(env)
        finally:
            env.cleanup()
    print("mitm: %d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
