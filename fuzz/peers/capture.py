#!/usr/bin/python3
"""Captures real peer messages as fuzz seeds: NEGOTIATE and AUTHENTICATE from
python3-ntlm-auth, impacket and Samba's ntlm_auth (ntlmssp-client-1), each
answering a CHALLENGE from our own `ntlm server`, and the CHALLENGE messages
themselves. Run once by hand (the outputs are committed under fuzz/corpus/);
python3-ntlm-auth needs MD4 from OpenSSL 3's legacy provider (OPENSSL_CONF,
as tests/interop/peers.py writes it):

    OPENSSL_CONF=legacy.cnf /usr/bin/python3 fuzz/peers/capture.py build/tools/ntlm fuzz/corpus
"""
import base64
import os
import subprocess
import sys

NTLM, OUT = sys.argv[1], sys.argv[2]
USER, DOMAIN, PASSWORD = "peeruser", "PEERDOM", "Peer-Passw0rd"


def save(target, name, data):
    path = os.path.join(OUT, target, "peer-" + name)
    with open(path, "wb") as f:
        f.write(data)


def challenge_for(negotiate):
    """Our server's CHALLENGE for a peer's NEGOTIATE."""
    srv = subprocess.Popen([NTLM, "server", "--account-file", "/dev/null", "--computer-name", "PEERSRV"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    srv.stdin.write("TOKEN %s\n" % base64.b64encode(negotiate).decode())
    srv.stdin.flush()
    line = srv.stdout.readline().split()
    srv.kill()
    srv.wait()
    return base64.b64decode(line[1])


def ntlm_auth_peer():
    from ntlm_auth.ntlm import NtlmContext
    ctx = NtlmContext(USER, PASSWORD, DOMAIN, "PEERWS", ntlm_compatibility=3)
    neg = ctx.step()
    chal = challenge_for(neg)
    auth = ctx.step(chal)
    return neg, chal, auth


def impacket_peer():
    from impacket import ntlm
    neg = ntlm.getNTLMSSPType1("PEERWS", DOMAIN)
    negb = neg.getData()
    chal = challenge_for(negb)
    auth, _ = ntlm.getNTLMSSPType3(neg, chal, USER, PASSWORD, DOMAIN)
    return negb, chal, auth.getData()


def samba_peer():
    p = subprocess.Popen(["ntlm_auth", "--helper-protocol=ntlmssp-client-1", "--username", USER,
                          "--domain", DOMAIN, "--password", PASSWORD],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    p.stdin.write("YR\n")
    p.stdin.flush()
    neg = base64.b64decode(p.stdout.readline().split()[1])
    chal = challenge_for(neg)
    p.stdin.write("TT %s\n" % base64.b64encode(chal).decode())
    p.stdin.flush()
    auth = base64.b64decode(p.stdout.readline().split()[1])
    p.kill()
    p.wait()
    return neg, chal, auth


for name, fn in (("ntlm-auth", ntlm_auth_peer), ("impacket", impacket_peer), ("samba", samba_peer)):
    try:
        neg, chal, auth = fn()
    except Exception as e:  # a peer missing here is reported, not fatal
        print("%s: %s" % (name, e))
        continue
    save("fuzz_negotiate", name, neg)
    save("fuzz_challenge", name, chal)
    save("fuzz_client", name + "-challenge", b"\0\0" + chal)  # selector bytes, then the message
    save("fuzz_authenticate", name, auth)
    print("%s: NEGOTIATE %d, CHALLENGE %d, AUTHENTICATE %d bytes" % (name, len(neg), len(chal), len(auth)))
