#!/usr/bin/python3
"""A GSSAPI NTLM mechanism (OID 1.3.6.1.4.1.311.2.2.10) as an interop peer,
through python3-gssapi and MIT krb5's mechglue.

It takes the command line of `ntlm client` / `ntlm server` (what interop.py's
"ours" peer passes), so the suite's driver runs unchanged with
INTEROP_OURS=<this file>: the existing peers then authenticate against the
mechanism in both roles. The mechanism is the one named in the mech.d-style
file $GSSPEER_MECH_CONFIG (copied to GSS_MECH_CONFIG before the mechglue
loads; the host's /etc/gss is never read).

  client --user U --domain D --password P [--ntlmv1]
      gss_acquire_cred_with_password("D\\U"), gss_init_sec_context
      (target host@<domain>); --ntlmv1 sets LM_COMPAT_LEVEL=2 (NTLMv1 + ESS),
      which both gss-ntlmssp and ours read.
  server --account-file F --computer-name N [--allow-ntlmv1]
      gss_acquire_cred(ACCEPT) with NTLM_USER_FILE=F (an smbpasswd file:
      both mechanisms read that form), NETBIOS_COMPUTER_NAME=N,
      LM_COMPAT_LEVEL=5 (NTLMv1 refused) or 2 with --allow-ntlmv1, which for
      ours is a policy file allowing NTLMv1 (credential-store key
      ntlmssp_policy: its acceptor takes no leniency from the environment).

DONE carries the session key (GSS_C_INQ_SSPI_SESSION_KEY) and the flags of
the AUTHENTICATE; FAIL carries gss_display_status of the minor code first
(the mechanism's own reason text), then of the major code. SEAL/UNSEAL are gss_wrap/gss_unwrap
(an NTLM wrap token is signature(16) || sealed data), SIGN/VERIFY are
gss_get_mic/gss_verify_mic.
"""
import os
import re
import struct
import sys

from linepeer import b64, done, out, read_token, session

NTLM_OID = "1.3.6.1.4.1.311.2.2.10"
SESSION_KEY_OID = "1.2.840.113554.1.2.2.5.5"  # GSS_C_INQ_SSPI_SESSION_KEY


def parse_args(argv):
    """`ntlm client` / `ntlm server` options; the ones a GSSAPI mechanism takes
    from elsewhere (names, DNS names, --show-session-key) are accepted and
    either mapped to the environment or ignored."""
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["client", "server"])
    for opt in ("--user", "--domain", "--password", "--workstation", "--account-file",
                "--computer-name", "--domain-name", "--dns-computer-name"):
        p.add_argument(opt, default="")
    for flag in ("--ntlmv1", "--allow-ntlmv1", "--show-session-key"):
        p.add_argument(flag, action="store_true")
    return p.parse_args(argv)


def set_environment(a):
    """Before gssapi is imported: the mechglue reads GSS_MECH_CONFIG once, the
    mechanisms read their variables when credentials are acquired."""
    mech = os.environ.get("GSSPEER_MECH_CONFIG")
    if not mech:
        out("FAIL GSSPEER_MECH_CONFIG is not set (a mech.d file naming the mechanism)")
        sys.exit(1)
    os.environ["GSS_MECH_CONFIG"] = mech
    if a.role == "client":
        os.environ.pop("NTLM_USER_FILE", None)  # the password given, no default credentials
        if a.ntlmv1:
            os.environ["LM_COMPAT_LEVEL"] = "2"
    else:
        os.environ["NTLM_USER_FILE"] = a.account_file
        if a.computer_name:
            os.environ["NETBIOS_COMPUTER_NAME"] = a.computer_name
        os.environ["LM_COMPAT_LEVEL"] = "2" if a.allow_ntlmv1 else "5"


def reason(e, where):
    """The mechanism's words first (gss_display_status of the minor code: the
    driver matches reason names at the start), then the major code's."""
    try:
        minor = "; ".join(e.get_all_statuses(e.min_code, False)) if e.min_code else ""
        major = "; ".join(e.get_all_statuses(e.maj_code, True))
    except Exception:  # (a status the glue cannot display)
        minor, major = "", str(e)
    text = "%s (%s; %s, minor %d)" % (minor, major, where, e.min_code) if minor else \
        "%s (%s)" % (major, where)
    # `ntlm server` starts its FAIL line with the error's name: so does this
    # adapter when the mechanism's text names one (ours: "... (NTLM_E_X)")
    name = re.search(r"\((NTLM_E_[A-Z0-9_]+)\)", minor)
    if name:
        text = "%s %s" % (name.group(1), text)
    return text.replace("\n", " ")


class Ops:
    def __init__(self, ctx):
        self.ctx = ctx

    def seal(self, data):
        w = self.ctx.wrap(data, True)
        if not w.encrypted:
            raise ValueError("gss_wrap did not seal")
        return w.message[16:], w.message[:16]

    def unseal(self, data, sig):
        return self.ctx.unwrap(sig + data).message

    def sign(self, data):
        return self.ctx.get_signature(data)

    def verify(self, data, sig):
        self.ctx.verify_signature(data, sig)


def auth_flags(tok):
    """NegotiateFlags of an AUTHENTICATE (the agreed flags), else 0."""
    if len(tok) >= 64 and tok[:8] == b"NTLMSSP\0" and struct.unpack_from("<I", tok, 8)[0] == 3:
        return struct.unpack_from("<I", tok, 60)[0]
    return 0


def session_key(ctx, gssapi):
    try:
        ks = gssapi.raw.inquire_sec_context_by_oid(ctx, gssapi.OID.from_int_seq(SESSION_KEY_OID))
    except gssapi.exceptions.GSSError:
        return None
    return ks[0] if ks else None


def run_client(a, gssapi, mech):
    name = gssapi.Name("%s\\%s" % (a.domain, a.user) if a.domain else a.user, gssapi.NameType.user)
    try:
        creds = gssapi.raw.acquire_cred_with_password(name, a.password.encode(), mechs=[mech],
                                                      usage="initiate").creds
        target = gssapi.Name("host@" + (a.domain or "localhost").lower(),
                             gssapi.NameType.hostbased_service)
        f = gssapi.RequirementFlag
        ctx = gssapi.SecurityContext(name=target, creds=creds, mech=mech, usage="initiate",
                                     flags=[f.confidentiality, f.integrity, f.replay_detection,
                                            f.out_of_sequence_detection])
        tok = ctx.step()
    except gssapi.exceptions.GSSError as e:
        out("FAIL " + reason(e, "client"))
        return 1
    flags = 0
    while True:
        if tok:
            flags |= auth_flags(tok)
            out("TOKEN " + b64(tok))
        if ctx.complete:
            break
        peer = read_token()
        if peer is None:
            return 1
        try:
            tok = ctx.step(peer)
        except gssapi.exceptions.GSSError as e:
            out("FAIL " + reason(e, "gss_init_sec_context"))
            return 1
    done(flags, session_key(ctx, gssapi))
    session(Ops(ctx))
    return 0


def v1_policy():
    """A policy file that allows NTLMv1 next to NTLMv2 (0600 in a fresh dir,
    as the library wants a file only its owner can write)."""
    import atexit
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="gsspeer.")
    atexit.register(shutil.rmtree, d, True)
    path = os.path.join(d, "allow-ntlmv1.conf")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"allowed_responses = ntlmv1, ntlmv2\n")
    os.close(fd)
    return path


def run_server(a, gssapi, mech):
    try:
        creds = None
        if a.allow_ntlmv1:  # (gss-ntlmssp refuses a store key it does not know: LM_COMPAT_LEVEL then)
            try:
                creds = gssapi.Credentials(usage="accept", mechs=[mech],
                                           store={"ntlmssp_policy": v1_policy()})
            except gssapi.exceptions.GSSError:
                creds = None
        if creds is None:
            creds = gssapi.Credentials(usage="accept", mechs=[mech])
    except gssapi.exceptions.GSSError as e:
        out("FAIL " + reason(e, "gss_acquire_cred"))
        return 1
    ctx = gssapi.SecurityContext(creds=creds, usage="accept")
    flags = 0
    while not ctx.complete:
        tok = read_token()
        if tok is None:
            return 1
        flags |= auth_flags(tok)
        try:
            answer = ctx.step(tok)
        except gssapi.exceptions.GSSError as e:
            out("FAIL " + reason(e, "gss_accept_sec_context"))
            return 0
        if answer:
            out("TOKEN " + b64(answer))
    done(flags, session_key(ctx, gssapi), user=str(ctx.initiator_name))
    session(Ops(ctx))
    return 0


def main():
    a = parse_args(sys.argv[1:])
    set_environment(a)
    import gssapi
    import gssapi.raw  # noqa: F401 (the extensions: passwords, context OIDs)
    mech = gssapi.OID.from_int_seq(NTLM_OID)
    return (run_client if a.role == "client" else run_server)(a, gssapi, mech)


if __name__ == "__main__":
    sys.exit(main())
