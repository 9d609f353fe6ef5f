#!/usr/bin/python3
"""SPNEGO (RFC 4178 / MS-SPNG) test shim around a line-protocol NTLM server.

SPNEGO is not part of the library: this is a stdlib-only test shim that lets
a SPNEGO initiator (Samba's `ntlm_auth --helper-protocol=gss-spnego-client`)
authenticate against a plain NTLM server such as `ntlm server`.

    spnego.py accept [--tamper-mic] -- SERVER-ARGV...

speaks the suite's server line protocol on stdin/stdout with SPNEGO tokens and
runs SERVER-ARGV (a line-protocol NTLM server) with the NTLM tokens:

  TOKEN <NegTokenInit>   -> unwraps the GSS-API initial-context token (0x60,
                            OID 1.3.6.1.5.5.2), checks NTLMSSP is offered
                            first with an optimistic mechToken, passes the
                            NEGOTIATE on
                         <- TOKEN <NegTokenResp accept-incomplete,
                            supportedMech NTLMSSP, responseToken CHALLENGE>
  TOKEN <NegTokenResp>   -> passes the AUTHENTICATE on; when the initiator
                            sent a mechListMIC, checks it with the server's
                            VERIFY (NTLM signature, sequence 0, over the DER
                            MechTypeList exactly as the initiator sent it) and
                            signs the same bytes with SIGN
                         <- TOKEN <NegTokenResp accept-completed [, mechListMIC]>
                         <- DONE <the server's DONE words> spnego=ntlmssp
                            mechlistmic=verified|none
  FAIL <reason> whenever the server or a check refuses. --tamper-mic flips
  a bit of our mechListMIC (the initiator must then refuse the last token). After DONE every
  line (SIGN/VERIFY/SEAL/UNSEAL/QUIT) goes to the server unchanged; its
  sequence numbers have moved on by one each way, as the initiator's have.

The DER helpers (encode/decode of NegotiationToken) are used by the Samba
SPNEGO client adapter (peer_samba.py --via spnego) and interop.py too.
"""
import base64
import subprocess
import sys

SPNEGO_OID = "1.3.6.1.5.5.2"
NTLMSSP_OID = "1.3.6.1.4.1.311.2.2.10"
NEG_STATES = {0: "accept-completed", 1: "accept-incomplete", 2: "reject", 3: "request-mic"}


class DERError(ValueError):
    pass


# --- minimal DER -----------------------------------------------------------

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def read_tlv(buf, off=0):
    """(tag, content, end offset) of the TLV at off; definite lengths only."""
    if off + 2 > len(buf):
        raise DERError("truncated TLV at %d" % off)
    tag = buf[off]
    if tag & 0x1f == 0x1f:
        raise DERError("multi-byte tag at %d" % off)
    n = buf[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7f
        if k == 0 or k > 4 or off + k > len(buf):
            raise DERError("bad length at %d" % (off - 1))
        n = int.from_bytes(buf[off:off + k], "big")
        off += k
    if off + n > len(buf):
        raise DERError("length %d past the end at %d" % (n, off))
    return tag, buf[off:off + n], off + n


def children(content):
    """[(tag, content, raw TLV bytes)] of a constructed value's content."""
    out, off = [], 0
    while off < len(content):
        tag, c, end = read_tlv(content, off)
        out.append((tag, c, content[off:end]))
        off = end
    return out


def oid_encode(dotted):
    arcs = [int(x) for x in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7f]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7f))
            a >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def oid_decode(content):
    if not content:
        raise DERError("empty OID")
    arcs = [content[0] // 40, content[0] % 40]
    v = 0
    for b in content[1:]:
        v = (v << 7) | (b & 0x7f)
        if not b & 0x80:
            arcs.append(v)
            v = 0
    return ".".join(str(a) for a in arcs)


# --- NegotiationToken ---------------------------------------------------------

def encode_init(mechs, mech_token=None, mic=None):
    """GSS-API initial-context token: 0x60 { SPNEGO OID, [0] NegTokenInit }."""
    mech_types = tlv(0x30, b"".join(oid_encode(m) for m in mechs))
    body = tlv(0xa0, mech_types)
    if mech_token is not None:
        body += tlv(0xa2, tlv(0x04, mech_token))
    if mic is not None:
        body += tlv(0xa3, tlv(0x04, mic))
    return tlv(0x60, oid_encode(SPNEGO_OID) + tlv(0xa0, tlv(0x30, body)))


def encode_resp(neg_state=None, mech=None, token=None, mic=None):
    """[1] NegTokenResp (no GSS-API wrapper: only the first token has one)."""
    body = b""
    if neg_state is not None:
        body += tlv(0xa0, tlv(0x0a, bytes([neg_state])))
    if mech is not None:
        body += tlv(0xa1, oid_encode(mech))
    if token is not None:
        body += tlv(0xa2, tlv(0x04, token))
    if mic is not None:
        body += tlv(0xa3, tlv(0x04, mic))
    return tlv(0xa1, tlv(0x30, body))


def decode(tok):
    """A NegotiationToken as a dict: kind "init" (mechs, mech_types_der: the
    MechTypeList TLV as sent, req_flags, token, mic) or "resp" (state, mech,
    token, mic). Raises DERError."""
    tag, content, end = read_tlv(tok)
    if end != len(tok):
        raise DERError("%d trailing bytes" % (len(tok) - end))
    if tag == 0x60:  # [APPLICATION 0] { thisMech OID, innerContextToken }
        t, oid, off = read_tlv(content)
        if t != 0x06 or oid_decode(oid) != SPNEGO_OID:
            raise DERError("initial-context token for mechanism %s, not SPNEGO" % (
                oid_decode(oid) if t == 0x06 else "?"))
        tag, content, _ = read_tlv(content, off)
    if tag not in (0xa0, 0xa1):
        raise DERError("not a NegotiationToken (tag 0x%02x)" % tag)
    t, seq, _ = read_tlv(content)
    if t != 0x30:
        raise DERError("NegotiationToken choice is not a SEQUENCE")
    d = {"kind": "init" if tag == 0xa0 else "resp", "token": None, "mic": None}
    for ctag, c, raw in children(seq):
        _, inner, _ = read_tlv(c)
        n = ctag & 0x1f
        if d["kind"] == "init":
            if n == 0:
                d["mech_types_der"] = c  # the MechTypeList TLV, for the mechListMIC
                d["mechs"] = [oid_decode(o) for t2, o, _ in children(inner) if t2 == 0x06]
            elif n == 1:
                d["req_flags"] = inner
            elif n == 2:
                d["token"] = inner
            elif n == 3:
                d["mic"] = inner  # (a NegTokenInit2's [3] negHints never comes from a client)
            elif n == 4:
                d["mic"] = inner
        else:
            if n == 0:
                d["state"] = inner[0] if inner else None
            elif n == 1:
                d["mech"] = oid_decode(inner)
            elif n == 2:
                d["token"] = inner
            elif n == 3:
                d["mic"] = inner
    if d["kind"] == "init" and "mechs" not in d:
        raise DERError("NegTokenInit without mechTypes")
    return d


def ntlm_token(tok):
    """The NTLMSSP message inside a SPNEGO token, or tok itself when it is a
    raw NTLMSSP message; None when there is none."""
    if tok[:8] == b"NTLMSSP\0":
        return tok
    try:
        return decode(tok)["token"]
    except (DERError, IndexError):
        return None


def describe(d):
    if d["kind"] == "init":
        s = "NegTokenInit mechTypes=[%s]" % ",".join(
            "NTLMSSP" if m == NTLMSSP_OID else m for m in d["mechs"])
    else:
        s = "NegTokenResp negState=%s" % NEG_STATES.get(d.get("state"), d.get("state"))
        if d.get("mech"):
            s += " supportedMech=%s" % ("NTLMSSP" if d["mech"] == NTLMSSP_OID else d["mech"])
    if d.get("token"):
        s += " token=%dB" % len(d["token"])
    if d.get("mic"):
        s += " mechListMIC=%dB" % len(d["mic"])
    return s


# --- the acceptor shim ---------------------------------------------------------

def b64(b):
    return base64.b64encode(bytes(b)).decode()


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Inner:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  bufsize=1)

    def cmd(self, line):
        try:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            return "EOF"
        r = self.p.stdout.readline()
        return r.rstrip("\r\n") if r else "EOF"

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait()


def read_spnego(want):
    """The next TOKEN line from stdin decoded; None at EOF/QUIT, after
    printing FAIL when it is not a NegotiationToken of the wanted kind."""
    for line in sys.stdin:
        line = line.strip()
        if line == "QUIT":
            return None
        if not line.startswith("TOKEN "):
            out("ERR expected TOKEN")
            continue
        try:
            d = decode(base64.b64decode(line[6:]))
        except (DERError, ValueError) as e:
            out("FAIL spnego: cannot decode %s: %s" % (want, e))
            return None
        if d["kind"] != want:
            out("FAIL spnego: expected NegToken%s, got %s" % (want.capitalize(), describe(d)))
            return None
        return d
    return None


def accept(server_argv, tamper_mic=False):
    init = read_spnego("init")
    if init is None:
        return 0
    mechs = init["mechs"]
    if NTLMSSP_OID not in mechs:
        out("FAIL spnego: NTLMSSP not offered (mechTypes %s)" % ",".join(mechs))
        return 0
    if mechs[0] != NTLMSSP_OID or not init["token"]:
        # (an initiator preferring another mechanism would need a NegTokenResp
        # without responseToken first; the initiators used here do not)
        out("FAIL spnego: no optimistic NTLMSSP token (%s)" % describe(init))
        return 0
    inner = Inner(server_argv)
    try:
        r = inner.cmd("TOKEN " + b64(init["token"]))
        if not r.startswith("TOKEN "):
            out(r if r.startswith("FAIL") else "FAIL server: " + r)
            return 0
        chal = base64.b64decode(r[6:])
        out("TOKEN " + b64(encode_resp(1, NTLMSSP_OID, chal)))
        resp = read_spnego("resp")
        if resp is None:
            return 0
        if not resp["token"]:
            out("FAIL spnego: no AUTHENTICATE in %s" % describe(resp))
            return 0
        fin = inner.cmd("TOKEN " + b64(resp["token"]))
        if not fin.startswith("DONE"):
            out(fin if fin.startswith("FAIL") else "FAIL server: " + fin)
            return 0
        mic = None
        state = "none"
        if resp["mic"]:
            mt = init["mech_types_der"]
            v = inner.cmd("VERIFY %s %s" % (b64(mt), b64(resp["mic"])))
            if v != "OK":
                out("FAIL spnego: initiator's mechListMIC refused by the server: " + v)
                return 0
            s = inner.cmd("SIGN " + b64(mt))
            if not s.startswith("SIG "):
                out("FAIL spnego: server cannot sign the mechListMIC: " + s)
                return 0
            mic = base64.b64decode(s.split()[1])
            if tamper_mic:
                mic = mic[:-1] + bytes([mic[-1] ^ 0x01])
            state = "verified"
        out("TOKEN " + b64(encode_resp(0, None, None, mic)))
        out("%s spnego=ntlmssp mechlistmic=%s" % (fin, state))
        for line in sys.stdin:  # the session: the server's commands, unchanged
            line = line.strip()
            if not line:
                continue
            if line == "QUIT":
                break
            out(inner.cmd(line))
    finally:
        inner.close()
    return 0


def main():
    argv = sys.argv[1:]
    tamper = "--tamper-mic" in argv[:2]
    if tamper:
        argv.remove("--tamper-mic")
    if len(argv) < 3 or argv[0] != "accept" or argv[1] != "--":
        sys.stderr.write("usage: spnego.py accept [--tamper-mic] -- SERVER-ARGV...\n")
        return 2
    return accept(argv[2:], tamper)


if __name__ == "__main__":
    sys.exit(main())
