"""Samba 4.17 as a peer.

client (--via ntlm_auth): `ntlm_auth --helper-protocol=ntlmssp-client-1`
    (YR -> "YR <negotiate>", "TT <challenge>" -> "KK <authenticate>", then GK
    for the session key and GF for the flags). The helper has no sign/seal
    commands: those report "unsupported" and the driver marks them n/a.
client (--via gensec): python3-samba's gensec client with the "ntlmssp"
    mechanism (the code smbclient, rpcclient and the DCE/RPC stack use);
    wrap/unwrap for sealing, sign_packet/check_packet for signing.
client (--via spnego): `ntlm_auth --helper-protocol=gss-spnego-client`, gensec's
    SPNEGO over NTLMSSP. "SF NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL"
    first (unless --no-sign): only a client that wants signing puts a MIC in
    its AUTHENTICATE and a mechListMIC in its NegTokenResp. "YR" ->
    "YR <NegTokenInit>", "TT <NegTokenResp>" -> "KK <NegTokenResp>", the
    acceptor's last NegTokenResp "TT .." -> "AF" (accepted, its mechListMIC
    checked) or "BH"/"NA" (refused); then GK and GF. The SPNEGO tokens travel
    in the TOKEN lines: the server side is tests/interop/spnego.py.
server (--via ntlm_auth): `ntlm_auth --helper-protocol=squid-2.5-ntlmssp`
    against a standalone winbindd (started by the driver) whose account was
    made with `smbpasswd -a`: "YR <negotiate>" -> "TT <challenge>",
    "KK <authenticate>" -> "AF <user>" / "NA <reason>", then GK and GF.
server (--via gensec): gensec server, "ntlmssp" mechanism, auth context with
    the "sam" method over a sam.ldb provisioned offline by the driver
    (samba-tool domain provision, standalone role, in the temp dir).
"""
import base64
import subprocess
import sys

from linepeer import b64, common_args, done, out, read_token, session


def helper(conf, proto, extra):
    argv = ["ntlm_auth", "--configfile=" + conf, "--helper-protocol=" + proto] + extra
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def ask(p, line):
    p.stdin.write(line + "\n")
    p.stdin.flush()
    r = p.stdout.readline().strip()
    return r


def ask_for(p, line, prefixes, fail="FAIL helper: "):
    """The payload of the helper's answer to line, or None after printing
    fail + the answer when it does not start with one of prefixes."""
    r = ask(p, line)
    if not r.startswith(prefixes):
        out(fail + r)
        return None
    return r[3:]


def helper_keys(p):
    gk = ask(p, "GK")
    gf = ask(p, "GF")
    key = base64.b64decode(gk[3:]) if gk.startswith("GK ") else None
    flags = int(gf[3:], 16) if gf.startswith("GF ") else 0
    return key, flags


class NoOps:
    pass


def client_spnego(a):
    import spnego
    extra = ["--username=" + a.user, "--domain=" + a.domain, "--password=" + a.password]
    if a.ntlmv1:
        extra.append("--option=client ntlmv2 auth=no")
    p = helper(a.conf, "gss-spnego-client", extra)
    sent_mic = got_mic = False
    try:
        if not a.no_sign and ask_for(p, "SF NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL", "OK") is None:
            return 1
        tok = ask_for(p, "YR", "YR ")
        if tok is None:
            return 1
        out("TOKEN " + tok)
        while True:  # the acceptor's NegTokenResp until the helper says AF
            resp = read_token()
            if resp is None:
                return 1
            try:
                got_mic = bool(spnego.decode(resp).get("mic"))
            except spnego.DERError:
                pass
            r = ask(p, "TT " + b64(resp))
            if r.startswith("KK "):
                sent_mic = bool(spnego.decode(b64dec(r[3:])).get("mic"))
                out("TOKEN " + r[3:])
                continue
            if r == "AF" or r.startswith("AF "):
                break
            out("FAIL helper refused the acceptor's token: " + r)
            return 1
        key, flags = helper_keys(p)
        done(flags, key, extra="mechlistmic_sent=%s mechlistmic_checked=%s" % (
            "yes" if sent_mic else "no", "yes" if got_mic else "no"))
        session(NoOps())
    finally:
        p.stdin.close()
        p.wait()
    return 0


def b64dec(s):
    return base64.b64decode(s)


def client_ntlm_auth(a):
    extra = ["--username=" + a.user, "--domain=" + a.domain, "--password=" + a.password]
    if a.ntlmv1:
        extra.append("--option=client ntlmv2 auth=no")
    p = helper(a.conf, "ntlmssp-client-1", extra)
    try:
        tok = ask_for(p, "YR", "YR ")
        if tok is None:
            return 1
        out("TOKEN " + tok)
        chal = read_token()
        if chal is None:
            return 1
        tok = ask_for(p, "TT " + b64(chal), ("KK ", "AF "))  # AF: the helper's last token
        if tok is None:
            return 1
        out("TOKEN " + tok)
        key, flags = helper_keys(p)
        done(flags, key)
        session(NoOps())
    finally:
        p.stdin.close()
        p.wait()
    return 0


def server_ntlm_auth(a):
    p = helper(a.conf, "squid-2.5-ntlmssp", [])
    try:
        neg = read_token()
        if neg is None:
            return 1
        tok = ask_for(p, "YR " + b64(neg), "TT ")
        if tok is None:
            return 0
        out("TOKEN " + tok)
        auth = read_token()
        if auth is None:
            return 1
        user = ask_for(p, "KK " + b64(auth), "AF ", fail="FAIL ")
        if user is None:
            return 0
        user = user.strip()
        if "\\" not in user:
            user = a.domain_name + "\\" + user
        key, flags = helper_keys(p)
        done(flags, key, user=user)
        session(NoOps())
    finally:
        p.stdin.close()
        p.wait()
    return 0


class GensecOps:
    def __init__(self, g):
        self.g = g

    def seal(self, data):
        w = bytes(self.g.wrap(data))
        return w[16:], w[:16]

    def unseal(self, data, sig):
        return bytes(self.g.unwrap(sig + data))

    def sign(self, data):
        return bytes(self.g.sign_packet(data, data))

    def verify(self, data, sig):
        self.g.check_packet(data, data, sig)


NTSTATUS = {0xC000006A: "NT_STATUS_WRONG_PASSWORD", 0xC0000064: "NT_STATUS_NO_SUCH_USER",
            0xC000006D: "NT_STATUS_LOGON_FAILURE", 0xC0000418: "NT_STATUS_NTLM_BLOCKED",
            0xC0000072: "NT_STATUS_ACCOUNT_DISABLED"}


def gensec_fail(e):
    code = e.args[0] if e.args and isinstance(e.args[0], int) else None
    if code is None:
        return "FAIL %s: %s" % (type(e).__name__, e)
    return "FAIL %s (0x%08X) %s" % (NTSTATUS.get(code, "NT_STATUS_?"), code,
                                   e.args[1] if len(e.args) > 1 else "")


def gensec_flags(neg_or_auth):
    if neg_or_auth and len(neg_or_auth) >= 64 and neg_or_auth[8] == 3:
        return int.from_bytes(neg_or_auth[60:64], "little")
    return 0


def load_parm(a, option, value, when):
    """a.conf, with option set to value when asked for."""
    from samba import param
    lp = param.LoadParm()
    lp.load(a.conf)
    if when:
        lp.set(option, value)
    return lp


def start_ntlmssp(g):
    """Asks g for signing and sealing and starts the "ntlmssp" mechanism."""
    from samba import gensec
    g.want_feature(gensec.FEATURE_SIGN)
    g.want_feature(gensec.FEATURE_SEAL)
    g.start_mech_by_name("ntlmssp")
    return g


def gensec_update(g, tok):
    """g's answer to tok, or None after printing the failure."""
    try:
        return g.update(tok)[1]
    except Exception as e:
        out(gensec_fail(e))
        return None


def client_gensec(a):
    from samba import credentials, gensec
    lp = load_parm(a, "client ntlmv2 auth", "no", a.ntlmv1)
    creds = credentials.Credentials()
    creds.guess(lp)
    creds.set_username(a.user)
    creds.set_domain(a.domain)
    creds.set_password(a.password)
    creds.set_workstation(a.workstation)
    g = gensec.Security.start_client({"lp_ctx": lp, "target_hostname": "interop"})
    g.set_credentials(creds)
    fin, tok = start_ntlmssp(g).update(b"")
    out("TOKEN " + b64(tok))
    chal = read_token()
    if chal is None:
        return 1
    tok = gensec_update(g, chal)
    if tok is None:
        return 1
    out("TOKEN " + b64(tok))
    done(gensec_flags(bytes(tok)), bytes(g.session_key()))
    session(GensecOps(g))
    return 0


def server_gensec(a):
    from samba import auth, gensec
    lp = load_parm(a, "ntlm auth", "yes", a.allow_ntlmv1)
    ac = auth.AuthContext(lp_ctx=lp, methods=["sam"])
    g = start_ntlmssp(gensec.Security.start_server(
        settings={"lp_ctx": lp, "target_hostname": lp.get("netbios name")}, auth_context=ac))
    neg = read_token()
    if neg is None:
        return 1
    tok = gensec_update(g, neg)
    if tok is None:
        return 0
    out("TOKEN " + b64(tok))
    auth_tok = read_token()
    if auth_tok is None:
        return 1
    if gensec_update(g, auth_tok) is None:
        return 0
    info = g.session_info()
    user = "%s\\%s" % (info.info.domain_name, info.info.account_name)
    done(gensec_flags(auth_tok), bytes(g.session_key()), user=user)
    session(GensecOps(g))
    return 0


def main():
    argv = sys.argv[1:]
    via = "ntlm_auth"
    conf = None
    rest = []
    no_sign = False
    i = 0
    while i < len(argv):
        if argv[i] == "--via":
            via = argv[i + 1]
            i += 2
        elif argv[i] == "--no-sign":
            no_sign = True
            i += 1
        elif argv[i] == "--conf":
            conf = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    a = common_args(rest)
    a.conf = conf
    a.no_sign = no_sign
    fn = {("client", "ntlm_auth"): client_ntlm_auth, ("server", "ntlm_auth"): server_ntlm_auth,
          ("client", "gensec"): client_gensec, ("server", "gensec"): server_gensec,
          ("client", "spnego"): client_spnego}[(a.role, via)]
    return fn(a)


if __name__ == "__main__":
    sys.exit(main())
