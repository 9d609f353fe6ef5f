"""Peer definitions for interop.py: how to start each implementation as a
client and/or a server speaking the line protocol, and how to set it up.
"""
import os
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"

USER = "ntlmitest"
PASSWORD = "Interop-Passw0rd!"
DOMAIN = "INTEROP"        # NetBIOS name of every server = its workgroup (standalone)
UNKNOWN_USER = "nosuchuser"
WRONG_PASSWORD = "Wrong-Passw0rd?"


class Env:
    def __init__(self, work):
        self.work = os.path.abspath(work)
        self.root = os.environ.get("ROOT", os.path.abspath(os.path.join(HERE, "..", "..")))
        self.user, self.password, self.domain = USER, PASSWORD, DOMAIN
        self.account_file = os.path.join(self.work, "accounts.smbpasswd")
        # the C peers, built by meson (tests/interop/meson.build)
        self.bin = os.environ.get("INTEROP_BIN") or os.path.join(self.root, "build", "tests", "interop")

    def openssl_conf(self):
        path = os.path.join(self.work, "openssl-legacy.cnf")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
                        "[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n"
                        "[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n")
        return path

    def expected_user(self, speer):
        return speer.expected_user(self)

    def creds(self, case):
        user, password = self.user, self.password
        if case == "wrong-password":
            password = WRONG_PASSWORD
        elif case == "unknown-user":
            user = UNKNOWN_USER
        return user, password

    def pyenv(self, extra=None):
        e = dict(os.environ)
        # python3-ntlm-auth computes MD4 through hashlib, which OpenSSL 3 only
        # offers from its legacy provider: enable it for the python peers
        e["OPENSSL_CONF"] = self.openssl_conf()
        e["PYTHONPATH"] = HERE
        e["PYTHONDONTWRITEBYTECODE"] = "1"
        if extra:
            e.update(extra)
        return e


class Peer:
    name = "?"
    has_client = False
    has_server = False
    can_ntlmv1 = False        # its client can be made to send NTLMv1
    refuses_ntlmv1 = False    # its server refuses NTLMv1 (by default or as started)
    v1_refused_by_client = False
    can_sign = True           # sign-only (MakeSignature / GSS_GetMIC) after the handshake
    accepts_ntlmv1_if_allowed = False  # server_argv(allow_v1=True) accepts NTLMv1
    setup_error = None
    script = None             # its python adapter in tests/interop
    v1_flag = "--ntlmv1"      # client option for the "ntlmv1" case (None: none)

    def setup(self, env):
        return None

    def teardown(self, env):
        pass

    def env(self, env):
        return env.pyenv()

    def expected_user(self, env):
        return "%s\\%s" % (env.domain, env.user)

    def command(self):
        """The adapter's command line before its role."""
        return [PY, os.path.join(HERE, self.script)]

    def client_argv(self, env, case=None):
        user, password = env.creds(case)
        argv = self.command() + ["client", "--user", user, "--domain", env.domain,
                                 "--password", password]
        if case == "ntlmv1" and self.v1_flag is not None:
            argv.append(self.v1_flag)
        return argv

    def expected_failure(self, case):
        return {"wrong-password": "LOGON_FAILURE|WRONG_PASSWORD",
                "unknown-user": "NO_SUCH_USER|LOGON_FAILURE",
                "ntlmv1": "NTLMV1|LOGON_FAILURE|WRONG_PASSWORD"}[case]


class Ours(Peer):
    """This library: build/tools/ntlm when present, else tests/interop/ntlmpeer."""
    name = "ours"
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True
    accepts_ntlmv1_if_allowed = True

    def setup(self, env):
        tool = os.path.join(env.root, "build", "tools", "ntlm")
        if not os.access(tool, os.X_OK):  # the line-protocol fallback
            tool = os.path.join(env.bin, "ntlmpeer")
        self.tool = os.environ.get("INTEROP_OURS") or tool
        self.v1_flag = os.environ.get("INTEROP_OURS_V1_FLAG", "--ntlmv1")
        if not os.access(self.tool, os.X_OK):
            self.setup_error = "no executable " + self.tool
            return self.setup_error
        write_account_file(env)
        return None

    def describe(self):
        return "(%s)" % self.tool

    def command(self):
        return [self.tool]

    # the DONE line carries the session key only when asked for; the matrix compares them
    def client_argv(self, env, case=None):
        return super().client_argv(env, case) + ["--show-session-key"]

    def server_argv(self, env, allow_v1=False):
        # DNS names in the CHALLENGE as Windows sends them: every client here must take them
        return [self.tool, "server", "--account-file", env.account_file,
                "--computer-name", env.domain, "--domain-name", env.domain,
                "--dns-computer-name", "srv.%s.test" % env.domain.lower(),
                "--show-session-key"] + (["--allow-ntlmv1"] if allow_v1 else [])

    def expected_failure(self, case):
        # an unknown user looks like a wrong password on the wire (the audit log tells)
        return {"wrong-password": "LOGON_FAILURE", "unknown-user": "LOGON_FAILURE",
                "ntlmv1": "NTLMV1_REFUSED"}[case]


class NtlmAuth(Peer):
    name = "ntlm-auth"
    has_client = True
    can_ntlmv1 = True
    script = "peer_ntlmauth.py"


class Impacket(Peer):
    name = "impacket"
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True
    script = "peer_impacket.py"

    def server_argv(self, env, allow_v1=False):
        return self.command() + ["server", "--account-file", env.account_file,
                                 "--computer-name", env.domain, "--domain-name", env.domain]

    def expected_failure(self, case):
        return {"wrong-password": "LOGON_FAILURE", "unknown-user": "NO_SUCH_USER",
                "ntlmv1": "LOGON_FAILURE.*NTLMv1"}[case]


NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, **kw)


def ensure_unix_user(env):
    """Samba's passdb wants a Unix account behind every smbpasswd entry."""
    if run(["id", env.user]).returncode == 0:
        return None
    r = run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", env.user])
    return None if r.returncode == 0 else "useradd %s: %s" % (env.user, r.stdout.strip())


class SambaPeer(Peer):
    """Samba through peer_samba.py --via <via>, configured by self.conf."""
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True
    script = "peer_samba.py"
    via = None

    def command(self):
        return super().command() + ["--via", self.via, "--conf", self.conf]

    def expected_failure(self, case):
        return {"wrong-password": "NT_STATUS_WRONG_PASSWORD|NT_STATUS_LOGON_FAILURE",
                "unknown-user": "NT_STATUS_NO_SUCH_USER|NT_STATUS_LOGON_FAILURE",
                "ntlmv1": "NT_STATUS_WRONG_PASSWORD|NT_STATUS_NTLM_BLOCKED|NT_STATUS_LOGON_FAILURE"}[case]


class SambaWinbind(SambaPeer):
    """Samba: ntlm_auth ntlmssp-client-1 (client) and ntlm_auth squid-2.5-ntlmssp
    against a private standalone winbindd (server)."""
    name = "samba-ntlm_auth"
    via = "ntlm_auth"
    winbindd = None

    def setup(self, env):
        d = self.dir = os.path.join(env.work, "samba")
        for sub in ("private", "lock", "state", "cache", "pid", "ncalrpc", "winbindd", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self.conf = os.path.join(d, "smb.conf")
        with open(self.conf, "w") as f:
            f.write("""[global]
  netbios name = {dom}
  workgroup = {dom}
  security = user
  server role = standalone server
  passdb backend = smbpasswd:{d}/private/smbpasswd
  private dir = {d}/private
  lock directory = {d}/lock
  state directory = {d}/state
  cache directory = {d}/cache
  pid directory = {d}/pid
  ncalrpc dir = {d}/ncalrpc
  winbindd socket directory = {d}/winbindd
  log file = {d}/log/log.%m
  log level = 1
  interfaces = lo
  bind interfaces only = yes
  disable netbios = yes
  map to guest = never
  # no samba-dcerpcd started behind our back (it would outlive the suite)
  rpc start on demand helpers = no
""".format(dom=env.domain, d=d))
        err = ensure_unix_user(env)
        if err:
            self.setup_error = err
            return err
        r = run(["smbpasswd", "-c", self.conf, "-a", "-s", env.user],
                input="%s\n%s\n" % (env.password, env.password))
        if r.returncode != 0:
            self.setup_error = "smbpasswd -a: " + r.stdout.strip()
            return self.setup_error
        self.smbpasswd = os.path.join(d, "private", "smbpasswd")
        log = open(os.path.join(d, "log", "winbindd.stdout"), "w")
        self.winbindd = subprocess.Popen(
            ["winbindd", "-s", self.conf, "-F", "--no-process-group", "--debug-stdout"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            r = run(["wbinfo", "-p"], env=self.env(env))
            if r.returncode == 0:
                return None
            if self.winbindd.poll() is not None:
                break
            time.sleep(0.3)
        self.setup_error = "winbindd did not answer a ping: " + r.stdout.strip()[-200:]
        return self.setup_error

    def teardown(self, env):
        stop_daemon(self.winbindd)
        self.winbindd = None

    def env(self, env):
        # libwbclient only honours another socket dir when nss_wrapper is loaded
        return env.pyenv({"LD_PRELOAD": NSS_WRAPPER, "NSS_WRAPPER_PASSWD": "/etc/passwd",
                          "NSS_WRAPPER_GROUP": "/etc/group",
                          "SELFTEST_WINBINDD_SOCKET_DIR": os.path.join(self.dir, "winbindd")})

    def server_argv(self, env, allow_v1=False):
        return self.command() + ["server", "--domain-name", env.domain]


class SambaGensec(SambaPeer):
    """Samba: python3-samba gensec, mechanism "ntlmssp", both roles; the server's
    accounts live in a sam.ldb provisioned offline (standalone role)."""
    name = "samba-gensec"
    via = "gensec"
    accepts_ntlmv1_if_allowed = True  # "ntlm auth = yes"

    def setup(self, env):
        d = self.dir = os.path.join(env.work, "samba-ad")
        os.makedirs(d, exist_ok=True)
        r = run(["samba-tool", "domain", "provision", "--targetdir=" + d, "--realm=interop.test",
                 "--domain=" + env.domain, "--server-role=standalone", "--dns-backend=NONE",
                 "--adminpass=Admin-Passw0rd!1", "--host-name=" + env.domain.lower(),
                 "--host-ip=127.0.0.1", "--option=interfaces=lo",
                 "--option=bind interfaces only=yes", "--option=log file=%s/log.%%m" % d])
        if r.returncode != 0:
            self.setup_error = "samba-tool domain provision: " + r.stdout.strip()[-300:]
            return self.setup_error
        self.conf = os.path.join(d, "etc", "smb.conf")
        r = run(["samba-tool", "user", "add", env.user, env.password, "--configfile=" + self.conf,
                 "-H", os.path.join(d, "private", "sam.ldb")])
        if r.returncode != 0:
            self.setup_error = "samba-tool user add: " + r.stdout.strip()[-300:]
            return self.setup_error
        return None

    def server_argv(self, env, allow_v1=False):
        return self.command() + ["server"] + (["--allow-ntlmv1"] if allow_v1 else [])


class SambaSpnego(SambaPeer):
    """Samba: ntlm_auth gss-spnego-client (gensec SPNEGO over NTLMSSP), client
    only. Its server is the pair's server behind tests/interop/spnego.py (a
    test shim: SPNEGO is not part of the library); run against ours only."""
    name = "samba-spnego"
    via = "spnego"
    has_server = False
    spnego = True
    servers = ("ours",)

    def setup(self, env):
        d = os.path.join(env.work, "samba-spnego")
        for sub in ("private", "lock", "state", "cache", "pid"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self.conf = os.path.join(d, "smb.conf")
        with open(self.conf, "w") as f:  # a client needs no daemon: only its own dirs
            f.write("[global]\n  workgroup = {dom}\n  netbios name = SPNEGOCLIENT\n".format(dom=env.domain) +
                    "".join("  %s = %s/%s\n" % (k, d, sub) for k, sub in (
                        ("private dir", "private"), ("lock directory", "lock"),
                        ("state directory", "state"), ("cache directory", "cache"),
                        ("pid directory", "pid"))))
        return None

    def wrap_server(self, server_argv, tamper_mic=False):
        return [PY, os.path.join(HERE, "spnego.py"), "accept"] + \
            (["--tamper-mic"] if tamper_mic else []) + ["--"] + server_argv


def stop_daemon(p):
    """Ends a daemon we started and its children: start_new_session made it
    the leader of its own process group, so SIGTERM goes to that group (its
    children first exit while the parent can still reap them), the parent is
    waited for by PID, and whatever of the group is left gets SIGKILL."""
    if p is None:
        return
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class BuiltPeer(Peer):
    """A C adapter (tests/interop/<name>.c) built by 40-interop.sh."""

    def find_bin(self, env, name):
        """None, or the set-up error."""
        self.bin = os.path.join(env.bin, name)
        if not os.access(self.bin, os.X_OK):
            self.setup_error = name + " was not built"
        return self.setup_error

    def command(self):
        return [self.bin]


class GssNtlmssp(BuiltPeer):
    """gss-ntlmssp through MIT krb5's GSSAPI (tests/interop/gssntlm.c)."""
    name = "gss-ntlmssp"
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True
    accepts_ntlmv1_if_allowed = True  # LM_COMPAT_LEVEL=2
    v1_flag = None  # the client's level comes from the environment

    def setup(self, env):
        if self.find_bin(env, "gssntlm"):
            return self.setup_error
        self.debug_log = os.path.join(env.work, "gssntlmssp.log")
        open(self.debug_log, "w").close()  # gss-ntlmssp logs only into an existing file
        self.user_file = os.path.join(env.work, "gss-ntlm-users")
        with open(self.user_file, "w") as f:
            f.write("%s:%s:%s\n" % (env.domain, env.user, env.password))
        return None

    def env(self, env):
        # No NETBIOS_DOMAIN_NAME: any domain other than the default "WORKGROUP"
        # makes gss-ntlmssp a domain-member acceptor that defers the NTLMv1
        # policy to a DC and so accepts NTLMv1 even at LM_COMPAT_LEVEL=5.
        return env.pyenv({"NTLM_USER_FILE": self.user_file, "NETBIOS_COMPUTER_NAME": env.domain,
                          "LM_COMPAT_LEVEL": "5", "GSSNTLMSSP_DEBUG": self.debug_log})

    def client_argv(self, env, case=None):
        argv = super().client_argv(env, case)
        return (["env", "LM_COMPAT_LEVEL=2"] if case == "ntlmv1" else []) + argv

    def server_argv(self, env, allow_v1=False):
        return (["env", "LM_COMPAT_LEVEL=2"] if allow_v1 else []) + [self.bin, "server"]

    def expected_failure(self, case):
        # reasons from gss-ntlmssp's debug log (the mechglue returns minor 0):
        # EINVAL from the NT response check, EACCES when no account matches
        return {"wrong-password": r"gssntlm_srv_auth\(\).*= Invalid argument",
                "unknown-user": r"gssntlm_srv_auth\(\).*= Permission denied",
                "ntlmv1": "ERR_NONTLMV1"}[case]


class WinPR(BuiltPeer):
    """WinPR 2's NTLM SSPI (tests/interop/winpr_peer.c); server accounts in a
    WinPR SAM file named with SECPKG_ATTR_AUTH_NTLM_SAM_FILE."""
    name = "winpr"
    has_client = has_server = True
    can_ntlmv1 = False     # WinPR 2's client always sends NTLMv2 (no switch in its API)
    can_sign = False       # WinPR 2's NTLM has no MakeSignature/VerifySignature (0x80090302)
    refuses_ntlmv1 = True  # its acceptor only verifies NTLMv2
    v1_flag = None

    def setup(self, env):
        if self.find_bin(env, "winpr_peer"):
            return self.setup_error
        from impacket.ntlm import compute_nthash
        self.sam = os.path.join(env.work, "winpr.SAM")
        with open(self.sam, "w") as f:
            f.write("%s:%s::%s:::\n" % (env.user, env.domain, compute_nthash(env.password).hex()))
        return None

    def server_argv(self, env, allow_v1=False):
        return self.command() + ["server", "--sam", self.sam]

    def expected_failure(self, case):
        # WinPR verifies in CompleteAuthToken: a wrong password shows first as a
        # MIC mismatch (SEC_E_MESSAGE_ALTERED), an account missing from the SAM
        # file as SEC_E_INTERNAL_ERROR; an NTLMv1 AUTHENTICATE as SEC_E_INVALID_TOKEN
        return {"wrong-password": "0x8009030C|0x8009030F",
                "unknown-user": "0x8009030C|0x80090304",
                "ntlmv1": "AcceptSecurityContext 0x80090308"}[case]


def all_peers(env):
    return [Ours(), NtlmAuth(), Impacket(), SambaWinbind(), SambaGensec(), SambaSpnego(),
            GssNtlmssp(), WinPR()]


def write_account_file(env):
    """smbpasswd(5) line for the test account, computed with impacket's MD4."""
    from impacket.ntlm import compute_nthash
    nt = compute_nthash(env.password).hex().upper()
    with open(env.account_file, "w") as f:
        f.write("%s:%d:%s:%s:[U          ]:LCT-00000000:\n" % (env.user, os.getuid(), "X" * 32, nt))
    os.chmod(env.account_file, 0o600)  # the store refuses a file others can write


def relay(client_argv, server_argv, env=None):
    """A plain TOKEN relay between two line-protocol peers: (client final, server final)."""
    from tshark_http import LinePeer
    c, s = LinePeer(client_argv, env), LinePeer(server_argv, env)
    try:
        cl = c.recv()
        for _ in range(3):
            s.send(cl)
            sl = s.recv()
            if not sl.startswith("TOKEN "):
                return c.recv() if cl.startswith("TOKEN ") else cl, sl
            c.send(sl)
            cl = c.recv()
        return cl, "no end"
    finally:
        c.stop()
        s.stop()


def extra_checks(env, peers):
    by = {p.name: p for p in peers}
    ours = by.get("ours")
    checks = []
    if ours is None or ours.setup_error:
        return [("ours set up", lambda: (False, str(ours and ours.setup_error)))]

    def tshark():
        import tshark_http
        return tshark_http.run(env.work, ours.client_argv(env), ours.server_argv(env),
                               expect_user=env.user, expect_domain=env.domain)
    checks.append(("tshark dissects our messages", tshark))

    na = by.get("ntlm-auth")
    if na is not None:
        def maxlen_rule():
            """A real peer NEGOTIATE (ntlm-auth's, with OEM domain and workstation
            fields) with DomainName MaxLen raised must be accepted, lowered refused."""
            import base64
            import struct
            from tshark_http import LinePeer
            c = LinePeer(na.client_argv(env), na.env(env))
            try:
                neg = bytearray(base64.b64decode(c.recv()[6:]))
            finally:
                c.stop()
            ln, mx, off = struct.unpack_from("<HHI", neg, 16)
            if ln == 0 or mx != ln:
                return False, "ntlm-auth's NEGOTIATE has no DomainName (Len %d MaxLen %d)" % (ln, mx)
            out = []
            for newmax, want in ((ln + 8, "TOKEN"), (ln - 1, "FAIL NTLM_E_FIELD_MAXLEN")):
                m = bytearray(neg)
                struct.pack_into("<H", m, 18, newmax)
                s = LinePeer(ours.server_argv(env))
                try:
                    s.send("TOKEN " + base64.b64encode(bytes(m)).decode())
                    r = s.recv()
                finally:
                    s.stop()
                if not r.startswith(want):
                    return False, "DomainName Len %d MaxLen %d: server said %r, want %s" % (
                        ln, newmax, r[:80], want)
                out.append("MaxLen %d: %s" % (newmax, r.split()[0] if want == "TOKEN" else want))
            return True, "DomainName Len %d; %s" % (ln, "; ".join(out))
        checks.append(("ours MaxLen rule on a peer's message", maxlen_rule))

    sw = by.get("samba-ntlm_auth")
    if sw is not None:
        def samba_file():
            if sw.setup_error:
                return False, "samba set-up failed: " + sw.setup_error
            argv = ours.server_argv(env)
            argv[argv.index("--account-file") + 1] = sw.smbpasswd
            cfin, sfin = relay(ours.client_argv(env), argv)
            ok = sfin.startswith("DONE")
            return ok, "server: %s" % sfin[:160]
        checks.append(("ours reads Samba's smbpasswd -a file", samba_file))

    sp = by.get("samba-spnego")
    if sp is not None and not sp.setup_error:
        def spnego_run(client_extra, tamper_mic=False):
            """Samba's SPNEGO client against ours behind the shim:
            (client final, server final)."""
            from tshark_http import LinePeer
            e = sp.env(env)
            c = LinePeer(sp.client_argv(env) + client_extra, e)
            s = LinePeer(sp.wrap_server(ours.server_argv(env), tamper_mic), e)
            try:
                cl, sfin = c.recv(), "no end"
                for _ in range(4):
                    if not cl.startswith("TOKEN "):
                        break
                    s.send(cl)
                    sl = s.recv()
                    if not sl.startswith("TOKEN "):
                        return cl, sl
                    c.send(sl)
                    cl = c.recv()
                    if cl.startswith(("DONE", "FAIL")):  # after the last token
                        sfin = s.recv()
                        break
                return cl, sfin
            finally:
                c.stop()
                s.stop()

        def spnego_tampered():
            cfin, sfin = spnego_run([], tamper_mic=True)
            ok = cfin.startswith("FAIL") and "mechlistmic=verified" in sfin
            return ok, "client: %s; shim: %s" % (cfin[:120], sfin[-60:])
        checks.append(("samba-spnego refuses a bad acceptor mechListMIC", spnego_tampered))

        def spnego_default():
            cfin, sfin = spnego_run(["--no-sign"])
            ok = (cfin.startswith("DONE") and "mechlistmic_sent=no" in cfin
                  and "mechlistmic=none" in sfin
                  and ("user=%s\\%s" % (env.domain, env.user)).lower() in sfin.lower())
            return ok, "client: %s; shim: %s" % (cfin[:120], sfin[:160])
        checks.append(("samba-spnego without SF: no mechListMIC", spnego_default))
    return checks
