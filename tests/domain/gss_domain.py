#!/usr/bin/python3
"""The GSSAPI acceptor (gss/ntlmssp-gss.so) against the suite's domain controller.

python3-gssapi drives our module in both roles through MIT's mechglue
(GSS_MECH_CONFIG names only ours). The acceptor verifies through winbindd:
by default (no account file configured), with ntlmssp_winbind, and as a
domain member's chained store (ntlmssp_fallback_accounts / _keyfile /
_unreachable, or NTLM_FALLBACK_ACCOUNT_FILE). A domain user's SID and groups
come back as name attributes of the acceptor's source name.

Usage: gss_domain.py up|down DIR   (the DC running, or stopped)
Environment (from tests/suites/46-domain.sh): DC_DOMAIN, DC_USER_SID,
DC_GROUP_SID, DC_LOCAL_FILE (smbpasswd: alice Local-Alice#1, zed Zed-Pass#1),
DC_UNIX_USER (optional), NETBIOS_COMPUTER_NAME=DOMSRV.
Prints "ok   NAME" / "FAIL NAME: why" lines.
"""
import os
import sys

import gssapi
import gssapi.raw as gb

NTLM = gssapi.OID.from_int_seq("1.3.6.1.4.1.311.2.2.10")
PHASE, DIR = sys.argv[1], sys.argv[2]
DOM = os.environ["DC_DOMAIN"]
LOCAL = os.environ["DC_LOCAL_FILE"]
failures = 0


def check(name, fn):
    global failures
    try:
        fn()
        print(f"ok   gssapi: {name}", flush=True)
    except Exception as e:  # every failure is reported, none stops the run
        failures += 1
        print(f"FAIL gssapi: {name}: {type(e).__name__}: {e}", flush=True)


def acceptor(store=None):
    return gssapi.Credentials(usage="accept", mechs=[NTLM], store=store) if store else \
        gssapi.Credentials(usage="accept", mechs=[NTLM])


def logon(domain, user, password, store=None):
    """A handshake ours -> ours; the acceptor's source name."""
    name = gssapi.Name(f"{domain}\\{user}", gssapi.NameType.user)
    ccred = gb.acquire_cred_with_password(name, password.encode(), usage="initiate",
                                          mechs=[NTLM]).creds
    c = gssapi.SecurityContext(name=gssapi.Name("HTTP@domsrv.example",
                                                gssapi.NameType.hostbased_service),
                               creds=ccred, mech=NTLM, usage="initiate")
    s = gssapi.SecurityContext(creds=acceptor(store), usage="accept")
    tok = c.step()
    while not (c.complete and s.complete):
        tok = s.step(tok)
        if tok and not c.complete:
            tok = c.step(tok)
    return s.initiator_name


def refused(why, domain, user, password, store=None):
    try:
        who = logon(domain, user, password, store)
    except gssapi.exceptions.GSSError as e:
        if why not in str(e):
            raise AssertionError(f"refused without {why}: {e}")
        return
    raise AssertionError(f"accepted as {who}")


def equal(got, want):
    assert got == want, f"{got!r}, not {want!r}"


def contains(text, part):
    assert part in text, text


def attr(name, key):
    """Every value of a name attribute (RFC 6680 iteration), or None when absent."""
    try:
        r = gb.get_name_attribute(name, key.encode())
    except gssapi.exceptions.GSSError:
        return None
    assert r.authenticated and r.complete, r
    return [v.decode() for v in r.values]


def expect_domain_user(name):
    assert str(name) == f"{DOM}\\alice", name
    assert attr(name, "urn:ntlmssp:sid") == [os.environ["DC_USER_SID"]], attr(name, "urn:ntlmssp:sid")
    groups = attr(name, "urn:ntlmssp:group-sid")
    assert groups and groups[0].endswith("-513"), groups  # Domain Users, the primary group
    assert os.environ["DC_GROUP_SID"] in groups, groups
    sids = attr(name, "urn:gssntlmssp:sids")
    assert sids == [",".join([os.environ["DC_USER_SID"]] + groups)], sids
    assert attr(name, "urn:ntlmssp:domain") == [DOM]
    listed = {a.decode() for a in gb.inquire_name(name, attrs=True).attrs}
    assert {"urn:ntlmssp:sid", "urn:ntlmssp:group-sid", "urn:gssntlmssp:sids"} <= listed, listed
    unix = os.environ.get("DC_UNIX_USER")
    if unix:
        assert attr(name, "urn:ntlmssp:unix-user") == [unix], attr(name, "urn:ntlmssp:unix-user")


def expect_local_zed(name):
    assert str(name) == "DOMSRV\\zed", name
    # the local account speaks for the client: no domain SIDs
    assert attr(name, "urn:ntlmssp:sid") is None and attr(name, "urn:ntlmssp:group-sid") is None
    assert "urn:ntlmssp:sid" not in {a.decode() for a in gb.inquire_name(name, attrs=True).attrs}


CHAIN = {"ntlmssp_fallback_accounts": LOCAL}
AUDIT = os.path.join(DIR, "gss-audit.log")


def last_audit():
    with open(AUDIT) as f:
        return f.read().splitlines()[-1]


def up():
    check("no account file: winbind, domain user with SID and groups",
          lambda: expect_domain_user(logon(DOM, "alice", "Alice-Pass#1")))
    check("ntlmssp_winbind: the domain's user",
          lambda: expect_domain_user(logon(DOM, "alice", "Alice-Pass#1",
                                           {"ntlmssp_winbind": DOM})))
    check("ntlmssp_winbind filter: another domain's user refused",
          lambda: refused("NTLM_E_LOGON_FAILURE", DOM, "alice", "Alice-Pass#1",
                          {"ntlmssp_winbind": "OTHERDOM"}))
    check("winbind: wrong password refused",
          lambda: refused("NTLM_E_LOGON_FAILURE", DOM, "alice", "Wrong-Pass#9"))
    check("winbind: foreign domain without a fallback refused",
          lambda: refused("NTLM_E_LOGON_FAILURE", "OTHERDOM", "zed", "Zed-Pass#1"))
    check("chain: domain user -> DOMAIN\\user with SIDs",
          lambda: expect_domain_user(logon(DOM, "alice", "Alice-Pass#1", CHAIN)))
    audit = dict(CHAIN, ntlmssp_audit=AUDIT)
    check("chain: foreign domain, local account -> SERVER\\user without SIDs",
          lambda: expect_local_zed(logon("OTHERDOM", "zed", "Zed-Pass#1", audit)))
    check("chain: the audit line says account_source local",
          lambda: contains(last_audit(), '"account_source":"local"'))
    check("chain: domain user with the local password refused, no fallback",
          lambda: refused("NTLM_E_LOGON_FAILURE", DOM, "alice", "Local-Alice#1",
                          dict(CHAIN, ntlmssp_fallback_unreachable="yes")))
    check("chain: foreign domain, no such local account refused",
          lambda: refused("NTLM_E_LOGON_FAILURE", "OTHERDOM", "nobody", "Zed-Pass#1", CHAIN))
    users = os.path.join(DIR, "fallback-users")
    with open(users, "w") as f:
        f.write("DOMSRV:zed:Zed-Pass#1\n")
    check("chain with ntlmssp_fallback_keyfile (gss-ntlmssp's user file)",
          lambda: expect_local_zed(logon("OTHERDOM", "zed", "Zed-Pass#1",
                                         {"ntlmssp_fallback_keyfile": users})))
    os.environ["NTLM_FALLBACK_ACCOUNT_FILE"] = LOCAL
    try:
        check("chain from NTLM_FALLBACK_ACCOUNT_FILE",
              lambda: expect_local_zed(logon("OTHERDOM", "zed", "Zed-Pass#1")))
    finally:
        del os.environ["NTLM_FALLBACK_ACCOUNT_FILE"]


def down():
    check("DC stopped: the chain refuses by default",
          lambda: refused("NTLM_E_BACKEND", DOM, "alice", "Local-Alice#1", CHAIN))
    check("DC stopped: ntlmssp_fallback_unreachable -> the local account",
          lambda: equal(str(logon(DOM, "alice", "Local-Alice#1",
                                  dict(CHAIN, ntlmssp_fallback_unreachable="yes"))),
                        "DOMSRV\\alice"))


up() if PHASE == "up" else down()
sys.exit(1 if failures else 0)
