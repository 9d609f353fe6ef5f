#!/usr/bin/python3
"""An NTLMv2 response ([MS-NLMP] 3.3.2) computed independently of the library
under test, for ntlm_auth's one-shot mode (--challenge --nt-response) against
the domain: NTOWFv2 from the NT hash (MD4 from Samba's Python bindings:
OpenSSL 3 left it out of hashlib), the blob with the current time, a random
client challenge and an empty AV pair list.

Usage: ntlmv2.py USER DOMAIN PASSWORD CHALLENGE_HEX   (prints the response in hex)
"""
import hmac
import os
import sys
import time

from samba.crypto import md4_hash_blob

user, domain, password, challenge = sys.argv[1:5]
nt = md4_hash_blob(password.encode("utf-16-le"))
owf = hmac.new(nt, (user.upper() + domain).encode("utf-16-le"), "md5").digest()
filetime = (int(time.time()) + 11644473600) * 10000000
blob = (b"\x01\x01" + bytes(6) + filetime.to_bytes(8, "little") + os.urandom(8) + bytes(4)
        + bytes(4) + bytes(4))  # MsvAvEOL, then the trailing Reserved4
proof = hmac.new(owf, bytes.fromhex(challenge) + blob, "md5").digest()
print((proof + blob).hex())
