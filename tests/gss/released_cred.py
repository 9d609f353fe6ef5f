#!/usr/bin/python3
"""An acceptor credential released in the middle of a handshake, as
mod_auth_gssapi does between the NEGOTIATE and the AUTHENTICATE requests
(it acquires and releases its credential per request; with
GssapiConnectionBound the half-done context lives on with the connection).
The context must finish without the credential.

    GSS_MECH_CONFIG=<mech file> released_cred.py USERFILE DOMAIN USER PASSWORD

Prints "accepted <name>" and exits 0, or a reason and exits 1 (a crash of
the mechanism ends the process with a signal).
"""
import sys

import gssapi
import gssapi.raw as raw


def main(userfile, domain, user, password):
    ntlm = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
    name = gssapi.Name("%s\\%s" % (domain, user), gssapi.NameType.user)
    ic = raw.acquire_cred_with_password(name, password.encode(), mechs=[ntlm], usage="initiate").creds
    client = gssapi.SecurityContext(name=gssapi.Name("HTTP@localhost", gssapi.NameType.hostbased_service),
                                    creds=ic, mech=ntlm, usage="initiate")
    ac = raw.acquire_cred_from({b"ntlmssp_keyfile": userfile.encode()}, mechs=[ntlm],
                               usage="accept").creds
    first = raw.accept_sec_context(client.step(), ac)
    raw.release_cred(ac)
    last = raw.accept_sec_context(client.step(first.token), None, context=first.context)
    print("accepted %s" % gssapi.Name(last.initiator_name))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(*sys.argv[1:5]))
    except gssapi.exceptions.GSSError as e:
        print(str(e).replace("\n", " "))
        sys.exit(1)
