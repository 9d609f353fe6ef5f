/* Target functions: helper_handle_line, helper_start, run_token, after_step, run_seal, run_unseal, run_sign, run_verify (tools/ntlm_helper.c: the line protocol of `ntlm client` / `ntlm server`) */
/*
 * The `ntlm client` / `ntlm server` line protocol fed whatever its peer on
 * stdin can write, through the engine of tools/ntlm_helper.h, with the
 * context built from the fuzz_common.h
 * configurations instead of the command line. Seeds hold real handshakes
 * (TOKEN lines) followed by session requests, so the fuzzer reaches SEAL,
 * UNSEAL, SIGN and VERIFY on an established context.
 *
 * Input: sel(1) | role(1: bit 0 client, bits 1-3 client flag set) | lines.
 * The replies go to /dev/null. Invariants: a finished handshake stays
 * finished; only an unfinished one fails for good (H_FAIL); "done" means
 * the context is established.
 */
#include "fuzz_common.h"

#include <fcntl.h>

#include "ntlm_helper.h"

static int devnull = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	FZ_CHECK(devnull >= 0);
	uint8_t sel = data[0], role = data[1];
	int client = role & 1;
	data += 2;
	size -= 2;

	ntlm_account_store *store = NULL;
	ntlm_cred *cred = NULL;
	ntlm_policy policy;
	ntlm_hooks hooks = {NTLM_HOOKS_INIT};
	fz_rng rng;
	helper h;
	memset(&h, 0, sizeof(h));
	if (client) {
		FZ_CHECK(fz_client_new(sel, fz_client_flags[(role >> 1) & 7], &cred, &policy, &hooks, &rng,
		                       0xc11e47ull, &h.ctx) == NTLM_OK);
	} else {
		store = fz_store_new();
		FZ_CHECK(fz_server_new(sel, store, NULL, &policy, &hooks, &rng, NULL, NULL, &h.ctx) ==
		         NTLM_OK);
	}
	h.cmd = client ? "client" : "server";
	h.server = !client;
	h.datagram = (sel & FZ_SEL_DATAGRAM) != 0;

	/* replies to /dev/null, for this input only (FUZZ_HELPER_SHOW=1 shows them) */
	fflush(stdout);
	int show = getenv("FUZZ_HELPER_SHOW") != NULL;
	int saved = show ? -1 : dup(STDOUT_FILENO);
	FZ_CHECK(show || (saved >= 0 && dup2(devnull, STDOUT_FILENO) >= 0));

	int st = helper_start(&h);
	while (st == H_NEXT && size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		char *line = malloc(n + 1);
		FZ_CHECK(line != NULL);
		memcpy(line, data, n);
		line[n] = '\0';
		int done_before = h.done;
		st = helper_handle_line(&h, line, n);
		/* a finished handshake stays finished; the server fails for good */
		FZ_CHECK(!done_before || h.done);
		if (st == H_FAIL)
			FZ_CHECK(!h.done); /* only a handshake fails for good */
		free(line);
		data += nl ? n + 1 : n;
		size -= nl ? n + 1 : n;
	}
	if (h.done)
		FZ_CHECK(ntlm_ctx_established(h.ctx));

	fflush(stdout);
	if (!show) {
		FZ_CHECK(dup2(saved, STDOUT_FILENO) >= 0);
		close(saved);
	}
	clearerr(stdout);
	ntlm_ctx_free(h.ctx);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	return 0;
}
