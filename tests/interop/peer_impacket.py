"""impacket (python3-impacket) as a peer.

client: impacket.ntlm.getNTLMSSPType1 / getNTLMSSPType3 (what impacket's SMB,
        DCE/RPC and HTTP clients use), then SEAL/SIGN/MAC with the keys from
        SIGNKEY/SEALKEY and RC4 handles, as impacket's DCE/RPC transport does.
server: impacket has no NTLM acceptor library; this is the acceptor logic of
        impacket.smbserver: a CHALLENGE built like SMBSERVER's
        (NTLMAuthChallenge, AV_PAIRS), the AUTHENTICATE verified with
        smbserver.computeNTLMv2 (NTOWFv2 from the account file's NT hash,
        NTProofStr compared, ExportedSessionKey unwrapped with KXKEY/RC4), and
        the MIC (which impacket never checks) verified here with its hmac_md5.
"""
import calendar
import struct
import sys
import time
import os

from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.smbserver import computeNTLMv2

from linepeer import b64, common_args, done, out, read_token, session


class SessionSec:
    def __init__(self, flags, key, mode):
        other = "Server" if mode == "Client" else "Client"
        self.flags = flags
        self.sign_out = ntlm.SIGNKEY(flags, key, mode)
        self.sign_in = ntlm.SIGNKEY(flags, key, other)
        self.h_out = ARC4.new(ntlm.SEALKEY(flags, key, mode)).encrypt
        self.h_in = ARC4.new(ntlm.SEALKEY(flags, key, other)).encrypt
        self.seq_out = self.seq_in = 0

    def seal(self, data):
        sealed, sig = ntlm.SEAL(self.flags, self.sign_out, None, data, data, self.seq_out, self.h_out)
        self.seq_out += 1
        return sealed, sig.getData()

    def sign(self, data):
        sig = ntlm.SIGN(self.flags, self.sign_out, data, self.seq_out, self.h_out)
        self.seq_out += 1
        return sig.getData()

    def _check(self, data, sig):
        want = ntlm.MAC(self.flags, self.h_in, self.sign_in, self.seq_in, data).getData()
        self.seq_in += 1
        if want != sig:
            raise ValueError("signature mismatch (want %s got %s)" % (want.hex(), sig.hex()))

    def unseal(self, data, sig):
        plain = self.h_in(data)
        self._check(plain, sig)
        return plain

    def verify(self, data, sig):
        self._check(data, sig)


def client(a):
    v2 = not a.ntlmv1
    type1 = ntlm.getNTLMSSPType1(a.workstation, a.domain, signingRequired=True, use_ntlmv2=v2)
    out("TOKEN " + b64(type1.getData()))
    chal = read_token()
    if chal is None:
        return 1
    try:
        type3, key = ntlm.getNTLMSSPType3(type1, chal, a.user, a.password, a.domain, use_ntlmv2=v2)
    except Exception as e:
        out("FAIL %s: %s" % (type(e).__name__, e))
        return 1
    out("TOKEN " + b64(type3.getData()))
    flags = type3["flags"]
    done(flags, key)
    session(SessionSec(flags, key, "Client"))
    return 0


def read_accounts(path):
    """smbpasswd(5): name:uid:LM:NT:[flags]:LCT-..: -> {lower name: (lm, nt)}"""
    acc = {}
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            p = line.split(":")
            nt = bytes.fromhex(p[3]) if len(p[3]) == 32 and p[3][0] not in "X*" else b""
            acc[p[0].lower()] = (b"", nt)
    return acc


def server(a):
    accounts = read_accounts(a.account_file)
    neg_raw = read_token()
    if neg_raw is None:
        return 1
    neg = ntlm.NTLMAuthNegotiate()
    neg.fromString(neg_raw)
    nf = neg["flags"]
    ans = 0
    # impacket.smbserver's flag selection ...
    for f in (ntlm.NTLMSSP_NEGOTIATE_56, ntlm.NTLMSSP_NEGOTIATE_128, ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH,
              ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, ntlm.NTLMSSP_NEGOTIATE_UNICODE,
              ntlm.NTLM_NEGOTIATE_OEM,
              # ... plus what a non-SMB acceptor grants: sign and seal
              ntlm.NTLMSSP_NEGOTIATE_SIGN, ntlm.NTLMSSP_NEGOTIATE_SEAL,
              ntlm.NTLMSSP_NEGOTIATE_ALWAYS_SIGN):
        if nf & f:
            ans |= f
    if ans & ntlm.NTLMSSP_NEGOTIATE_UNICODE:
        ans &= ~ntlm.NTLM_NEGOTIATE_OEM
    ans |= (ntlm.NTLMSSP_NEGOTIATE_VERSION | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO |
            ntlm.NTLMSSP_TARGET_TYPE_SERVER | ntlm.NTLMSSP_NEGOTIATE_NTLM | ntlm.NTLMSSP_REQUEST_TARGET)
    name = a.computer_name.encode("utf-16le")
    dom = a.domain_name.encode("utf-16le")
    av = ntlm.AV_PAIRS()
    av[ntlm.NTLMSSP_AV_HOSTNAME] = name
    av[ntlm.NTLMSSP_AV_DOMAINNAME] = dom
    av[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = a.computer_name.lower().encode("utf-16le")
    av[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = a.domain_name.lower().encode("utf-16le")
    av[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", 116444736000000000 +
                                           calendar.timegm(time.gmtime()) * 10000000)
    chal = ntlm.NTLMAuthChallenge()
    chal["flags"] = ans
    chal["domain_len"] = chal["domain_max_len"] = len(dom)
    chal["domain_offset"] = 40 + 16
    chal["challenge"] = os.urandom(8)
    chal["domain_name"] = dom
    chal["TargetInfoFields_len"] = chal["TargetInfoFields_max_len"] = len(av)
    chal["TargetInfoFields"] = av
    chal["TargetInfoFields_offset"] = 40 + 16 + len(dom)
    chal["Version"] = b"\x0a\x00\x7c\x4f\x00\x00\x00\x0f"
    chal["VersionLen"] = 8
    chal_raw = chal.getData()
    out("TOKEN " + b64(chal_raw))
    auth_raw = read_token()
    if auth_raw is None:
        return 1
    auth = ntlm.NTLMAuthChallengeResponse()
    auth.fromString(auth_raw)
    uni = auth["flags"] & ntlm.NTLMSSP_NEGOTIATE_UNICODE
    dec = (lambda b: b.decode("utf-16le")) if uni else (lambda b: b.decode("latin-1"))
    user, domain = dec(auth["user_name"]), dec(auth["domain_name"])
    if user.lower() not in accounts:
        out("FAIL STATUS_NO_SUCH_USER (impacket verifier: no account %r)" % user)
        return 0
    if len(auth["ntlm"]) <= 24:
        out("FAIL STATUS_LOGON_FAILURE NTLMv1 response refused (impacket only verifies NTLMv2)")
        return 0
    if not uni:
        auth["domain_name"] = domain.encode("utf-16le")
    lmhash, nthash = accounts[user.lower()]
    status, key = computeNTLMv2(user.lower(), lmhash, nthash, chal["challenge"], auth, chal, neg)
    if status != 0:
        out("FAIL STATUS_LOGON_FAILURE (impacket computeNTLMv2: NTProofStr mismatch)")
        return 0
    # MIC: present when MsvAvFlags in the client's NTLMv2 blob has bit 0x2
    blob_av = ntlm.AV_PAIRS(auth["ntlm"][16 + 28:])
    mic = "absent"
    avflags = blob_av[ntlm.NTLMSSP_AV_FLAGS]
    if avflags and struct.unpack("<I", avflags[1])[0] & 2:
        got = auth_raw[72:88]
        zeroed = auth_raw[:72] + b"\0" * 16 + auth_raw[88:]
        want = ntlm.hmac_md5(key, neg_raw + chal_raw + zeroed)
        if got != want:
            out("FAIL MIC_MISMATCH (MIC %s, want %s)" % (got.hex(), want.hex()))
            return 0
        mic = "verified"
    flags = auth["flags"]
    done(flags, key, user="%s\\%s" % (a.domain_name, user), extra="mic=" + mic)
    session(SessionSec(flags, key, "Server"))
    return 0


def main():
    a = common_args(sys.argv[1:])
    return client(a) if a.role == "client" else server(a)


if __name__ == "__main__":
    sys.exit(main())
