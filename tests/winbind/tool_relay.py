#!/usr/bin/python3
"""One handshake between `ntlm client` and `ntlm server --winbind` over the
tools' line protocol (see docs/interop.md), for 45-winbind.sh. The client's
key is compared with the server's and a sealed message goes through both
ends. Prints the server's last line ("DONE user=... " or "FAIL reason"),
then "sealed" when the keys agree and the message round-trips; exits 0 only
then.

Usage: tool_relay.py NTLM [--client-as UID] [client options] -- [server options]
(--client-as: the client runs under that uid and gid, through setpriv; the
server stays as the caller, who may use winbindd's privileged pipe.)
"""
import base64
import subprocess
import sys

TIMEOUT = 30


class Tool:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def recv(self):
        line = self.p.stdout.readline()
        return line.rstrip("\n") if line else "EOF"

    def close(self):
        try:
            self.send("QUIT")
        except (BrokenPipeError, OSError):
            pass
        try:
            self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        err = self.p.stderr.read()
        return err.strip()


def field(line, name):
    for word in line.split():
        if word.startswith(name + "="):
            return word[len(name) + 1:]
    return None


def handshake(client, server):
    """Relays TOKEN lines until both have said DONE (or one failed)."""
    neg = client.recv()
    server.send(neg)
    chal = server.recv()
    if not chal.startswith("TOKEN "):
        return chal, None
    client.send(chal)
    auth = client.recv()
    client_done = client.recv()
    server.send(auth)
    return server.recv(), client_done


def sealing_works(client, server):
    msg = base64.b64encode(b"through ntlm server --winbind").decode()
    client.send("SEAL " + msg)
    sealed = client.recv().split()
    if len(sealed) != 3 or sealed[0] != "SEALED":
        return False
    server.send("UNSEAL %s %s" % (sealed[1], sealed[2]))
    if server.recv() != "PLAIN " + msg:
        return False
    # and back: the server seals, the client unseals
    server.send("SEAL " + msg)
    sealed = server.recv().split()
    if len(sealed) != 3 or sealed[0] != "SEALED":
        return False
    client.send("UNSEAL %s %s" % (sealed[1], sealed[2]))
    return client.recv() == "PLAIN " + msg


def main():
    ntlm = sys.argv[1]
    rest = sys.argv[2:]
    prefix = []
    if rest[:1] == ["--client-as"]:
        uid = rest[1]
        prefix = ["setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"]
        rest = rest[2:]
    cut = rest.index("--")
    # the keys are compared below: the DONE lines carry them only when asked for
    client = Tool(prefix + [ntlm, "client", "--show-session-key"] + rest[:cut])
    server = Tool([ntlm, "server", "--show-session-key"] + rest[cut + 1:])
    ok = False
    try:
        server_done, client_done = handshake(client, server)
        print(server_done)
        if server_done.startswith("DONE ") and client_done and client_done.startswith("DONE "):
            key = field(server_done, "sessionkey")
            same = key not in (None, "-") and key == field(client_done, "sessionkey")
            ok = same and sealing_works(client, server)
            print("sealed" if ok else "keys or sealing differ")
    finally:
        for name, t in (("client", client), ("server", server)):
            err = t.close()
            if err:
                print("%s stderr: %s" % (name, err[-300:]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
