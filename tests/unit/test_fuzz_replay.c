/*
 * test_fuzz_replay - every fuzz target (fuzz/fuzz_*.c, built here with the
 * ordinary compiler and LLVMFuzzerTestOneInput renamed) run over its seed
 * corpus fuzz/corpus/<target>/ and its regress inputs fuzz/regress/<target>/
 * (inputs that once crashed or broke an invariant), fuzz_gss_tokens too when
 * the GSSAPI module is built. A target's invariants
 * abort the program, so a regression fails this binary; each test also
 * checks that it found its inputs, so an emptied directory fails too.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "t.h"

#ifndef FUZZ_DIR
#error "FUZZ_DIR must name the source tree's fuzz/ directory"
#endif

/* clang-format 14 does not settle on a macro of calls: one per line, by hand */
// clang-format off
#define FUZZ_TARGETS(X) \
	X(fuzz_negotiate) \
	X(fuzz_challenge) \
	X(fuzz_authenticate) \
	X(fuzz_av_pairs) \
	X(fuzz_v2_response) \
	X(fuzz_server) \
	X(fuzz_client) \
	X(fuzz_unseal) \
	X(fuzz_smbpasswd) \
	X(fuzz_credfile) \
	X(fuzz_policy) \
	X(fuzz_helper) \
	X(fuzz_squid) \
	X(fuzz_rpc_pdu) \
	X(fuzz_rpc_server) \
	X(fuzz_spnego) \
	X(fuzz_dcom_orpc) \
	X(fuzz_dcom_actprops)
// clang-format on

#define DECLARE(t) int replay_##t(const uint8_t *data, size_t size);
FUZZ_TARGETS(DECLARE)
#undef DECLARE

/* Runs fn over every regular file in dir; returns how many, or -1 if dir is unreadable. */
static long replay_dir(const char *dir, int (*fn)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	long n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[1024];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *buf = malloc((size_t)st.st_size + 1);
		size_t len = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		if (!buf)
			continue;
		fn(buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void replay_target(const char *name, int (*fn)(const uint8_t *, size_t))
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/corpus/%s", FUZZ_DIR, name);
	long seeds = replay_dir(dir, fn);
	snprintf(dir, sizeof(dir), "%s/regress/%s", FUZZ_DIR, name);
	long regress = replay_dir(dir, fn);
	/* the edge cases libFuzzer always tries first */
	static const uint8_t zeros[64];
	fn(zeros, 0);
	fn(zeros, 1);
	fn(zeros, sizeof(zeros));
	printf("     %-20s %ld seeds, %ld regress inputs\n", name, seeds < 0 ? 0 : seeds,
	       regress < 0 ? 0 : regress);
	if (seeds <= 0)
		T_FAIL("no seed corpus in %s/corpus/%s", FUZZ_DIR, name);
}

#define TEST(t)                                                                                    \
	static void test_##t(void)                                                                     \
	{                                                                                              \
		replay_target(#t, replay_##t);                                                             \
	}
FUZZ_TARGETS(TEST)
#undef TEST

#ifdef REPLAY_GSS_TOKENS
/* The GSSAPI module's target acquires its credentials once, in its initializer. */
int replay_init_fuzz_gss_tokens(int *argc, char ***argv);
int replay_fuzz_gss_tokens(const uint8_t *data, size_t size);

static void test_fuzz_gss_tokens(void)
{
	replay_init_fuzz_gss_tokens(NULL, NULL);
	replay_target("fuzz_gss_tokens", replay_fuzz_gss_tokens);
}
#endif

int main(void)
{
#define RUN(t) T_RUN(test_##t);
	FUZZ_TARGETS(RUN)
#undef RUN
#ifdef REPLAY_GSS_TOKENS
	T_RUN(test_fuzz_gss_tokens); /* last: its initializer sets the environment it needs */
#endif
	T_END();
}
