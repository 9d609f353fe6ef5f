#!/usr/bin/python3
"""The checks of the RADIUS suite (tests/suites/37-radius.sh) that need
computing: MS-CHAP values from tests/radius/mschap.py, an MS-CHAPv2
Access-Request sent with radclient and its answer checked.

  radius_check.py nt-key PASSWORD
      the NT key ntlm_auth prints (MD4 of the NT hash), lower-case hex
  radius_check.py lm-key PASSWORD
      the LM key (the LM hash's first 8 bytes), lower-case hex
  radius_check.py response CHALLENGE PASSWORD
      the 24-byte MS-CHAP answer to an 8-byte challenge, hex
  radius_check.py v2 SERVER:PORT SECRET RADDB USER PASSWORD accept|reject [TYPED_PASSWORD]
      an MS-CHAPv2 Access-Request for USER answered with TYPED_PASSWORD
      (default PASSWORD); prints "ok   ..." / "FAIL ..." lines
  radius_check.py eap LOG USER PASSWORD peap|mschapv2
      checks a successful eapol_test run's log (its debug output shows the
      MS-CHAPv2 challenges and response it used, the keys it received)
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mschap  # noqa: E402


def report(good, what, detail=""):
    print(("ok   %s" if good else "FAIL %s") % what + ("" if good or not detail else ": " + detail))
    return good


def reply_attrs(out):
    """radclient's printed reply: (code, {attribute: value})."""
    code, attrs = None, {}
    for line in out.splitlines():
        if line.startswith("Received "):
            code = line.split()[1]
        elif code and "=" in line:
            k, v = line.strip().split(" = ", 1)
            attrs[k] = v
    return code, attrs


def hexval(v):
    return bytes.fromhex(v[2:]) if v and v.startswith("0x") else None


def v2(server, secret, raddb, user, password, expect, typed=None):
    typed = typed if typed is not None else password
    auth_challenge, peer_challenge, ident = os.urandom(16), os.urandom(16), 0x2a
    account = user.split("\\")[-1]  # the challenge hashes the name without "DOMAIN\\"
    nt_response = mschap.v2_nt_response(auth_challenge, peer_challenge, account, typed)
    # RFC 2548 2.3.2: Ident, Flags, Peer-Challenge, Reserved (8 zeros), Response
    response = bytes([ident, 0]) + peer_challenge + bytes(8) + nt_response
    request = ("User-Name = \"%s\"\nMS-CHAP-Challenge = 0x%s\nMS-CHAP2-Response = 0x%s\n"
               % (user.replace("\\", "\\\\"), auth_challenge.hex(), response.hex()))
    run = subprocess.run(["radclient", "-x", "-d", raddb, "-t", "10", "-r", "1", server, "auth",
                          secret], input=request, capture_output=True, text=True, timeout=30)
    code, attrs = reply_attrs(run.stdout)
    label = "MS-CHAPv2 (radclient), %s, %s" % (
        user, "right password" if typed == password else "wrong password")
    if expect == "reject":
        return report(code == "Access-Reject", "%s: Access-Reject" % label,
                      "got %s: %s" % (code, run.stdout[-300:] + run.stderr[-300:]))
    if not report(code == "Access-Accept", "%s: Access-Accept" % label,
                  "got %s: %s" % (code, run.stdout[-300:] + run.stderr[-300:])):
        return False
    good = True
    # MS-CHAP2-Success: the Ident, then "S=" and the authenticator response (RFC 2759 8.7)
    success = hexval(attrs.get("MS-CHAP2-Success"))
    want = bytes([ident]) + mschap.authenticator_response(
        password, nt_response, peer_challenge, auth_challenge, account).encode()
    good &= report(success == want, "MS-CHAPv2: MS-CHAP2-Success proves the NT key (RFC 2759)",
                   "got %r, want %r" % (success, want))
    # MS-MPPE-Send-Key / Recv-Key: radclient shows them decrypted (RFC 2548 2.4.2/2.4.3)
    send, recv = mschap.server_keys(password, nt_response)
    got_send = hexval(attrs.get("MS-MPPE-Send-Key"))
    got_recv = hexval(attrs.get("MS-MPPE-Recv-Key"))
    good &= report(got_send == send and got_recv == recv,
                   "MS-CHAPv2: MS-MPPE-Send-Key and Recv-Key are RFC 3079's from the NT key",
                   "got %s/%s, want %s/%s" % (got_send and got_send.hex(),
                                              got_recv and got_recv.hex(), send.hex(), recv.hex()))
    return good


def log_bytes(log, label):
    """The bytes of eapol_test's first "<label> - hexdump(len=N): xx xx ..." line."""
    m = re.search(re.escape(label) + r" - hexdump\(len=\d+\):((?: [0-9a-f]{2})+)", log)
    return bytes.fromhex(m.group(1).replace(" ", "")) if m else None


def eap(logfile, user, password, kind):
    method = {"peap": "PEAP-MSCHAPv2", "mschapv2": "EAP-MSCHAPv2"}[kind]
    log = open(logfile, encoding="utf-8", errors="replace").read()
    auth = log_bytes(log, "MSCHAPV2: auth_challenge")
    peer = log_bytes(log, "MSCHAPV2: peer_challenge")
    nt_response = log_bytes(log, "MSCHAPV2: NT Response")
    if not report(auth and peer and nt_response, "%s: the MS-CHAPv2 exchange is in the log" % method):
        return False
    good = report(nt_response == mschap.v2_nt_response(auth, peer, user, password),
                  "%s: the peer's NT response is RFC 2759's" % method)
    # the server's "S=<authenticator response>", wherever the log shows it in hex
    want = mschap.authenticator_response(password, nt_response, peer, auth, user).encode().hex()
    seen = any(want in re.sub(r"[^0-9a-f]", "", line.lower()) for line in log.splitlines())
    good &= report(seen, "%s: FreeRADIUS's authenticator response (from our NT key) is "
                   "RFC 2759's" % method, "no %s in the log" % bytes.fromhex(want).decode())
    if kind == "mschapv2":
        # EAP-MSCHAPv2 keys come from the NT key (RFC 3079); PEAP's come from TLS
        send, recv = mschap.server_keys(password, nt_response)
        got = (log_bytes(log, "MS-MPPE-Send-Key (sign)"), log_bytes(log, "MS-MPPE-Recv-Key (crypt)"))
        good &= report(got == (send, recv),
                       "%s: MS-MPPE-Send-Key and Recv-Key are RFC 3079's from the NT key" % method,
                       "got %s, want %s/%s" % (got, send.hex(), recv.hex()))
        msk = log_bytes(log, "EAP-MSCHAPV2: Derived key")
        good &= report(msk == recv + send, "%s: the MSK is Recv-Key | Send-Key" % method,
                       "got %s" % (msk and msk.hex()))
    return good


def main(argv):
    if len(argv) == 3 and argv[1] == "nt-key":
        print(mschap.hash_nt_hash(mschap.nt_hash(argv[2])).hex())
        return 0
    if len(argv) == 3 and argv[1] == "lm-key":
        print(mschap.lm_hash(argv[2])[:8].hex())
        return 0
    if len(argv) == 4 and argv[1] == "response":
        print(mschap.challenge_response(bytes.fromhex(argv[2]), mschap.nt_hash(argv[3])).hex())
        return 0
    if len(argv) == 6 and argv[1] == "eap":
        return 0 if eap(*argv[2:]) else 1
    if len(argv) in (8, 9) and argv[1] == "v2":
        return 0 if v2(*argv[2:]) else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
