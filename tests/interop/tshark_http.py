"""tshark as a peer of sorts: Wireshark's NTLMSSP dissector reads our messages.

Our `ntlm client` and `ntlm server` (line protocol) are bridged over HTTP on
127.0.0.1 (Authorization / WWW-Authenticate: NTLM <b64>, one keep-alive
connection, as IIS and browsers do) while tshark captures that port on the
loopback interface into a pcap in the work dir. Then `tshark -r -V` must show
NTLMSSP_NEGOTIATE, NTLMSSP_CHALLENGE and NTLMSSP_AUTH, the user and domain,
an NTLMv2 response, and no "Malformed" packet nor expert warning/error.
Every process started here is ended by its PID.
"""
import http.client
import http.server
import os
import re
import signal
import subprocess
import threading
import time


class LinePeer:
    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1, env=env)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def recv(self):
        return self.p.stdout.readline().strip()

    def stop(self):
        try:
            self.send("QUIT")
            self.p.stdin.close()
            self.p.wait(timeout=3)
        except Exception:
            if self.p.poll() is None:
                os.kill(self.p.pid, signal.SIGKILL)
                self.p.wait()


def make_handler(server_peer, result):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_GET(self):
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("NTLM "):
                self.reply(401, {"WWW-Authenticate": "NTLM"})
                return
            server_peer.send("TOKEN " + auth[5:].strip())
            r = server_peer.recv()
            if r.startswith("TOKEN "):
                self.reply(401, {"WWW-Authenticate": "NTLM " + r[6:]})
            elif r.startswith("DONE"):
                result["server"] = r
                self.reply(200, {}, b"authenticated\n")
            else:
                result["server"] = r
                self.reply(403, {}, b"refused\n")

        def reply(self, code, headers, body=b""):
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    return H


def start_capture(pcap, port, settle):
    """tshark capturing TCP port `port` on lo into pcap, returned once it
    captures (None when it never says so)."""
    p = subprocess.Popen(["tshark", "-n", "-i", "lo", "-f", "tcp port %d" % port, "-w", pcap],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:  # dumpcap says "Capturing on 'Loopback: lo'"
        line = p.stderr.readline()
        if not line:
            break
        if "Capturing on" in line:
            time.sleep(settle)  # dumpcap reports before its filter is attached: packets sent at once are lost
            return p
    stop_capture(p)
    return None


def stop_capture(p):
    if p is None:
        return
    if p.poll() is None:
        time.sleep(1.0)  # let dumpcap write the last segments
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def http_exchange(client, conn, path="/", scheme="NTLM"):
    """Relays a line-protocol client's TOKEN lines over one keep-alive HTTP
    connection (Authorization: <scheme> <b64>) until the server stops
    answering 401 with a token of that scheme. Returns (status, body, the
    base64 tokens sent)."""
    tok = client.recv()
    status, body, sent = None, b"", []
    for _ in range(3):
        if not tok.startswith("TOKEN "):
            break
        sent.append(tok[6:])
        conn.request("GET", path, headers={"Authorization": "%s %s" % (scheme, tok[6:])})
        resp = conn.getresponse()
        body = resp.read()
        status = resp.status
        www = [v for k, v in resp.getheaders() if k.lower() == "www-authenticate"
               and v.startswith(scheme + " ")]
        if status != 401 or not www:
            break
        client.send("TOKEN " + www[0].split(" ", 1)[1])
        tok = client.recv()
    return status, body, sent


def run(work, client_argv, server_argv, env=None, expect_user="ntlmitest", expect_domain="INTEROP"):
    """Returns (ok, detail). A capture that missed the start of the exchange
    (dumpcap attaching late) is tried once more with a longer settle time."""
    ok, detail = run_once(work, client_argv, server_argv, env, expect_user, expect_domain, 2.0)
    if not ok and "NTLMSSP_NEGOTIATE" in detail:
        ok, detail = run_once(work, client_argv, server_argv, env, expect_user, expect_domain, 6.0)
        detail += " (second capture)"
    return ok, detail


def run_once(work, client_argv, server_argv, env, expect_user, expect_domain, settle):
    pcap = os.path.join(work, "ntlm-http.pcap")
    result = {}
    client = server = tshark = httpd = None
    try:
        server = LinePeer(server_argv, env)
        httpd = http.server.HTTPServer(("127.0.0.1", 0), make_handler(server, result))
        port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        tshark = start_capture(pcap, port, settle)
        if tshark is None:
            return False, "tshark did not start capturing on lo"
        client = LinePeer(client_argv, env)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        status = http_exchange(client, conn)[0]
        conn.close()
        if status != 200:
            return False, "HTTP exchange ended with %s (server: %s)" % (status, result.get("server"))
    finally:
        stop_capture(tshark)
        if httpd:
            httpd.shutdown()
            httpd.server_close()
        for p in (client, server):
            if p:
                p.stop()
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-V", "-d", "tcp.port==%d,http" % port],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    text = r.stdout
    with open(pcap + ".txt", "w") as f:
        f.write(text)
    missing = [w for w in ("NTLMSSP_NEGOTIATE", "NTLMSSP_CHALLENGE", "NTLMSSP_AUTH",
                           "User name: " + expect_user, "Domain name: " + expect_domain,
                           "NTLMv2 Response") if w not in text]
    bad = sorted(set(m.group(0) for m in re.finditer(
        r"Malformed[^\n]*|Expert Info \((Warning|Error)[^\n]*", text)))
    if r.returncode != 0 or missing or bad:
        return False, "tshark: missing %s; problems %s" % (missing, bad[:5])
    return True, "NEGOTIATE/CHALLENGE/AUTH dissected, no malformed packet or expert warning"
