/*
 * test_threads.c - contexts are independent: many threads run full
 * handshakes and sealed exchanges at once, sharing one account store and one
 * replay cache (the only shared objects, both documented thread-safe).
 */
#include <pthread.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

#define THREADS 8
#define ROUNDS  60

static ntlm_account_store *store;
static ntlm_replay_cache *replay;

static void *worker(void *arg)
{
	long id = (long)arg;
	long failures = 0;
	for (int r = 0; r < ROUNDS; r++) {
		ntlm_cred *cred = NULL;
		ntlm_ctx *c = NULL, *s = NULL;
		ntlm_server_config scfg = {NTLM_SERVER_CONFIG_INIT};
		scfg.store = store;
		scfg.replay = replay;
		scfg.computer_name = "THREADSRV";
		T_SETUP(ntlm_cred_password(&cred, "D", (r + id) % 2 ? "t1" : "t2",
		                           (r + id) % 2 ? "pw-one" : "pw-two"));
		T_SETUP(ntlm_client_new(&c, cred, NULL));
		T_SETUP(ntlm_server_new(&s, &scfg));
		ntlm_buffer a = {0}, b = {0}, d = {0}, e = {0};
		ntlm_err rc = ntlm_step(c, NULL, 0, &a);
		if (rc == NTLM_CONTINUE)
			rc = ntlm_step(s, a.data, a.len, &b);
		if (rc == NTLM_CONTINUE)
			rc = ntlm_step(c, b.data, b.len, &d);
		if (rc == NTLM_OK)
			rc = ntlm_step(s, d.data, d.len, &e);
		uint8_t msg[32], sig[16];
		for (int i = 0; rc == NTLM_OK && i < 10; i++) {
			memset(msg, (int)(id + i), sizeof(msg));
			rc = ntlm_protect(c, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig);
			if (rc == NTLM_OK)
				rc = ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig);
			if (rc == NTLM_OK && msg[5] != (uint8_t)(id + i))
				rc = NTLM_E_INTERNAL;
		}
		failures += rc != NTLM_OK;
		ntlm_buffer_free(&a);
		ntlm_buffer_free(&b);
		ntlm_buffer_free(&d);
		ntlm_buffer_free(&e);
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
		ntlm_cred_free(cred);
	}
	return (void *)failures;
}

static void test_parallel_handshakes(void)
{
	char path[128];
	snprintf(path, sizeof(path), "/tmp/ntlmssp-threads-%d.smbpasswd", (int)getpid());
	unlink(path);
	T_OK(smbpw_create_default(path, "t1", "pw-one", 0));
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("pw-two", nt));
	T_OK(smbpw_modify(path, SMBPW_ADD, "t2", nt, NULL, 0));
	T_OK(ntlm_account_store_smbpasswd(&store, path));
	T_OK(ntlm_replay_cache_new(&replay, 1024));
	pthread_t th[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	long failures = 0;
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		failures += (long)r;
	}
	ntlm_account_store_free(store);
	ntlm_replay_cache_free(replay);
	unlink(path);
	strcat(path, ".lock");
	unlink(path);
	T_ASSERT(failures == 0);
}

int main(void)
{
	T_RUN(test_parallel_handshakes);
	T_END();
}
