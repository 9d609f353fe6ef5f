#!/usr/bin/python3
"""MS-CHAP v1 and v2 computed from their specifications, independently of the
library under test: RFC 2433 (MS-CHAPv1), RFC 2759 (MS-CHAPv2, the
authenticator response), RFC 3079 (MPPE keys from MS-CHAPv2), RFC 2548 (the
Microsoft RADIUS attributes and the salted encryption of MS-MPPE-*-Key).
MD4 comes from Samba's Python bindings (OpenSSL 3 left it out of hashlib),
DES from python3-cryptography (single DES: TripleDES with one 8-byte key).
"""
import hashlib
import warnings

from samba.crypto import md4_hash_blob

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # TripleDES is "decrepit" in newer releases
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def nt_hash(password):
    """NtPasswordHash (RFC 2759 8.3): MD4 of the UTF-16LE password."""
    return md4_hash_blob(password.encode("utf-16-le"))


def hash_nt_hash(h):
    """HashNtPasswordHash (RFC 2759 8.4): what ntlm_auth prints as NT_KEY."""
    return md4_hash_blob(h)


def _des_key(seven):
    """56 key bits -> 8 bytes with the parity bit left out (DES ignores it)."""
    n = int.from_bytes(seven, "big")
    return bytes(((n >> (49 - 7 * i)) & 0x7F) << 1 for i in range(8))


def _des(seven, block):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc = Cipher(algorithms.TripleDES(_des_key(seven)), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def lm_hash(password):
    """LmPasswordHash (RFC 2433 A.2): two DES encryptions of "KGS!@#$%" under
    the upper-cased password (OEM, padded to 14 bytes) in two 7-byte keys."""
    p = password.upper().encode("ascii")[:14].ljust(14, b"\0")
    return _des(p[:7], b"KGS!@#$%") + _des(p[7:], b"KGS!@#$%")


def challenge_response(challenge, pw_hash):
    """ChallengeResponse (RFC 2759 8.5): DES of the 8-byte challenge under
    the 16-byte hash padded to 21 bytes, in three 7-byte keys."""
    z = pw_hash + bytes(5)
    return b"".join(_des(z[i:i + 7], challenge) for i in (0, 7, 14))


def challenge_hash(peer_challenge, auth_challenge, user):
    """ChallengeHash (RFC 2759 8.2): the 8-byte challenge MS-CHAPv2 answers.
    user: the name without any domain part."""
    return hashlib.sha1(peer_challenge + auth_challenge + user.encode()).digest()[:8]


def v2_nt_response(auth_challenge, peer_challenge, user, password):
    return challenge_response(challenge_hash(peer_challenge, auth_challenge, user),
                              nt_hash(password))


MAGIC1 = b"Magic server to client signing constant"
MAGIC2 = b"Pad to make it do more than one iteration"


def authenticator_response(password, nt_response, peer_challenge, auth_challenge, user):
    """GenerateAuthenticatorResponse (RFC 2759 8.7): "S=" and 40 upper-case hex."""
    hh = hash_nt_hash(nt_hash(password))
    digest = hashlib.sha1(hh + nt_response + MAGIC1).digest()
    chal = challenge_hash(peer_challenge, auth_challenge, user)
    return "S=" + hashlib.sha1(digest + chal + MAGIC2).hexdigest().upper()


# RFC 3079 3.4 (MS-CHAPv2 128-bit keys)
KEY_MAGIC1 = b"This is the MPPE Master Key"
KEY_MAGIC2 = (b"On the client side, this is the send key; "
              b"on the server side, it is the receive key.")
KEY_MAGIC3 = (b"On the client side, this is the receive key; "
              b"on the server side, it is the send key.")
SHS_PAD1 = bytes(40)
SHS_PAD2 = b"\xf2" * 40


def master_key(password, nt_response):
    hh = hash_nt_hash(nt_hash(password))
    return hashlib.sha1(hh + nt_response + KEY_MAGIC1).digest()[:16]


def server_keys(password, nt_response):
    """(MasterSendKey, MasterReceiveKey) of the server (the authenticator):
    what it sends as MS-MPPE-Send-Key and MS-MPPE-Recv-Key."""
    mk = master_key(password, nt_response)

    def start_key(magic):
        return hashlib.sha1(mk + SHS_PAD1 + magic + SHS_PAD2).digest()[:16]
    return start_key(KEY_MAGIC3), start_key(KEY_MAGIC2)


def eap_mschapv2_msk(password, nt_response):
    """The MSK of EAP-MSCHAPv2 as the peer exports it: the server's receive
    key, then its send key, then 32 zero bytes (hostapd/wpa_supplicant)."""
    send, recv = server_keys(password, nt_response)
    return recv + send + bytes(32)
