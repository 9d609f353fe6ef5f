/*
 * ntlm_helper.h - the line-protocol engine of `ntlm client` and `ntlm
 * server`: one NTLM context driven by request lines (TOKEN, SEAL, UNSEAL,
 * SIGN, VERIFY, QUIT; see ntlm(1)), one answer line each on stdout, so that
 * other programs (test drivers, interop harnesses, scripts) can run a
 * handshake through pipes and then use the session security. The commands
 * (ntlm_client.c, ntlm_server.c) and the fuzzer (fuzz/fuzz_helper.c) drive it.
 */
#ifndef NTLM_HELPER_H
#define NTLM_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "ntlm_tool.h"

/* What handling one line leads to. */
enum { H_NEXT, H_QUIT, H_FAIL };

typedef struct helper {
	const char *cmd;
	ntlm_ctx *ctx; /* not owned */
	int server, datagram, done;
	int show_key; /* --show-session-key: the exported session key in the DONE line */
	/* datagram mode numbers messages itself; counts successful ones per direction */
	uint32_t send_seq, recv_seq;
} helper;

/* The first message, for the side that speaks first (a client, or a datagram server). */
int helper_start(helper *h);
/* One request line of len bytes (NUL bytes included; line[len] is a NUL). */
int helper_handle_line(helper *h, char *line, size_t len);
/* `ntlm client` / `ntlm server`: options of role (ROLE_CLIENT, ROLE_SERVER), then the loop. */
int helper_run(int argc, char **argv, const tool_cmd *cmd, unsigned role);

#endif
