#!/usr/bin/python3
"""The GSSAPI mechanism with real HTTP programs: Apache httpd with
mod_auth_gssapi, curl (NTLM, SPNEGO, Basic) and python3-gssapi, on 127.0.0.1.

Two Apache servers run from configurations written here, each with the
NTLMSSP mechanism chosen through GSS_MECH_CONFIG in its environment: one with
ours ("A-ours"), one with gss-ntlmssp ("A-gssntlmssp"). Each serves a CGI
printing REMOTE_USER, AUTH_TYPE and GSS_MECH at /whoami (AuthType GSSAPI,
GssapiAllowedMech ntlmssp, GssapiConnectionBound On, KeepAlive On) and at
/basic (the same with GssapiBasicAuth On, GssapiBasicAuthMech ntlmssp).

    gss_http.py --work DIR --ours MECHFILE --theirs MECHFILE

MECHFILE: a mech.d-style line naming the module. Every check prints "ok" or
"FAIL"; the last line is "gss-http: N passed, N failed". Every process is
started here in a session of its own (Apache signals its whole process group
at shutdown) and ended by its PID.
"""
import argparse
import base64
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "interop")
sys.path.insert(0, INTEROP)

import spnego  # noqa: E402  (the SPNEGO DER reader of the interop suite)
from interop import analyze  # noqa: E402  (what an NTLMSSP message carries)
from tshark_http import LinePeer, http_exchange, start_capture, stop_capture  # noqa: E402

PY = "/usr/bin/python3"
APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
DOMAIN, USER, PASSWORD = "DOM", "alice", "Http-Passw0rd"
WRONG_PASSWORD, UNKNOWN_USER = "Wrong-Passw0rd", "mallory"
SERVER_NAME = "WEBSRV"  # the acceptors' NetBIOS computer name
STARTED = []            # every process started here, ended by PID at exit

# What the acceptor's error log must say for each refusal (mod_auth_gssapi
# logs gss_display_status of the major and minor codes). Ours: our reason
# names; gss-ntlmssp: its errno / ERR_* texts.
REASONS = {
    "ours": {"wrong-password": r"NTLM_E_LOGON_FAILURE",  # (an unknown user looks the same)
             "unknown-user": r"NTLM_E_LOGON_FAILURE",
             "ntlmv1": r"NTLM_E_NTLMV1_REFUSED"},
    "gss-ntlmssp": {"wrong-password": r"Invalid argument",
                    "unknown-user": r"Permission denied",
                    "ntlmv1": r"NTLM version 1 not allowed"},
}


class Report:
    def __init__(self, excluded=()):
        self.passed = self.failed = 0
        self.failures = []
        self.excluded = set(excluded)

    def wanted(self, case, what):
        """False (said so, not counted) for a case the suite keeps out."""
        if case not in self.excluded:
            return True
        print("n/a  %s: kept out of the suite (--exclude %s, see 43-gss-http.sh)" % (what, case))
        return False

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s%s" % (name, (": " + detail) if detail else ""))
        else:
            self.failed += 1
            self.failures.append(name)
            print("FAIL %s%s" % (name, (": " + detail) if detail else ""))
        sys.stdout.flush()
        return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_user():
    """Apache started as root serves from an unprivileged user: the files it
    reads must be that user's."""
    if os.getuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def give(path, user, mode):
    os.chmod(path, mode)
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


CGI = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf 'REMOTE_USER=%s\\nAUTH_TYPE=%s\\nGSS_MECH=%s\\n' "$REMOTE_USER" "$AUTH_TYPE" "$GSS_MECH"
"""

CONF = """ServerRoot {d}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {d}/httpd.pid
DefaultRuntimeDir {d}
ErrorLog {d}/error.log
LogLevel warn auth_gssapi:info
Mutex file:{d} default
{user}
LoadModule mpm_prefork_module {m}/mod_mpm_prefork.so
LoadModule authn_core_module {m}/mod_authn_core.so
LoadModule authz_core_module {m}/mod_authz_core.so
LoadModule authz_user_module {m}/mod_authz_user.so
LoadModule alias_module {m}/mod_alias.so
LoadModule cgi_module {m}/mod_cgi.so
LoadModule env_module {m}/mod_env.so
LoadModule auth_gssapi_module {m}/mod_auth_gssapi.so
StartServers 1
MinSpareServers 1
MaxSpareServers 2
KeepAlive On
ScriptAlias /whoami {d}/whoami.cgi
ScriptAlias /basic {d}/whoami.cgi
ScriptAlias /basic-named {d}/whoami.cgi
<Location /whoami>
  AuthType GSSAPI
  AuthName "NTLM over GSSAPI"
  GssapiAllowedMech ntlmssp
  GssapiConnectionBound On
  GssapiPublishMech On
{creds}  Require valid-user
</Location>
<Location /basic>
  AuthType GSSAPI
  AuthName "Basic over GSSAPI NTLM"
  GssapiAllowedMech ntlmssp
  GssapiBasicAuth On
  GssapiBasicAuthMech ntlmssp
  GssapiPublishMech On
{creds}  Require valid-user
</Location>
# gss-ntlmssp's acceptor credential without a name crashes the child in
# gss_inquire_cred_by_mech (strdup(NULL)) on the Basic path: naming the
# acceptor avoids it
<Location /basic-named>
  AuthType GSSAPI
  AuthName "Basic over GSSAPI NTLM"
  GssapiAllowedMech ntlmssp
  GssapiBasicAuth On
  GssapiBasicAuthMech ntlmssp
  GssapiAcceptorName HTTP@127.0.0.1
  GssapiPublishMech On
{creds}  Require valid-user
</Location>
"""


class Apache:
    """One httpd from a configuration of our own, the mechanism and its
    acceptor settings in its environment."""

    def __init__(self, work, name, mech_file, env, cred_store=None):
        self.name = name
        self.cred_store = cred_store or {}
        self.dir = os.path.join(work, "httpd-" + name)
        self.port = free_port()
        self.mech_file = mech_file
        self.env = env
        self.proc = None

    def start(self):
        os.makedirs(self.dir)
        user = run_user()
        os.chmod(self.dir, 0o755)  # the workers only read here
        cgi = os.path.join(self.dir, "whoami.cgi")
        with open(cgi, "w") as f:
            f.write(CGI)
        os.chmod(cgi, 0o755)
        conf = os.path.join(self.dir, "httpd.conf")
        with open(conf, "w") as f:
            creds = "".join("  GssapiCredStore %s:%s\n" % kv for kv in self.cred_store.items())
            f.write(CONF.format(d=self.dir, port=self.port, m=MODULES, creds=creds,
                                user="User %s\nGroup %s" % (user.pw_name, user.pw_name) if user else ""))
        self.log = os.path.join(self.dir, "error.log")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "GSS_MECH_CONFIG": self.mech_file}
        env.update(self.env)
        self.proc = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"], env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr"), "w"),
                                     start_new_session=True)  # = setsid
        STARTED.append(self.proc)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return "exited %s: %s" % (self.proc.returncode, self.tail(5))
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return None
            except OSError:
                time.sleep(0.1)
        return "not listening after 20 s: " + self.tail(5)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def log_size(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def log_since(self, offset):
        try:
            with open(self.log, errors="replace") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return ""

    def tail(self, n):
        return " | ".join(self.log_since(0).splitlines()[-n:])

    def loaded(self, path):
        """Whether an Apache process of this server has the module mapped."""
        pids = [self.proc.pid] + [int(p) for p in os.listdir("/proc") if p.isdigit()
                                  and os.path.exists("/proc/%s/stat" % p)
                                  and _ppid(p) == self.proc.pid]
        for pid in pids:
            try:
                with open("/proc/%d/maps" % pid) as f:
                    if path in f.read():
                        return True
            except OSError:
                continue
        return False

    def stop(self):
        stop(self.proc)


def _ppid(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def stop(p):
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)  # httpd -DFOREGROUND ends its children and exits
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


class Curl:
    """curl -v: the status, the body, and every Authorization / WWW-Authenticate
    token in order as (direction, scheme, bytes)."""

    def __init__(self, args, env):
        argv = ["curl", "-sS", "-v", "--max-time", "20"] + args
        r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=40)
        self.rc, self.body, self.trace = r.returncode, r.stdout, r.stderr
        st = re.findall(r"^< HTTP/[\d.]+ (\d+)", r.stderr, re.M)
        self.status = int(st[-1]) if st else None
        self.tokens = []
        for m in re.finditer(r"^([<>]) (Authorization|WWW-Authenticate): (\w+) ([A-Za-z0-9+/=]+)\s*$",
                             r.stderr, re.M | re.I):
            self.tokens.append((m.group(1), m.group(3), base64.b64decode(m.group(4))))
        self.vars = dict(re.findall(r"^(\w+)=(.*)$", r.stdout, re.M))

    def sent(self):
        return [t for d, s, t in self.tokens if d == ">"]

    def received(self):
        return [t for d, s, t in self.tokens if d == "<"]

    def summary(self):
        return "HTTP %s, REMOTE_USER=%s AUTH_TYPE=%s GSS_MECH=%s" % (
            self.status, self.vars.get("REMOTE_USER"), self.vars.get("AUTH_TYPE"), self.vars.get("GSS_MECH"))


def ntlm_messages(tokens):
    """analyze() of the NTLMSSP message in each token (raw or in SPNEGO)."""
    out = []
    for t in tokens:
        inner = spnego.ntlm_token(t)
        if inner:
            out.append(analyze(inner))
    return out


def authenticate(tokens):
    auth = [a for a in ntlm_messages(tokens) if a.get("type") == 3]
    return auth[0] if auth else {}


def client_env(mech_file, extra=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "GSS_MECH_CONFIG": mech_file,
         "HOME": os.environ.get("HOME", "/")}
    if "NTLMSSP_CONF" in os.environ:
        e["NTLMSSP_CONF"] = os.environ["NTLMSSP_CONF"]
    e.update(extra or {})
    return e


def expect_user(rep, name, c, auth_type):
    want = "%s\\%s" % (DOMAIN, USER)
    ok = (c.status == 200 and c.vars.get("REMOTE_USER", "").lower() == want.lower()
          and c.vars.get("AUTH_TYPE") == auth_type)
    return rep.check(name, ok, c.summary() if ok else "%s (want 200, %s, %s); curl rc %s: %s" % (
        c.summary(), want, auth_type, c.rc, c.trace.strip().splitlines()[-1:] if c.rc else ""))


def http_line_client(url, client_argv, env, scheme):
    """A line-protocol client (peer_gssapi.py) over one keep-alive HTTP
    connection. Returns (status, body, tokens sent)."""
    import http.client
    from urllib.parse import urlsplit
    u = urlsplit(url)
    client = LinePeer(client_argv, env)
    try:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
        status, body, sent = http_exchange(client, conn, u.path, scheme)
        conn.close()
    finally:
        client.stop()
    return status, body.decode(errors="replace"), [base64.b64decode(t) for t in sent]


def authenticate_fields(pcap, port):
    """(user, MIC hex) of each NTLMSSP_AUTH tshark's dissector finds, decoded as HTTP."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-d", "tcp.port==%d,http" % port,
                        "-Y", "ntlmssp.messagetype == 3", "-T", "fields",
                        "-e", "ntlmssp.auth.username", "-e", "ntlmssp.authenticate.mic"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    return [tuple((line.split("\t") + [""])[:2]) for line in r.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--ours", required=True, help="mech.d file naming our module")
    ap.add_argument("--theirs", required=True, help="mech.d file naming gss-ntlmssp")
    ap.add_argument("--exclude", default="",
                    help="comma list of cases kept out: 0-released-cred 1-ours 2 5-unnamed 6-wrong-password ...")
    ap.add_argument("--ours-label", default="ours",
                    help="which reason texts to expect from the 'ours' acceptor (ours|gss-ntlmssp)")
    a = ap.parse_args()
    rep = Report([x for x in a.exclude.split(",") if x])
    work = os.path.abspath(a.work)
    user = run_user()
    os.chmod(work, 0o755)
    module = {n: open(f).read().split()[2] for n, f in (("ours", a.ours), ("theirs", a.theirs))}

    # accounts: DOMAIN:USER:PASSWORD, the form both acceptors and both
    # initiators read ($NTLM_USER_FILE)
    accounts = os.path.join(work, "accounts")
    with open(accounts, "w") as f:
        f.write("%s:%s:%s\n" % (DOMAIN, USER, PASSWORD))
    give(accounts, user, 0o600)
    client_creds = {}
    for case, (u, p) in {"ok": (USER, PASSWORD), "wrong-password": (USER, WRONG_PASSWORD),
                         "unknown-user": (UNKNOWN_USER, PASSWORD)}.items():
        path = client_creds[case] = os.path.join(work, "client-" + case)
        with open(path, "w") as f:
            f.write("%s:%s:%s\n" % (DOMAIN, u, p))
        os.chmod(path, 0o600)
    gss_debug = os.path.join(work, "gssntlmssp-debug.log")
    open(gss_debug, "w").close()  # gss-ntlmssp logs only into a file that exists
    give(gss_debug, user, 0o666)

    acceptor_env = {"NETBIOS_COMPUTER_NAME": SERVER_NAME}
    if "NTLMSSP_CONF" in os.environ:
        acceptor_env["NTLMSSP_CONF"] = os.environ["NTLMSSP_CONF"]
    # Ours takes its accounts from mod_auth_gssapi's credential store;
    # gss-ntlmssp 1.2.0's acceptor crashes on that key (docs/gssapi.md), so it
    # reads $NTLM_USER_FILE
    if a.ours_label == "ours":
        ours = Apache(work, "ours", a.ours, acceptor_env, {"ntlmssp_keyfile": accounts})
    else:
        ours = Apache(work, "ours", a.ours, dict(acceptor_env, NTLM_USER_FILE=accounts))
    theirs = Apache(work, "gssntlmssp", a.theirs,
                    dict(acceptor_env, NTLM_USER_FILE=accounts, GSSNTLMSSP_DEBUG=gss_debug))
    servers = [ours, theirs]
    try:
        for s in servers:
            err = s.start()
            if not rep.check("Apache %s starts (127.0.0.1:%d)" % (s.name, s.port), err is None, err or ""):
                return rep
        run_cases(rep, a, ours, theirs, client_creds, work)
        for s, mod in ((ours, module["ours"]), (theirs, module["theirs"])):
            rep.check("Apache %s ran the mechanism %s" % (s.name, os.path.basename(mod)), s.loaded(mod))
        crashes = re.findall(r"AH00052: child pid \d+ exit signal [^\n]*", ours.log_since(0))
        rep.check("Apache ours: no worker crashed", not crashes, "; ".join(crashes[:3]))
    finally:
        for s in servers:
            s.stop()
    return rep


def run_cases(rep, a, ours, theirs, creds, work):
    who = "%s\\%s" % (DOMAIN, USER)
    ours_env, theirs_env = client_env(a.ours), client_env(a.theirs)

    # 0. what mod_auth_gssapi does to the mechanism between two requests of
    #    one handshake: it releases the acceptor credential (outside Apache)
    if rep.wanted("0-released-cred", "0 acceptor credential released mid-handshake"):
        r = subprocess.run([PY, os.path.join(HERE, "released_cred.py"), creds["ok"], DOMAIN, USER,
                            PASSWORD], env=ours_env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        out = r.stdout.strip().splitlines()
        rep.check("0 acceptor credential released mid-handshake: the context still finishes",
                  r.returncode == 0 and out[-1:] == ["accepted " + who],
                  "exit %d: %s" % (r.returncode, out[-1] if out else "(no output)"))

    # 1. curl --ntlm (curl's own NTLM: a 32-byte NEGOTIATE without domain,
    #    workstation or VERSION) -> ours: 200
    if rep.wanted("1-ours", "1 curl --ntlm -> Apache+ours: 200"):
        c = Curl(["--ntlm", "-u", "%s:%s" % (who, PASSWORD), ours.url("/whoami")], ours_env)
        expect_user(rep, "1 curl --ntlm -> Apache+ours: 200", c, "NTLM")
    off = theirs.log_size()
    c = Curl(["--ntlm", "-u", "%s:%s" % (who, PASSWORD), theirs.url("/whoami")], theirs_env)
    log = theirs.log_since(off)
    neg = [m for m in ntlm_messages(c.sent()) if m.get("type") == 1]
    rep.check("1 curl's NEGOTIATE is 32 bytes", bool(neg) and neg[0]["len"] == 32,
              "NEGOTIATE of %s bytes" % (neg[0]["len"] if neg else "?"))
    #    the same -> gss-ntlmssp: 401, it refuses that NEGOTIATE (a documented fact)
    rep.check("1 curl --ntlm -> Apache+gss-ntlmssp: 401 (refuses the 32-byte NEGOTIATE)",
              c.status == 401 and "Failed to decode data" in log,
              "HTTP %s; log: %s" % (c.status, first_error(log)))

    # 2. curl --negotiate, gss-ntlmssp as the client's mechanism -> ours:
    #    SPNEGO with a mechListMIC both ways
    if rep.wanted("2", "2 curl --negotiate (gss-ntlmssp) -> Apache+ours: 200, mechListMIC both ways"):
        c = Curl(["--negotiate", "-u", ":", ours.url("/whoami")],
                 client_env(a.theirs, {"NTLM_USER_FILE": creds["ok"]}))
        expect_user(rep, "2 curl --negotiate (gss-ntlmssp) -> Apache+ours: 200", c, "Negotiate")
        check_mechlistmic(rep, "2", c)

    # 3. curl --negotiate, ours as the client's mechanism -> gss-ntlmssp
    c = Curl(["--negotiate", "-u", ":", theirs.url("/whoami")],
             client_env(a.ours, {"NTLM_USER_FILE": creds["ok"]}))
    expect_user(rep, "3 curl --negotiate (ours) -> Apache+gss-ntlmssp: 200", c, "Negotiate")
    check_mechlistmic(rep, "3", c)

    # 4. python3-gssapi with ours, raw NTLM over HTTP -> gss-ntlmssp; tshark
    #    sees our AUTHENTICATE carrying a MIC
    line_client = [PY, os.path.join(INTEROP, "peer_gssapi.py"), "client", "--user", USER,
                   "--domain", DOMAIN, "--password", PASSWORD]
    peer_env = client_env(a.theirs, {"GSSPEER_MECH_CONFIG": a.ours, "PYTHONPATH": INTEROP,
                                     "PYTHONDONTWRITEBYTECODE": "1"})
    pcap = os.path.join(work, "raw-ntlm.pcap")
    ts = start_capture(pcap, theirs.port, 2.0)
    if not rep.check("4 tshark captures on lo", ts is not None):
        return
    STARTED.append(ts)
    try:
        status, body, sent = http_line_client(theirs.url("/whoami"), line_client, peer_env, "NTLM")
    finally:
        stop_capture(ts)
    vars_ = dict(re.findall(r"^(\w+)=(.*)$", body, re.M))
    rep.check("4 python3-gssapi (ours), Authorization: NTLM -> Apache+gss-ntlmssp: 200",
              status == 200 and vars_.get("REMOTE_USER", "").lower() == who.lower(),
              "HTTP %s, REMOTE_USER=%s AUTH_TYPE=%s" % (status, vars_.get("REMOTE_USER"), vars_.get("AUTH_TYPE")))
    auth = authenticate(sent)
    fields = authenticate_fields(pcap, theirs.port)
    mic = fields[0][1].replace(":", "") if fields else ""
    rep.check("4 tshark: our AUTHENTICATE carries a MIC",
              bool(fields) and fields[0][0] == USER and mic.strip("0") != "" and auth.get("mic"),
              "tshark: user %s MIC %s; MsvAvFlags MIC bit %s" % (
                  fields[0][0] if fields else "-", mic or "-", auth.get("mic")))
    status, body, sent = http_line_client(theirs.url("/whoami"), line_client, peer_env, "Negotiate")
    vars_ = dict(re.findall(r"^(\w+)=(.*)$", body, re.M))
    rep.check("4 python3-gssapi (ours), Authorization: Negotiate <raw NTLMSSP> -> Apache+gss-ntlmssp: 200",
              status == 200 and vars_.get("REMOTE_USER", "").lower() == who.lower(),
              "HTTP %s, REMOTE_USER=%s AUTH_TYPE=%s" % (status, vars_.get("REMOTE_USER"), vars_.get("AUTH_TYPE")))

    # 5. HTTP Basic through mod_auth_gssapi's GssapiBasicAuthMech ntlmssp -> ours
    #    (its acceptor credential without a name, and with GssapiAcceptorName)
    if rep.wanted("5-unnamed", "5 curl --basic -> Apache+ours (GssapiBasicAuthMech ntlmssp): 200"):
        c = Curl(["--basic", "-u", "%s:%s" % (who, PASSWORD), ours.url("/basic")], ours_env)
        expect_user(rep, "5 curl --basic -> Apache+ours (GssapiBasicAuthMech ntlmssp): 200", c, "Basic")
    for s, label in ((ours, "ours"), (theirs, "gss-ntlmssp")):  # gss-ntlmssp needs the name
        c = Curl(["--basic", "-u", "%s:%s" % (who, PASSWORD), s.url("/basic-named")],
                 ours_env if s is ours else theirs_env)
        expect_user(rep, "5 curl --basic -> Apache+%s with GssapiAcceptorName: 200" % label, c, "Basic")

    # 6. refusals -> 401, with the acceptor's reason in Apache's error log
    reasons = REASONS[a.ours_label]
    refusals = (
        ("wrong-password", ["--ntlm", "-u", "%s:%s" % (who, WRONG_PASSWORD)], ours_env),
        ("unknown-user", ["--ntlm", "-u", "%s\\%s:%s" % (DOMAIN, UNKNOWN_USER, PASSWORD)], ours_env),
        # gss-ntlmssp's initiator at LM_COMPAT_LEVEL 2 sends NTLMv1 only
        ("ntlmv1", ["--negotiate", "-u", ":"],
         client_env(a.theirs, {"NTLM_USER_FILE": creds["ok"], "LM_COMPAT_LEVEL": "2"})),
    )
    for case, args, env in refusals:
        if not rep.wanted("6-" + case, "6 %s -> Apache+ours: 401" % case):
            continue
        off = ours.log_size()
        c = Curl(args + [ours.url("/whoami")], env)
        time.sleep(0.2)  # (the child writes its log line before answering; no race, but cheap)
        log = ours.log_since(off)
        detail = "HTTP %s; log: %s" % (c.status, first_error(log))
        ok = c.status == 401 and re.search(reasons[case], log) is not None
        if case == "ntlmv1":
            auth = authenticate(c.sent())
            ok = ok and auth.get("type") == 3 and not auth.get("ntlmv2")
            detail += "; client sent %s" % ("NTLMv2" if auth.get("ntlmv2") else
                                            "NTLMv1" if auth else "no AUTHENTICATE")
        rep.check("6 %s -> Apache+ours: 401, reason /%s/ logged" % (case, reasons[case]), ok, detail)


def first_error(log):
    lines = [ln for ln in log.splitlines() if "auth_gssapi:error" in ln or "GSS ERROR" in ln]
    line = lines[0] if lines else (log.strip().splitlines() or ["(nothing)"])[-1]
    return re.sub(r"^\[[^]]*\] \[[^]]*\] \[pid [^]]*\] (\[client [^]]*\] )?", "", line)[:300]


def check_mechlistmic(rep, item, c):
    """The initiator's last NegTokenResp and the acceptor's accept-completed
    answer each carry a mechListMIC (and the NTLM AUTHENTICATE a MIC, the
    reason both sides require one)."""
    try:
        sent = [spnego.decode(t) for t in c.sent()]
        got = [spnego.decode(t) for t in c.received()]
    except spnego.DERError as e:
        rep.check(item + " SPNEGO tokens decode", False, str(e))
        return
    c2s = bool(sent) and sent[-1]["kind"] == "resp" and bool(sent[-1].get("mic"))
    s2c = bool(got) and got[-1].get("state") == 0 and bool(got[-1].get("mic"))
    auth = authenticate(c.sent())
    rep.check(item + " SPNEGO mechListMIC both ways", c2s and s2c and auth.get("mic"),
              "client: %s; server: %s; AUTHENTICATE MIC %s" % (
                  spnego.describe(sent[-1]) if sent else "-", spnego.describe(got[-1]) if got else "-",
                  auth.get("mic")))


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    rc, r = 1, None
    try:
        r = main()
        rc = 1 if r.failed else 0
    finally:
        for p in STARTED:
            stop(p)
    if r is not None:
        print("gss-http: %d passed, %d failed" % (r.passed, r.failed))
    sys.exit(rc)
