#!/usr/bin/python3
"""Our ntlm_auth as the client (ntlmssp-client-1, --use-cached-creds: winbindd's
credential cache) against a Squid-protocol server (squid-2.5-ntlmssp: Samba's
own ntlm_auth, or ours), for 46-domain.sh. Relays YR/TT/KK and prints the
server's verdict line ("AF user", "NA reason", "BH reason") or the client's
failure ("client: BH reason"), then the client's "GF" line.

Usage: sso_relay.py 'CLIENT ARGV' 'SERVER ARGV'   (each a shell-split string)
"""
import shlex
import subprocess
import sys


def start(argv):
    return subprocess.Popen(shlex.split(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=sys.stderr, text=True, bufsize=1)


def ask(p, line):
    p.stdin.write(line + "\n")
    p.stdin.flush()
    return (p.stdout.readline() or "EOF").rstrip("\n")


def main():
    client, server = start(sys.argv[1]), start(sys.argv[2])
    try:
        neg = ask(client, "YR")
        if not neg.startswith("YR "):
            print("client: " + neg)
            return 1
        chal = ask(server, "YR " + neg[3:])
        if not chal.startswith("TT "):
            print(chal)
            return 1
        auth = ask(client, "TT " + chal[3:])
        if not auth.startswith("AF "):
            print("client: " + auth)
            return 1
        print(ask(server, "KK " + auth[3:]))
        print(ask(client, "GF"))
        return 0
    finally:
        for p in (client, server):
            p.stdin.close()
            p.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
