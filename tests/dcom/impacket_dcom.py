#!/usr/bin/python3
"""impacket's DCOM client (dcomrt.DCOMConnection, NTLM) against ntlm-dcom-demo-server.

Usage:
  impacket_dcom.py calls USER PASSWORD DOMAIN PRINCIPAL UID UNIX_USER
      at PKT_INTEGRITY and PKT_PRIVACY: activates NtlmDemo, WhoAmI, Add,
      WhoAmIImpersonated, QueryInterface for IUnknown and an unknown IID,
      RemAddRef, releases; a released interface answers no more
  impacket_dcom.py refused USER PASSWORD DOMAIN WHAT
      WHAT: connect (activation at CONNECT), password (a wrong one),
      launch (the user is not in the launch permission), access (activation
      works, every call is E_ACCESSDENIED)
  impacket_dcom.py linger USER PASSWORD DOMAIN SECONDS
      activates, adds its OID to a ping set (ComplexPing), pings (SimplePing)
      for SECONDS, checks the object still answers, prints "ready OID" and
      goes on pinging until it is killed, without releasing anything

The server listens on 127.0.0.1 port 135 (impacket knows no other port).
Prints one line per check and "impacket-dcom: N passed, N failed" last.
"""
import sys
import time

from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.dcomrt import (DCOMANSWER, DCOMCALL, IID, INTERFACE, DCOMConnection, IActivation,
                                      IID_IClassFactory, IObjectExporter, IRemoteSCMActivator, IRemUnknown2,
                                      PMInterfacePointer)
from impacket.dcerpc.v5.dtypes import LONG, LPWSTR
from impacket.dcerpc.v5.rpcrt import (DCERPCException, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_AUTHN_LEVEL_NONE,
                                      RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
from impacket.uuid import string_to_bin

CLSID_NTLMDEMO = string_to_bin("6c3c2d6e-1f0b-4b7e-9a51-5a2e0f1d7c01")
IID_INTLMDEMO = string_to_bin("6c3c2d6e-1f0b-4b7e-9a51-5a2e0f1d7c02")
IID_IUNKNOWN = string_to_bin("00000000-0000-0000-C000-000000000046")
IID_UNKNOWN = string_to_bin("0badc0de-0000-4000-8000-00000000beef")
E_NOINTERFACE = 0x80004002
E_ACCESSDENIED = 0x80070005
RPC_E_INVALID_IPID = 0x80010113
RPC_S_ACCESS_DENIED = 0x5
IMP_IMPERSONATE = 3

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + str(detail)) if detail else ""))
    sys.stdout.flush()


# INtlmDemo, as its IDL in the issue says (opnums 3..5; ORPCTHIS/ORPCTHAT from impacket).
class WhoAmI(DCOMCALL):
    opnum = 3
    structure = ()


class WhoAmIResponse(DCOMANSWER):
    structure = (
        ("principal", LPWSTR),
        ("authn_svc", LONG),
        ("authn_level", LONG),
        ("imp_level", LONG),
        ("ErrorCode", LONG),
    )


class Add(DCOMCALL):
    opnum = 4
    structure = (("a", LONG), ("b", LONG))


class AddResponse(DCOMANSWER):
    structure = (("sum", LONG), ("ErrorCode", LONG))


class WhoAmIImpersonated(DCOMCALL):
    opnum = 5
    structure = ()


class WhoAmIImpersonatedResponse(DCOMANSWER):
    structure = (("euid", LONG), ("unix_user", LPWSTR), ("ErrorCode", LONG))


# IClassFactory::CreateInstance as it travels (riid in, the interface pointer out).
class CreateInstance(DCOMCALL):
    opnum = 3
    structure = (("riid", IID),)


class CreateInstanceResponse(DCOMANSWER):
    structure = (("ppv", PMInterfacePointer), ("ErrorCode", LONG))


class INtlmDemo(IRemUnknown2):
    def __init__(self, interface):
        IRemUnknown2.__init__(self, interface)
        self._iid = IID_INTLMDEMO

    def call(self, req):
        return self.request(req, self._iid, self.get_iPid())

    def WhoAmI(self):
        return self.call(WhoAmI())

    def Add(self, a, b):
        req = Add()
        req["a"] = a
        req["b"] = b
        return self.call(req)

    def WhoAmIImpersonated(self):
        return self.call(WhoAmIImpersonated())


# impacket reports a fault PDU by name only: 5 and any HRESULT whose low 16 bits are 5
# (E_ACCESSDENIED) as "rpc_s_access_denied", other HRESULTs by their COM name.
NAMES = {E_NOINTERFACE: "E_NOINTERFACE", E_ACCESSDENIED: "rpc_s_access_denied",
         RPC_E_INVALID_IPID: "RPC_E_INVALID_IPID", RPC_S_ACCESS_DENIED: "rpc_s_access_denied"}


def error_code(e):
    code = e.get_error_code() if hasattr(e, "get_error_code") else None
    return code if code is not None else -1


def failed_with(e, code):
    """The exception carries code, or names it (a fault)."""
    return error_code(e) == code or (error_code(e) == -1 and NAMES[code] in str(e))


def why(e):
    return "%s %s" % (hex(error_code(e)), e)


def text(s):
    return s.rstrip("\x00") if isinstance(s, str) else s


def activate(user, password, domain, level):
    dcom = DCOMConnection("127.0.0.1", user, password, domain, authLevel=level)
    iface = dcom.CoCreateInstanceEx(CLSID_NTLMDEMO, IID_INTLMDEMO)
    return dcom, INtlmDemo(iface)


def calls(user, password, domain, principal, uid, unix_user):
    for level, name in ((RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, "integrity"),
                        (RPC_C_AUTHN_LEVEL_PKT_PRIVACY, "privacy")):
        try:
            dcom, demo = activate(user, password, domain, level)
        except Exception as e:
            check("%s: activation" % name, False, repr(e))
            continue
        check("%s: activation" % name, True)
        try:
            r = demo.WhoAmI()
            got = (text(r["principal"]), r["authn_svc"], r["authn_level"], r["imp_level"])
            check("%s: WhoAmI" % name, got == (principal, 10, level, IMP_IMPERSONATE), got)
            r = demo.Add(40, 2)
            check("%s: Add" % name, r["sum"] == 42 and r["ErrorCode"] == 0, r["sum"])
            r = demo.Add(-7, 3)
            check("%s: Add (negative)" % name, r["sum"] == -4, r["sum"])
            r = demo.WhoAmIImpersonated()
            got = (r["euid"], text(r["unix_user"]), r["ErrorCode"])
            check("%s: WhoAmIImpersonated" % name, got == (uid, unix_user, 0), got)
            unk = demo.RemQueryInterface(1, (IID_IUNKNOWN,))
            check("%s: QueryInterface IUnknown" % name, unk.get_iPid() not in (None, b"\0" * 16))
            try:
                demo.RemQueryInterface(1, (IID_UNKNOWN,))
                check("%s: QueryInterface unknown IID" % name, False, "answered")
            except DCERPCException as e:
                check("%s: QueryInterface unknown IID" % name, failed_with(e, E_NOINTERFACE),
                      why(e))
            try:
                demo.request(Add(), IID_INTLMDEMO, unk.get_iPid())
                check("%s: INtlmDemo through the IUnknown IPID refused" % name, False, "answered")
            except DCERPCException as e:
                check("%s: INtlmDemo through the IUnknown IPID refused" % name,
                      failed_with(e, RPC_E_INVALID_IPID), why(e))
            r = demo.RemAddRef()
            check("%s: RemAddRef" % name, r["ErrorCode"] == 0)
            # three references on INtlmDemo (activation, AddRef) and one on IUnknown
            for _ in range(2):
                demo.RemRelease()
            r = demo.Add(1, 1)
            check("%s: still referenced after two releases" % name, r["sum"] == 2)
            demo.RemRelease()
            unk.RemRelease()
            check("%s: released" % name, True)
            try:
                demo.Add(1, 2)
                check("%s: a released interface answers no more" % name, False, "answered")
            except DCERPCException as e:
                check("%s: a released interface answers no more" % name,
                      failed_with(e, RPC_E_INVALID_IPID), why(e))
        except Exception as e:
            check("%s: calls" % name, False, repr(e))
        dcom.disconnect()


def resolver(user, password, domain, level):
    """IObjectExporter on port 135 at level (NONE: without credentials)."""
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:127.0.0.1[135]")
    if level != RPC_C_AUTHN_LEVEL_NONE:
        t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_level(level)
    dce.connect()
    return IObjectExporter(dce)


def resolver_floor(user, password, domain):
    try:
        bindings = resolver(user, password, domain, RPC_C_AUTHN_LEVEL_NONE).ServerAlive2()
        check("connect: ServerAlive2 answers without security", len(bindings) > 0)
    except Exception as e:
        check("connect: ServerAlive2 answers without security", False, repr(e))
    for level, name in ((RPC_C_AUTHN_LEVEL_NONE, "without security"),
                        (RPC_C_AUTHN_LEVEL_CONNECT, "at CONNECT")):
        try:
            resolver(user, password, domain, level).ComplexPing(0, 0, [], [])
            check("connect: ComplexPing %s refused" % name, False, "answered")
        except DCERPCException as e:
            check("connect: ComplexPing %s refused" % name, failed_with(e, RPC_S_ACCESS_DENIED),
                  why(e))


def exporter_floor(user, password, domain):
    """An object activated at integrity, then called at CONNECT on the exporter's port."""
    dcom, demo = activate(user, password, domain, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    addr = [b["aNetworkAddr"].rstrip("\x00") for b in demo.get_cinstance().get_string_bindings()
            if b["wTowerId"] == 7][0]
    t = transport.DCERPCTransportFactory("ncacn_ip_tcp:%s" % addr)
    t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_level(RPC_C_AUTHN_LEVEL_CONNECT)
    dce.connect()
    dce.bind(IID_INTLMDEMO)
    req = Add()
    req["ORPCthis"] = demo.get_cinstance().get_ORPCthis()
    req["ORPCthis"]["flags"] = 0
    req["a"] = 1
    req["b"] = 2
    try:
        dce.request(req, demo.get_iPid())
        check("connect: object call at CONNECT refused", False, "answered")
    except DCERPCException as e:
        check("connect: object call at CONNECT refused", failed_with(e, RPC_S_ACCESS_DENIED),
              why(e))
    dce.disconnect()
    demo.RemRelease()
    dcom.disconnect()


def other_activations(user, password, domain):
    """IActivation::RemoteActivation, and RemoteGetClassObject + IClassFactory::CreateInstance."""
    try:
        dcom = DCOMConnection("127.0.0.1", user, password, domain,
                              authLevel=RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
        demo = INtlmDemo(IActivation(dcom.get_dce_rpc()).RemoteActivation(CLSID_NTLMDEMO,
                                                                          IID_INTLMDEMO))
        check("RemoteActivation: Add", demo.Add(2, 3)["sum"] == 5)
        demo.RemRelease()
        dcom.disconnect()
    except Exception as e:
        check("RemoteActivation", False, repr(e))
    try:
        dcom = DCOMConnection("127.0.0.1", user, password, domain,
                              authLevel=RPC_C_AUTHN_LEVEL_PKT_PRIVACY)
        factory = IRemoteSCMActivator(dcom.get_dce_rpc()).RemoteGetClassObject(CLSID_NTLMDEMO,
                                                                               IID_IClassFactory)
        req = CreateInstance()
        req["riid"] = IID_INTLMDEMO
        resp = factory.request(req, IID_IClassFactory, factory.get_iPid())
        objref = b"".join(resp["ppv"]["abData"])
        demo = INtlmDemo(INTERFACE(factory.get_cinstance(), objref, factory.get_ipidRemUnknown(),
                                   target="127.0.0.1"))
        check("RemoteGetClassObject + CreateInstance: Add", demo.Add(3, 4)["sum"] == 7)
        demo.RemRelease()
        factory.RemRelease()
        dcom.disconnect()
    except Exception as e:
        check("RemoteGetClassObject + CreateInstance", False, repr(e))


def refused(user, password, domain, what):
    if what == "connect":
        resolver_floor(user, password, domain)
        exporter_floor(user, password, domain)
    level = RPC_C_AUTHN_LEVEL_CONNECT if what == "connect" else RPC_C_AUTHN_LEVEL_PKT_PRIVACY
    try:
        dcom, demo = activate(user, password, domain, level)
    except Exception as e:
        want = {"connect": RPC_S_ACCESS_DENIED, "password": RPC_S_ACCESS_DENIED,
                "launch": E_ACCESSDENIED}.get(what)
        check("%s: activation refused" % what, want is not None and failed_with(e, want), why(e))
        return
    if what != "access":
        check("%s: activation refused" % what, False, "activated")
        dcom.disconnect()
        return
    check("access: activation (launch permitted)", True)
    for name, fn in (("WhoAmI", demo.WhoAmI), ("Add", lambda: demo.Add(1, 2)),
                     ("QueryInterface", lambda: demo.RemQueryInterface(1, (IID_IUNKNOWN,))),
                     ("RemRelease", demo.RemRelease)):
        try:
            fn()
            check("access: %s refused" % name, False, "answered")
        except DCERPCException as e:
            check("access: %s refused" % name, failed_with(e, E_ACCESSDENIED), why(e))
    dcom.disconnect()


def linger(user, password, domain, seconds):
    dcom, demo = activate(user, password, domain, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY)
    exporter = IObjectExporter(dcom.get_dce_rpc())
    r = exporter.ComplexPing(0, 0, [demo.get_oid()], [])
    setid = r["pSetId"]
    check("linger: ComplexPing made a set", setid != 0 and r["ErrorCode"] == 0, setid)
    end = time.time() + seconds
    while time.time() < end:
        exporter.SimplePing(setid)
        time.sleep(0.2)
    r = demo.Add(20, 22)
    check("linger: pinged object still answers", r["sum"] == 42)
    print("ready %016x" % demo.get_oid())
    sys.stdout.flush()
    while True:  # pinging until killed: only the kill stops the pings
        exporter.SimplePing(setid)
        time.sleep(0.2)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode, args = argv[1], argv[2:]
    if mode == "calls" and len(args) == 6:
        calls(args[0], args[1], args[2], args[3], int(args[4]), args[5] if args[5] != "-" else "")
        other_activations(args[0], args[1], args[2])
    elif mode == "refused" and len(args) == 4:
        refused(*args)
    elif mode == "linger" and len(args) == 4:
        linger(args[0], args[1], args[2], float(args[3]))
    else:
        sys.exit(__doc__)
    print("impacket-dcom: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
