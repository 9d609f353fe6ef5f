# Shell functions for the suites that run a private Squid (35-squid,
# 36-ntlm-auth): sourced, not run.
#
#   squid_common_conf NAME   the squid.conf lines both need, everything under $T:
#                            logs, pid, no cache, no ICP/HTCP/pinger, quick shutdown
squid_common_conf() { # visible_hostname
	cat <<EOF
pid_filename $T/squid.pid
cache_log $T/cache.log
access_log stdio:$T/access.log squid
coredump_dir $T
cache deny all
cache_mem 8 MB
icp_port 0
htcp_port 0
pinger_enable off
netdb_filename none
logfile_rotate 0
shutdown_lifetime 1 seconds
visible_hostname $1
EOF
}
