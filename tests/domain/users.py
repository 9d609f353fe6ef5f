#!/usr/bin/python3
"""The domain's test accounts, made in one process through Samba's own
Python bindings (what samba-tool user/group runs, without a Python start-up
per call): the suite's DC (tests/domain/dc.sh) calls it once.

Usage: users.py SMB_CONF

  alice  a member of the group ntlmgrp        (logs on)
  bob    a second ordinary account            (wrong passwords, throughput)
  dave   disabled                             STATUS_ACCOUNT_DISABLED
  eve    must change her password             STATUS_PASSWORD_MUST_CHANGE
  fred   account expired                      STATUS_ACCOUNT_EXPIRED
  gina   password set in 2012, long expired   STATUS_PASSWORD_EXPIRED
  lock   locked out by the suite after the DC's lockout threshold
Passwords: the name with "-Pass#1" appended, first letter upper case.
"""
import sys

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

GROUP = "ntlmgrp"
USERS = ("alice", "bob", "dave", "eve", "fred", "gina", "lock")
PWD_LAST_SET_2012 = "130000000000000000"  # a FILETIME in 2012


def password(name):
    return name.capitalize() + "-Pass#1"


def expire_password(lp, db, name):
    """Backdates name's pwdLastSet to 2012, so the domain's maximum password
    age (42 days) is long past. The directory's own modules accept only 0
    (must change) or -1 (now) there, and a maximum age under one day counts
    as "never" in Samba, so the value is written into the domain partition's
    file directly, under the modules."""
    user = db.search(base=db.domain_dn(), expression="(sAMAccountName=%s)" % name, attrs=[])[0]
    part = lp.private_path("sam.ldb.d/%s.ldb" % str(db.domain_dn()).upper())
    raw = ldb.Ldb(part)
    m = ldb.Message(ldb.Dn(raw, str(user.dn)))
    m["pwdLastSet"] = ldb.MessageElement(PWD_LAST_SET_2012, ldb.FLAG_MOD_REPLACE, "pwdLastSet")
    raw.modify(m)


def main():
    lp = LoadParm()
    lp.load(sys.argv[1])
    db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
    for name in USERS:
        db.newuser(name, password(name), force_password_change_at_next_login_req=(name == "eve"))
    db.newgroup(GROUP)
    db.add_remove_group_members(GROUP, ["alice"], add_members_operation=True)
    db.disable_account("(sAMAccountName=dave)")
    db.setexpiry("(sAMAccountName=fred)", 0, no_expiry_req=False)
    expire_password(lp, db, "gina")
    return 0


if __name__ == "__main__":
    sys.exit(main())
