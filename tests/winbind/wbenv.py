#!/usr/bin/python3
"""Prepares a private standalone Samba for the winbind suite (45-winbind.sh)
with the interop suite's own set-up (tests/interop/peers.py): smb.conf on
private paths, 127.0.0.1 only, the test account added with `smbpasswd -a`.

peers.SambaWinbind.setup() also starts winbindd and waits for its ping, which
proves the set-up works; that daemon is stopped again here, because the
suite starts its own so that it can stop (and later restart) it by PID.

Usage: wbenv.py WORK. Prints shell assignments for the suite to eval.
"""
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))

import peers  # noqa: E402

# "ntlm auth = yes" lets the domain accept an NTLMv1 response when our own
# policy does, so the suite checks the NTLMv1 path through winbindd too
# (Samba's default is NTLMv2 only). winbindd maps no SID to a uid at all, not
# even its own SAM's (served through idmap_passdb), until the default idmap
# domain "*" has a range.
EXTRA_CONF = """  ntlm auth = yes
  idmap config * : backend = tdb
  idmap config * : range = 1000000-1999999
"""


def main():
    work = os.path.abspath(sys.argv[1])
    env = peers.Env(work)
    samba = peers.SambaWinbind()
    err = samba.setup(env)
    samba.teardown(env)
    if err:
        print("wbenv: %s" % err, file=sys.stderr)
        return 1
    with open(samba.conf, "a") as f:  # the file holds only [global]
        f.write(EXTRA_CONF)
    out = {
        "WB_CONF": samba.conf,
        "WB_DIR": samba.dir,
        "WB_USER": env.user,
        "WB_PASSWORD": env.password,
        "WB_DOMAIN": env.domain,
        "WB_UNKNOWN_USER": peers.UNKNOWN_USER,
        "WB_WRONG_PASSWORD": peers.WRONG_PASSWORD,
    }
    for k, v in sorted(out.items()):
        print("%s=%s" % (k, shlex.quote(v)))
    # how a client reaches this winbindd (nss_wrapper + the socket directory)
    client_env = samba.env(env)
    for k in ("LD_PRELOAD", "NSS_WRAPPER_PASSWD", "NSS_WRAPPER_GROUP",
              "SELFTEST_WINBINDD_SOCKET_DIR"):
        print("WB_ENV_%s=%s" % (k, shlex.quote(client_env[k])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
