#!/usr/bin/python3
"""impacket's DCE/RPC client (RPC_C_AUTHN_WINNT) against rpc-demo-server.

Usage: impacket_client.py PORT USER PASSWORD DOMAIN EXPECTED_PRINCIPAL

Binds to the demonstration interface (rpc/demo_iface.h) over ncacn_ip_tcp at
PKT_INTEGRITY and PKT_PRIVACY, calls Echo, Add and WhoAmI, and checks the
answers; then checks that a wrong password is refused. Prints one line per
check and "impacket: N passed, N failed" last; exits 1 on any failure.
"""
import struct
import sys

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.rpcrt import (DCERPCException, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
                                      RPC_C_AUTHN_LEVEL_PKT_PRIVACY, RPC_C_AUTHN_WINNT)
from impacket.uuid import uuidtup_to_bin

DEMO_IFACE = uuidtup_to_bin(("5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60", "1.0"))
OP_ECHO, OP_ADD, OP_WHOAMI = 0, 1, 2

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""))
    sys.stdout.flush()


def connect(port, user, password, domain, level):
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:127.0.0.1[%d]" % port)
    t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_type(RPC_C_AUTHN_WINNT)
    dce.set_auth_level(level)
    dce.connect()
    dce.bind(DEMO_IFACE)
    return dce


def call(dce, opnum, stub):
    dce.call(opnum, stub)
    return dce.recv()


def read_string(buf, off):
    """A demo "string": u32 count, the bytes, zero padding to 4."""
    (n,) = struct.unpack_from("<I", buf, off)
    s = buf[off + 4:off + 4 + n].decode("utf-8")
    return s, off + 4 + n + (4 - n % 4) % 4


def parse_whoami(buf):
    fields = struct.unpack_from("<7I", buf, 0)
    off = 28
    strings = []
    for _ in range(4):
        s, off = read_string(buf, off)
        strings.append(s)
    return fields, strings


def run_level(port, user, password, domain, principal, level, name):
    try:
        dce = connect(port, user, password, domain, level)
    except Exception as e:  # any failure to bind is a failed check, with its reason
        check("%s bind" % name, False, repr(e))
        return
    check("%s bind" % name, True)
    payload = b"impacket says hello " * 3
    check("%s echo" % name, call(dce, OP_ECHO, payload) == payload)
    out = call(dce, OP_ADD, struct.pack("<II", 40, 2))
    check("%s add" % name, out == struct.pack("<I", 42), out.hex())
    big = bytes(range(256)) * 40  # 10 KiB: several fragments each way
    check("%s echo 10 KiB (fragmented)" % name, call(dce, OP_ECHO, big) == big)
    fields, strings = parse_whoami(call(dce, OP_WHOAMI, struct.pack("<I", 0)))
    status, euid, egid, authn_svc, authn_level, imp_level, local = fields
    check("%s whoami principal" % name, strings[0] == principal, strings[0])
    check("%s whoami level" % name, authn_svc == 10 and authn_level == level,
          "svc %d level %d" % (authn_svc, authn_level))
    dce.disconnect()


def run_wrong_password(port, user, domain):
    try:
        dce = connect(port, user, "not-the-password", domain, RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
        call(dce, OP_ADD, struct.pack("<II", 1, 2))
    except DCERPCException as e:
        check("wrong password refused", "access_denied" in str(e).lower(), str(e))
        return
    except Exception as e:  # the server may also just close the connection
        check("wrong password refused", True, repr(e))
        return
    check("wrong password refused", False, "the call succeeded")


def main():
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    port, user, password, domain, principal = int(sys.argv[1]), *sys.argv[2:6]
    run_level(port, user, password, domain, principal, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, "integrity")
    run_level(port, user, password, domain, principal, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, "privacy")
    run_wrong_password(port, user, domain)
    print("impacket: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
