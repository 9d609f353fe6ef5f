#!/usr/bin/python3
"""A man in the middle between an RPC client and our RPC server (ncacn_ip_tcp).

Usage: rpc_mitm.py RPC_BUILD_DIR

Starts build/rpc/rpc_mitm_server (interface A = the demo interface, interface
B answers "interface B ran opnum N") and puts a TCP proxy in front of it that
parses each PDU and rewrites or injects some, then drives
build/rpc/rpc-demo-client through the proxy:

  (a) the bind's abstract syntax is renamed from A to B: the client's call
      must not run on B (the verification trailer names A);
  (b) the bind's level is downgraded to CONNECT (and the answer's raised back),
      then an unsigned call is injected: refused under the default level floor;
  (c) an alter_context carrying a verifier is injected on the authenticated
      association: refused;
  (d) a fragment above the max_recv_frag the server announced is injected:
      the server hangs up without reading it.

Each scenario also runs unmodified, or with the server explicitly weakened,
to show that the proxy's change is real and the check is what stops it.
Python 3 standard library only. Prints one line per check and
"rpc-mitm: N passed, N failed" last; exits 1 on any failure.
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

USER, PASSWORD = "mitmuser", "Mitm-Passw0rd!"
IFACE_A = uuid.UUID("5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60").bytes_le
IFACE_B = uuid.UUID("5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f63").bytes_le
NDR = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860").bytes_le
PT_REQUEST, PT_RESPONSE, PT_FAULT = 0, 2, 3
PT_BIND, PT_BIND_ACK, PT_ALTER, PT_ALTER_RESP, PT_AUTH3 = 11, 12, 14, 15, 16
LEVEL_CONNECT = 2
FAULT_ACCESS_DENIED = 5
MAX_RECV_FRAG = 5840  # what the server's bind_ack announces
INJECTED = 0x4242     # call_id of every PDU the proxy makes up

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""))
    sys.stdout.flush()


# ----------------------------------------------------------- a tiny PDU codec

class Pdu:
    """One connection-oriented PDU: the common header's fields and the bytes."""

    def __init__(self, data):
        self.data = bytearray(data)
        (self.vers, _, self.ptype, self.flags, _, self.frag_len, self.auth_len,
         self.call_id) = struct.unpack_from("<BBBB4sHHI", data, 0)

    def trailer_off(self):
        """Where the sec_trailer starts, or None without a verifier."""
        return self.frag_len - self.auth_len - 8 if self.auth_len else None

    def auth_level(self):
        off = self.trailer_off()
        return None if off is None else self.data[off + 1]

    def set_auth_level(self, level):
        self.data[self.trailer_off() + 1] = level

    def fault_status(self):
        return struct.unpack_from("<I", self.data, 24)[0] if self.ptype == PT_FAULT else None


def header(ptype, call_id, frag_len, auth_len=0, flags=3):
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\0\0\0", frag_len, auth_len, call_id)


def request(call_id, opnum, stub, ctx_id=0):
    """An unsigned request PDU, as anyone on the path can make one."""
    body = struct.pack("<IHH", len(stub), ctx_id, opnum) + stub
    return header(PT_REQUEST, call_id, 16 + len(body)) + body


def alter_context(call_id, ctx_id, iface, token=None):
    """alter_context for one presentation context (iface v1.0, NDR), with a verifier if token."""
    body = struct.pack("<HHIB3x", MAX_RECV_FRAG, MAX_RECV_FRAG, 0, 1)
    body += struct.pack("<HBx", ctx_id, 1) + iface + struct.pack("<HH", 1, 0)
    body += NDR + struct.pack("<HH", 2, 0)
    auth = b""
    if token:
        auth = struct.pack("<BBBBI", 10, 6, 0, 0, 7) + token  # a second auth_context_id
    return header(PT_ALTER, call_id, 16 + len(body) + len(auth), len(token or b"")) + body + auth


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def recv_pdu(sock):
    head = recv_exact(sock, 16)
    if head is None:
        return None
    (frag_len,) = struct.unpack_from("<H", head, 8)
    rest = recv_exact(sock, frag_len - 16)
    return None if rest is None else Pdu(head + rest)


# ------------------------------------------------------------------ the proxy

class Proxy:
    """Relays one client connection at a time to the server, through a hook.

    hook.client(proxy, pdu) returns the PDUs to send to the server (it may
    inject with proxy.inject); server answers to injected calls are kept in
    proxy.answers (call_id -> Pdu, or "closed" if the server hung up first)
    instead of reaching the client.
    """

    def __init__(self, server_port, hook):
        self.server_port = server_port
        self.hook = hook
        self.answers = {}
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.server_port))
            self.server = server
            for target in (self.client_to_server, self.server_to_client):
                threading.Thread(target=target, args=(client, server), daemon=True).start()

    def inject(self, data):
        with self.lock:
            self.answers.setdefault(INJECTED, None)
        self.server.sendall(data)

    def client_to_server(self, client, server):
        try:
            while True:
                pdu = recv_pdu(client)
                if pdu is None:
                    break
                for out in self.hook.client(self, pdu):
                    server.sendall(out)
        except OSError:
            pass
        try:
            server.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def server_to_client(self, client, server):
        try:
            while True:
                pdu = recv_pdu(server)
                if pdu is None:
                    break
                with self.lock:
                    if pdu.call_id == INJECTED and INJECTED in self.answers:
                        self.answers[INJECTED] = pdu
                        continue
                self.hook.server(self, pdu)
                client.sendall(bytes(pdu.data))
        except OSError:
            pass
        with self.lock:
            if INJECTED in self.answers and self.answers[INJECTED] is None:
                self.answers[INJECTED] = "closed"
        try:
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def injected_answer(self):
        for _ in range(100):
            with self.lock:
                if self.answers.get(INJECTED) is not None:
                    return self.answers[INJECTED]
            time.sleep(0.05)
        return "no answer"

    def close(self):
        self.listener.close()


class PassThrough:
    def client(self, proxy, pdu):
        return [bytes(pdu.data)]

    def server(self, proxy, pdu):
        pass


class RenameInterface(PassThrough):
    """(a) the unprotected bind asks for B where the client asked for A."""

    def client(self, proxy, pdu):
        if pdu.ptype == PT_BIND:
            pdu.data = bytearray(bytes(pdu.data).replace(IFACE_A, IFACE_B))
        return [bytes(pdu.data)]


class Downgrade(PassThrough):
    """(b) the server binds at CONNECT, the client believes in its level; then a call of ours."""

    def __init__(self):
        self.client_level = None

    def client(self, proxy, pdu):
        if pdu.ptype in (PT_BIND, PT_AUTH3) and pdu.auth_len:
            self.client_level = pdu.auth_level()
            pdu.set_auth_level(LEVEL_CONNECT)
        out = [bytes(pdu.data)]
        if pdu.ptype == PT_AUTH3:
            proxy.server.sendall(out.pop())
            proxy.inject(request(INJECTED, 2, b"\0\0\0\0"))  # WhoAmI, as the client
        return out

    def server(self, proxy, pdu):
        if pdu.ptype == PT_BIND_ACK and pdu.auth_len and self.client_level:
            pdu.set_auth_level(self.client_level)


class InjectAfterAuth(PassThrough):
    """(c), (d): once the client's rpc_auth_3 has passed, a PDU of ours goes first."""

    def __init__(self, pdu):
        self.pdu = pdu

    def client(self, proxy, pdu):
        if pdu.ptype == PT_AUTH3:
            proxy.server.sendall(bytes(pdu.data))
            proxy.inject(self.pdu)
            return []
        return [bytes(pdu.data)]


# ----------------------------------------------------------------- scenarios

class Server:
    def __init__(self, build, work, min_level=0, require_vt=0):
        self.dir = tempfile.mkdtemp(dir=work)
        os.chmod(self.dir, 0o711)
        self.proc = subprocess.Popen(
            [os.path.join(build, "rpc_mitm_server"), self.dir, USER, PASSWORD, str(min_level),
             str(require_vt)])
        port_file = os.path.join(self.dir, "port")
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        self.port = int(open(port_file).read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_client(build, port, *command, level="privacy"):
    out = subprocess.run(
        [os.path.join(build, "rpc-demo-client"), "--binding", "ncacn_ip_tcp:127.0.0.1[%d]" % port,
         "--user", USER, "--password", PASSWORD, "--domain", "ELSEWHERE", "--level", level]
        + list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return out.returncode, out.stdout.decode(errors="replace").strip()


def through(server, hook, build, *command, level="privacy"):
    proxy = Proxy(server.port, hook)
    try:
        rc, out = run_client(build, proxy.port, *command, level=level)
        answer = proxy.injected_answer() if INJECTED in proxy.answers else None
    finally:
        proxy.close()
    return rc, out, answer


def describe(answer):
    if isinstance(answer, Pdu):
        if answer.ptype == PT_FAULT:
            return "fault 0x%x" % answer.fault_status()
        return "ptype %d" % answer.ptype
    return str(answer)


def scenario_rename(build, srv):
    for level in ("integrity", "privacy"):
        rc, out, _ = through(srv, PassThrough(), build, "echo", "for-A", level=level)
        check("(a) unmodified: echo on A at %s" % level, rc == 0 and "echo: for-A" in out, out)
        rc, out, _ = through(srv, RenameInterface(), build, "echo", "for-A", level=level)
        check("(a) bind renamed A -> B at %s: refused, B never ran" % level,
              rc != 0 and "ACCESS_DENIED" in out and "interface B" not in out, out)


def scenario_downgrade(build, srv, weak):
    rc, out, answer = through(srv, PassThrough(), build, "whoami")
    check("(b) unmodified: whoami at privacy", rc == 0 and "level=6" in out, out)
    rc, out, answer = through(weak, Downgrade(), build, "whoami")
    ok = isinstance(answer, Pdu) and answer.ptype == PT_RESPONSE
    check("(b) control: with CONNECT allowed by name the injected call runs as the client", ok,
          describe(answer))
    rc, out, answer = through(srv, Downgrade(), build, "whoami")
    ok = isinstance(answer, Pdu) and answer.fault_status() == FAULT_ACCESS_DENIED
    check("(b) bind downgraded to CONNECT + injected call: refused by the default floor", ok,
          describe(answer))
    check("(b) ... and the client's own call does not run either", rc != 0 and "whoami:" not in out,
          out)


def scenario_alter(build, srv):
    rc, out, answer = through(srv, InjectAfterAuth(alter_context(INJECTED, 1, IFACE_B)), build,
                              "echo", "still-A")
    ok = isinstance(answer, Pdu) and answer.ptype == PT_ALTER_RESP
    check("(c) control: alter_context without a verifier is answered", ok, describe(answer))
    check("(c) control: ... and the client's call goes on", rc == 0 and "echo: still-A" in out, out)
    negotiate = b"NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2" + bytes(16)
    rc, out, answer = through(srv, InjectAfterAuth(alter_context(INJECTED, 1, IFACE_B, negotiate)),
                              build, "echo", "still-A")
    ok = isinstance(answer, Pdu) and answer.fault_status() == FAULT_ACCESS_DENIED
    check("(c) alter_context with a verifier on the authenticated association: refused", ok,
          describe(answer))


def scenario_oversize(build, srv):
    fits = request(INJECTED, 0, bytes(MAX_RECV_FRAG - 24))
    rc, out, answer = through(srv, InjectAfterAuth(fits), build, "echo", "x")
    ok = isinstance(answer, Pdu) and answer.ptype == PT_FAULT
    check("(d) control: a %d-byte fragment is read (and, unsigned, faulted)" % len(fits), ok,
          describe(answer))
    big = request(INJECTED, 0, bytes(MAX_RECV_FRAG - 24 + 1))
    rc, out, answer = through(srv, InjectAfterAuth(big), build, "echo", "x")
    check("(d) a %d-byte fragment (max_recv_frag %d): the server hangs up unread"
          % (len(big), MAX_RECV_FRAG), answer == "closed", describe(answer))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="ntlm-rpc-mitm.")
    os.chmod(work, 0o711)
    servers = []
    try:
        srv = Server(build, work)
        servers.append(srv)
        weak = Server(build, work, min_level=LEVEL_CONNECT)
        servers.append(weak)
        scenario_rename(build, srv)
        scenario_downgrade(build, srv, weak)
        scenario_alter(build, srv)
        scenario_oversize(build, srv)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("rpc-mitm: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
