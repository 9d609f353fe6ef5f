/* Target functions: squid_handle_line, handle_request, start, finish, find_channel (tools/ntlm_squid.c: Squid's squid-2.5-ntlmssp helper protocol) */
/*
 * The `ntlm squid-helper` line protocol fed whatever Squid (or anything on
 * its stdin) can write: "[ID] YR [token]", "[ID] KK token", garbage, many
 * channels, through the engine of tools/ntlm_squid.h; the server
 * configuration comes from fuzz_common.h.
 *
 * Input: sel(1) | lines (sel's datagram bit: ntlm_auth's Samba words). Replies go to /dev/null. Invariants: no crash, no
 * leak; the channel table never exceeds its bound.
 */
#include "fuzz_common.h"

#include <fcntl.h>

#include "ntlm_squid.h"

static int devnull = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FZ_CHECK(devnull >= 0);
	uint8_t sel = data[0];
	data++;
	size--;

	setup_server srv;
	memset(&srv, 0, sizeof(srv));
	ntlm_hooks hooks = {NTLM_HOOKS_INIT};
	fz_rng rng;
	fz_policy(sel & ~FZ_SEL_DATAGRAM, &srv.policy); /* Squid has no connectionless mode */
	fz_hooks_init(&hooks, &rng, 0x5e5e5e5e01ull);
	srv.store = fz_store_new();
	FZ_CHECK(ntlm_replay_cache_new(&srv.replay, 64) == NTLM_OK);
	srv.audit_fd = -1;
	srv.cfg.policy = &srv.policy;
	srv.cfg.computer_name = "FUZZSRV";
	srv.cfg.domain_name = FZ_DOMAIN;
	srv.cfg.store = srv.store;
	srv.cfg.hooks = &hooks;
	srv.cfg.replay = srv.replay;
	squid s;
	squid_init(&s, &srv);
	s.samba = (sel & FZ_SEL_DATAGRAM) != 0; /* the bit Squid has no use for: ntlm_auth's words */

	/* replies to /dev/null, for this input only (FUZZ_SQUID_SHOW=1 shows them) */
	fflush(stdout);
	int show = getenv("FUZZ_SQUID_SHOW") != NULL;
	int saved = show ? -1 : dup(STDOUT_FILENO);
	FZ_CHECK(show || (saved >= 0 && dup2(devnull, STDOUT_FILENO) >= 0));
	/* one line per '\n', each handed over as the helper's reader would */
	size_t off = 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = fz_dup_str(data + off, len);
		squid_handle_line(&s, line, len);
		free(line);
		off += len + (nl != NULL);
	}
	fflush(stdout);
	if (!show) {
		FZ_CHECK(dup2(saved, STDOUT_FILENO) >= 0);
		close(saved);
	}

	FZ_CHECK(s.n <= SQUID_MAX_CHANNELS);
	for (size_t i = 0; i < s.n; i++)
		/* only handshakes in progress, or finished ones GK/GF may ask about, are kept */
		FZ_CHECK(s.ch[i].ctx != NULL || s.ch[i].done != NULL);
	squid_free(&s);
	ntlm_replay_cache_free(srv.replay);
	ntlm_account_store_free(srv.store);
	return 0;
}
