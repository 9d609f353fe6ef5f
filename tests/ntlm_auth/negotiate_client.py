#!/usr/bin/python3
"""An HTTP client for Squid's Negotiate (auth_param negotiate ... gss-spnego),
on one kept-alive connection, printing the last HTTP status.

  negotiate_client.py URL raw HELPER-ARGV...
      raw NTLMSSP in "Negotiate", as browsers without Kerberos send it: the
      tokens come from an ntlmssp-client-1 helper (YR, then TT -> AF/KK)
  negotiate_client.py URL spnego USER DOMAIN
      NTLM inside SPNEGO through python3-gssapi: MIT's SPNEGO over the
      gss-ntlmssp mechanism (GSS_MECH_CONFIG names it, NTLM_USER_FILE holds
      the password); the server's last token, with its mechListMIC, is fed
      back to the context, which must then be complete

Prints "STATUS" (and "incomplete" when SPNEGO did not finish: Squid 5 does
not pass the helper's last token on in the 200 answer).

  negotiate_client.py helper:ARGV spnego USER DOMAIN
      the same SPNEGO client straight against a gss-spnego helper (ARGV split
      at blanks): YR/KK in, TT/AF out; the last token (the server's
      mechListMIC) must complete the context. Prints "AF complete" or why not.
"""
import base64
import http.client
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testlib"))
from lineproc import LineProc  # noqa: E402


def server_token(resp):
    for k, v in resp.getheaders():
        if k.lower() == "www-authenticate" and v.startswith("Negotiate "):
            return base64.b64decode(v.split()[1])
    return None


class Raw:
    def __init__(self, argv):
        self.h = LineProc(argv)
        self.complete = True

    def step(self, tok):
        self.h.send("YR" if tok is None else "TT " + base64.b64encode(tok).decode())
        r = self.h.recv().split()
        if len(r) < 2 or r[0] not in ("YR", "KK", "AF"):
            raise SystemExit("helper: %s" % r)
        return base64.b64decode(r[1])


class Spnego:
    def __init__(self, user, domain):
        import gssapi
        spnego = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")
        ntlm = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
        creds = gssapi.Credentials(usage="initiate", mechs=[ntlm])
        name = gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service)
        self.ctx = gssapi.SecurityContext(name=name, mech=spnego, usage="initiate", creds=creds)

    @property
    def complete(self):
        return self.ctx.complete

    def step(self, tok):
        return self.ctx.step(tok)


def via_helper(argv, mech):
    h = LineProc(argv)
    tok, verb = mech.step(None), "YR"
    for _ in range(4):
        h.send("%s %s" % (verb, base64.b64encode(tok).decode()))
        w = h.recv().split()
        if w[0] not in ("TT", "AF") or len(w) < 2:
            return " ".join(w)
        if w[1] != "*":
            tok = mech.step(base64.b64decode(w[1]))
        if w[0] == "AF":
            return "AF complete" if mech.complete else "AF incomplete"
        verb = "KK"
    return "no end"


def main():
    if sys.argv[1].startswith("helper:"):
        print(via_helper(sys.argv[1][7:].split(), Spnego(sys.argv[3], sys.argv[4])))
        return
    url = urllib.parse.urlsplit(sys.argv[1])
    mech = Raw(sys.argv[3:]) if sys.argv[2] == "raw" else Spnego(sys.argv[3], sys.argv[4])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    tok = mech.step(None)
    for _ in range(4):
        conn.request("GET", url.path, headers={
            "Authorization": "Negotiate " + base64.b64encode(tok).decode()})
        resp = conn.getresponse()
        resp.read()
        back = server_token(resp)
        if resp.status != 401 or back is None:
            break
        tok = mech.step(back)
    if resp.status == 200 and back is not None and not mech.complete:
        mech.step(back)  # the last token: SPNEGO checks the server's mechListMIC here
    print(resp.status, "" if mech.complete or resp.status != 200 else "incomplete")


if __name__ == "__main__":
    main()
