/*
 * ntlm_squid_helper.c - `ntlm squid-helper`: the command line and the read
 * loop around the Squid protocol engine (ntlm_squid.c).
 */
#include <signal.h>
#include <string.h>

#include "ntlm_io.h"
#include "ntlm_setup.h"
#include "ntlm_squid.h"

static const tool_cmd squid_cmd = {
	"squid-helper", "[OPTIONS]",
	"Squid NTLM authentication helper (protocol squid-2.5-ntlmssp), checking\n"
	"users against an smbpasswd-format account file. In squid.conf:\n"
	"  auth_param ntlm program /usr/bin/ntlm squid-helper --account-file FILE\n"
	"Reads \"[ID] YR [token]\" and \"[ID] KK token\", answers \"TT token\",\n"
	"\"AF DOMAIN\\user\", \"NA reason\" or \"BH reason\"; a leading numeric channel ID\n"
	"(Squid's concurrency) is echoed and keeps a handshake per channel."};

int cmd_squid_helper(int argc, char **argv)
{
	setup_opts o;
	setup_server srv;
	squid s;
	io_line line = {NULL, 0, 0};
	int first, got;
	setup_opts_init(&o, squid_cmd.name);
	memset(&srv, 0, sizeof(srv));
	srv.audit_fd = -1;
	squid_init(&s, &srv);
	int st = tool_parse(argc, argv, &squid_cmd, setup_table, setup_table_len, ROLE_SQUID,
	                    setup_option, &o, &first);
	if (st == TOOL_EXIT_OK && first < argc)
		st = tool_error(TOOL_EXIT_USAGE, squid_cmd.name, "unexpected argument '%s'", argv[first]);
	if (st == TOOL_EXIT_OK)
		st = setup_server_build(&o, 1, &srv);
	signal(SIGPIPE, SIG_IGN); /* Squid gone: stop at the failed write, quietly */
	while (st == TOOL_EXIT_OK && !ferror(stdout) &&
	       (got = io_read_line(stdin, &line, IO_LINE_MAX)) != IO_EOF && got != IO_ERROR) {
		if (got == IO_TOO_LONG)
			squid_handle_overlong(line.data, line.len);
		else
			squid_handle_line(&s, line.data, line.len);
	}
	io_line_free(&line);
	squid_free(&s);
	setup_server_free(&srv);
	setup_opts_free(&o);
	return st < 0 ? TOOL_EXIT_OK : st;
}
