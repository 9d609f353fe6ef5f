"""python3-ntlm-auth (ntlm_auth.ntlm.NtlmContext) as a client peer.

NtlmContext is client-only. Its NEGOTIATE clears UNICODE and sets OEM (a
known quirk of the library), so the server must cope with an OEM-only
NEGOTIATE. wrap()/unwrap() are GSS_Wrap style (signature || sealed data);
sign/verify go through the context's SessionSecurity.
"""
import struct
import sys

from ntlm_auth.ntlm import NtlmContext

from linepeer import common_args, done, out, read_token, session


class Ops:
    def __init__(self, ctx):
        self.ctx = ctx
        self.ss = ctx._session_security

    def seal(self, data):
        w = self.ctx.wrap(data)
        return w[16:], w[:16]

    def unseal(self, data, sig):
        return self.ctx.unwrap(sig + data)

    def sign(self, data):
        return self.ss._get_signature(data)

    def verify(self, data, sig):
        self.ss._verify_signature(data, sig)


def main():
    a = common_args(sys.argv[1:])
    if a.role != "client":
        out("FAIL ntlm-auth has no server role")
        return 1
    ctx = NtlmContext(a.user, a.password, a.domain, a.workstation,
                      ntlm_compatibility=1 if a.ntlmv1 else 3)
    out("TOKEN " + __import__("base64").b64encode(ctx.step()).decode())
    chal = read_token()
    if chal is None:
        return 1
    try:
        auth = ctx.step(chal)
    except Exception as e:
        out("FAIL %s: %s" % (type(e).__name__, e))
        return 1
    out("TOKEN " + __import__("base64").b64encode(auth).decode())
    flags = struct.unpack("<I", auth[60:64])[0]
    done(flags, ctx.session_key)
    session(Ops(ctx))
    return 0


if __name__ == "__main__":
    sys.exit(main())
