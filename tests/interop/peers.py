"""Peer definitions for interop.py: how to start each implementation as a
client and/or a server speaking the line protocol, and how to set it up.
"""
import os
import shutil
import subprocess

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
        self.bin = os.path.join(self.work, "bin")

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
    setup_error = None

    def setup(self, env):
        return None

    def teardown(self, env):
        pass

    def env(self, env):
        return env.pyenv()

    def expected_user(self, env):
        return "%s\\%s" % (env.domain, env.user)

    def expected_failure(self, case):
        return {"wrong-password": "LOGON_FAILURE|WRONG_PASSWORD",
                "unknown-user": "NO_SUCH_USER|LOGON_FAILURE",
                "ntlmv1": "NTLMV1|LOGON_FAILURE|WRONG_PASSWORD"}[case]


class Ours(Peer):
    """This library: build/tools/ntlm when present, else tests/interop/ntlmpeer."""
    name = "ours"
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True

    def setup(self, env):
        self.tool = os.environ.get("INTEROP_OURS") or os.path.join(env.bin, "ntlmpeer")
        self.v1_flag = os.environ.get("INTEROP_OURS_V1_FLAG", "--ntlmv1")
        if not os.access(self.tool, os.X_OK):
            self.setup_error = "no executable " + self.tool
            return self.setup_error
        write_account_file(env)
        return None

    def client_argv(self, env, case=None):
        user, password = env.creds(case)
        argv = [self.tool, "client", "--user", user, "--domain", env.domain,
                "--password", password]
        if case == "ntlmv1":
            argv.append(self.v1_flag)
        return argv

    def server_argv(self, env):
        return [self.tool, "server", "--account-file", env.account_file,
                "--computer-name", env.domain, "--domain-name", env.domain]

    def expected_failure(self, case):
        return {"wrong-password": "LOGON_FAILURE", "unknown-user": "NO_SUCH_USER",
                "ntlmv1": "NTLMV1_REFUSED"}[case]


class NtlmAuth(Peer):
    name = "ntlm-auth"
    has_client = True
    can_ntlmv1 = True

    def client_argv(self, env, case=None):
        user, password = env.creds(case)
        argv = [PY, os.path.join(HERE, "peer_ntlmauth.py"), "client", "--user", user,
                "--domain", env.domain, "--password", password]
        if case == "ntlmv1":
            argv.append("--ntlmv1")
        return argv


class Impacket(Peer):
    name = "impacket"
    has_client = has_server = True
    can_ntlmv1 = refuses_ntlmv1 = True

    def client_argv(self, env, case=None):
        user, password = env.creds(case)
        argv = [PY, os.path.join(HERE, "peer_impacket.py"), "client", "--user", user,
                "--domain", env.domain, "--password", password]
        if case == "ntlmv1":
            argv.append("--ntlmv1")
        return argv

    def server_argv(self, env):
        return [PY, os.path.join(HERE, "peer_impacket.py"), "server", "--account-file",
                env.account_file, "--computer-name", env.domain, "--domain-name", env.domain]

    def expected_failure(self, case):
        return {"wrong-password": "LOGON_FAILURE", "unknown-user": "NO_SUCH_USER",
                "ntlmv1": "LOGON_FAILURE.*NTLMv1"}[case]


def all_peers(env):
    return [Ours(), NtlmAuth(), Impacket()]


def write_account_file(env):
    """smbpasswd(5) line for the test account, computed with impacket's MD4."""
    from impacket.ntlm import compute_nthash
    nt = compute_nthash(env.password).hex().upper()
    with open(env.account_file, "w") as f:
        f.write("%s:%d:%s:%s:[U          ]:LCT-00000000:\n" % (env.user, os.getuid(), "X" * 32, nt))


def extra_checks(env):
    return []
