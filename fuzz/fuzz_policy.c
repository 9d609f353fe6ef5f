/* Target functions: ntlm_policy_load */
/*
 * A policy config file (the input, as an in-memory file). A failed load
 * leaves the policy exactly as it was and names a line; a successful one
 * gives values inside their ranges.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fz_memfile(data, size, path);
	ntlm_policy p, before;
	ntlm_policy_init(&p);
	/* a starting point unlike the defaults, so "untouched" is visible */
	p.allowed_responses = NTLM_RESP_LM;
	p.min_security = NTLM_SEC_SEAL;
	p.require_mic = 1;
	p.cbt = NTLM_CBT_NEVER;
	p.require_target_name = 1;
	p.timestamp_window = 12345;
	p.allow_anonymous = 1;
	p.replay_cache = 77;
	p.lockout_threshold = 9;
	p.lockout_window = 99;
	before = p;
	unsigned line = 999999;
	ntlm_err rc = ntlm_policy_load(&p, path, &line);
	if (rc == NTLM_OK) {
		FZ_CHECK(line == 0);
		FZ_CHECK((p.allowed_responses & ~7u) == 0);
		FZ_CHECK((p.min_security & ~0x1fu) == 0);
		FZ_CHECK(p.require_mic == 0 || p.require_mic == 1);
		FZ_CHECK(p.require_target_name == 0 || p.require_target_name == 1);
		FZ_CHECK(p.allow_anonymous == 0 || p.allow_anonymous == 1);
		FZ_CHECK(p.cbt == NTLM_CBT_NEVER || p.cbt == NTLM_CBT_IF_PRESENT ||
		         p.cbt == NTLM_CBT_REQUIRED);
		FZ_CHECK(p.replay_cache >= 0 && p.replay_cache <= 1000000);
	} else {
		FZ_CHECK(rc == NTLM_E_BAD_FILE);
		FZ_CHECK(memcmp(&p, &before, sizeof(p)) == 0); /* never half applied */
		FZ_CHECK(line >= 1);
		/* the line named exists in the file */
		size_t lines = 1;
		for (size_t i = 0; i + 1 < size; i++)
			lines += data[i] == '\n';
		FZ_CHECK(line <= lines);
	}
	close(fd);
	return 0;
}
