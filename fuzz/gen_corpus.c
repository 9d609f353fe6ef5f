/*
 * gen_corpus - writes the seed corpora of the fuzz targets from real
 * messages: handshakes between this library's client and server under the
 * same fixed time, randomness and configurations the targets use (so the
 * server and client seeds authenticate inside the fuzzer), the [MS-NLMP]
 * 4.2 vector values, and hand-written account, credential and policy files.
 *
 *   build-fuzz/fuzz/gen_corpus fuzz/corpus
 *
 * Output is deterministic; re-running it rewrites the same files.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "fuzz_rpc_common.h"
#include "nlmp_vectors.h"
#include "smbpasswd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0; /* fuzz_common.h declares it; nothing to do here */
}

static const char *outdir;
static unsigned written;

/* FNV-1a of target and content: the same seed is written once. */
static uint64_t seen[8192];
static size_t nseen;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void put(const char *target, const char *name, const void *a, size_t an, const void *b,
                size_t bn)
{
	char path[512];
	uint64_t h = fnv(fnv(fnv(0xcbf29ce484222325ull, target, strlen(target) + 1), a, an), b, bn);
	for (size_t i = 0; i < nseen; i++)
		if (seen[i] == h)
			return;
	FZ_CHECK(nseen < sizeof(seen) / sizeof(seen[0]));
	seen[nseen++] = h;
	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	FILE *f = fopen(path, "wb");
	if (!f || (an && fwrite(a, 1, an, f) != an) || (bn && fwrite(b, 1, bn, f) != bn) ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	written++;
}

static void put1(const char *target, const char *name, const void *a, size_t an)
{
	put(target, name, a, an, NULL, 0);
}

static void put_str(const char *target, const char *name, const char *s)
{
	put1(target, name, s, strlen(s));
}

/* A growing text buffer for the helper's request lines. */
struct text {
	char buf[16384];
	size_t n;
};

static void text_add(struct text *t, const char *s)
{
	size_t n = strlen(s);
	FZ_CHECK(t->n + n < sizeof(t->buf));
	memcpy(t->buf + t->n, s, n);
	t->n += n;
}

static void text_b64(struct text *t, const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		char q[5] = {a[v >> 18], a[(v >> 12) & 63], i + 1 < n ? a[(v >> 6) & 63] : '=',
		             i + 2 < n ? a[v & 63] : '=', 0};
		text_add(t, q);
	}
}

/* "VERB b64 [b64]\n" */
static void text_req(struct text *t, const char *verb, const uint8_t *a, size_t an,
                     const uint8_t *b, size_t bn)
{
	text_add(t, verb);
	text_add(t, " ");
	text_b64(t, a, an);
	if (b) {
		text_add(t, " ");
		text_b64(t, b, bn);
	}
	text_add(t, "\n");
}

/* The AV pairs inside an NTLMv2 NT response, and the response itself. */
static void put_nt_response(const char *tag, const uint8_t *nt, size_t n)
{
	char name[96];
	nw_v2_response v2;
	for (uint8_t sel = 0; sel < 16; sel += 5) {
		snprintf(name, sizeof(name), "%s-s%u", tag, sel);
		put("fuzz_v2_response", name, &sel, 1, nt, n);
	}
	if (nw_v2_response_parse(nt, n, &v2) == NTLM_OK) {
		snprintf(name, sizeof(name), "client-%s", tag);
		put1("fuzz_av_pairs", name, v2.av_pairs, v2.av_len);
	}
}

/* ---------------------------------------------------------- handshakes */

/* One handshake for (sel, fsel); writes every message to the targets that take it. */
static void handshake(uint8_t sel, uint8_t fsel)
{
	ntlm_policy cpol, spol;
	ntlm_hooks ch = {NTLM_HOOKS_INIT}, sh = {NTLM_HOOKS_INIT};
	fz_rng cr, sr;
	ntlm_cred *cred = NULL;
	ntlm_ctx *client = NULL, *server = NULL;
	ntlm_account_store *store = fz_store_new();
	ntlm_replay_cache *replay = NULL;
	char tag[64], name[96];
	snprintf(tag, sizeof(tag), "s%02x-f%u", sel, fsel);
	FZ_CHECK(ntlm_replay_cache_new(&replay, 16) == NTLM_OK);
	if (fz_client_new(sel, fz_client_flags[fsel], &cred, &cpol, &ch, &cr, 0xc11e47ull, &client) !=
	        NTLM_OK ||
	    fz_server_new(sel, store, replay, &spol, &sh, &sr, NULL, NULL, &server) != NTLM_OK) {
		fprintf(stderr, "%s: set-up failed\n", tag);
		exit(1);
	}
	ntlm_buffer neg = {NULL, 0}, chal = {NULL, 0}, auth = {NULL, 0};
	ntlm_err rc = NTLM_OK;
	if (!(sel & FZ_SEL_DATAGRAM)) {
		rc = ntlm_step(client, NULL, 0, &neg);
		if (rc == NTLM_CONTINUE)
			rc = ntlm_step(server, neg.data, neg.len, &chal);
	} else {
		rc = ntlm_step(server, NULL, 0, &chal);
	}
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(client, chal.data, chal.len, &auth);
	ntlm_err crc = rc;
	if (rc == NTLM_OK)
		rc = ntlm_step(server, auth.data, auth.len, &(ntlm_buffer){NULL, 0});

	if (neg.len)
		put1("fuzz_negotiate", tag, neg.data, neg.len);
	if (chal.len) {
		uint8_t hdr[2] = {sel, fsel};
		put("fuzz_client", tag, hdr, 2, chal.data, chal.len);
		put1("fuzz_challenge", tag, chal.data, chal.len);
		nw_challenge c;
		if (nw_challenge_decode(chal.data, chal.len, &c) == NTLM_OK) {
			snprintf(name, sizeof(name), "server-%s", tag);
			if (c.target_info_len)
				put1("fuzz_av_pairs", name, c.target_info, c.target_info_len);
			nw_challenge_clear(&c);
		}
	}
	if (crc == NTLM_OK && auth.len) {
		put1("fuzz_authenticate", tag, auth.data, auth.len);
		uint8_t hdr[3] = {sel, (uint8_t)neg.len, (uint8_t)(neg.len >> 8)};
		uint8_t *buf = malloc(3 + neg.len + auth.len);
		FZ_CHECK(buf != NULL);
		memcpy(buf, hdr, 3);
		if (neg.len)
			memcpy(buf + 3, neg.data, neg.len);
		memcpy(buf + 3 + neg.len, auth.data, auth.len);
		put1("fuzz_server", tag, buf, 3 + neg.len + auth.len);
		free(buf);
		nw_authenticate a;
		if (nw_authenticate_decode(auth.data, auth.len, &a) == NTLM_OK) {
			if (a.nt_response_len)
				put_nt_response(tag, a.nt_response, a.nt_response_len);
			nw_authenticate_clear(&a);
		}
	}
	if (crc == NTLM_OK && rc == NTLM_OK) {
		/* fuzz_helper: the server side fed this client's tokens, then session requests */
		static const uint8_t msg[] = "hello over the helper";
		uint8_t sealed[sizeof(msg)], signed_[sizeof(msg)];
		uint8_t sig[NTLM_SIGNATURE_SIZE] = {0}, sig2[NTLM_SIGNATURE_SIZE] = {0};
		memcpy(sealed, msg, sizeof(msg));
		memcpy(signed_, msg, sizeof(msg));
		int dg = (sel & FZ_SEL_DATAGRAM) != 0;
		unsigned seq_mode = dg ? NTLM_PROTECT_EXPLICIT_SEQ : 0u;
		(void)ntlm_protect(client, NTLM_PROTECT_SEAL | seq_mode, 0, sealed, sizeof(msg), sig);
		(void)ntlm_protect(client, NTLM_PROTECT_SIGN | seq_mode, dg ? 1u : 0u, signed_, sizeof(msg),
		                   sig2);
		struct text t = {.n = 0};
		uint8_t role = 0;
		if (neg.len)
			text_req(&t, "TOKEN", neg.data, neg.len, NULL, 0);
		text_req(&t, "TOKEN", auth.data, auth.len, NULL, 0);
		text_req(&t, "UNSEAL", sealed, sizeof(sealed), sig, 16);
		text_req(&t, "VERIFY", msg, sizeof(msg), sig2, 16);
		text_req(&t, "SEAL", msg, sizeof(msg), NULL, 0);
		text_req(&t, "SIGN", msg, sizeof(msg), NULL, 0);
		text_add(&t, "QUIT\n");
		uint8_t hdr[2] = {sel, role};
		snprintf(name, sizeof(name), "server-%s", tag);
		put("fuzz_helper", name, hdr, 2, t.buf, t.n);
		/* and the client side fed the server's CHALLENGE */
		t.n = 0;
		text_req(&t, "TOKEN", chal.data, chal.len, NULL, 0);
		text_req(&t, "SEAL", msg, sizeof(msg), NULL, 0);
		text_req(&t, "SIGN", msg, sizeof(msg), NULL, 0);
		text_add(&t, "QUIT\n");
		hdr[1] = (uint8_t)(1 | fsel << 1);
		snprintf(name, sizeof(name), "client-%s", tag);
		put("fuzz_helper", name, hdr, 2, t.buf, t.n);
	}
	printf("%-12s client %-22s server %s\n", tag, ntlm_err_name(crc), ntlm_err_name(rc));
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	ntlm_replay_cache_free(replay);
}

/*
 * An LM-only AUTHENTICATE (no NT response) for the server: the client's
 * NTLMv1 answer without ESS carries DESL(LM hash) as its LM response; drop
 * the NT response and the store checks the LM one.
 */
static void lm_only_seed(void)
{
	uint8_t sel = 0x22, fsel = 3; /* v2+v1+lm, no min security; no ESS */
	ntlm_policy cpol;
	ntlm_hooks ch = {NTLM_HOOKS_INIT};
	fz_rng cr;
	ntlm_cred *cred = NULL;
	ntlm_ctx *client = NULL;
	FZ_CHECK(fz_client_new(sel, fz_client_flags[fsel], &cred, &cpol, &ch, &cr, 0xc11e47ull,
	                       &client) == NTLM_OK);
	/* the server's CHALLENGE for this selector, from a server of the same config */
	ntlm_policy spol;
	ntlm_hooks sh = {NTLM_HOOKS_INIT};
	fz_rng sr;
	ntlm_ctx *server = NULL;
	ntlm_account_store *store = fz_store_new();
	FZ_CHECK(fz_server_new(sel, store, NULL, &spol, &sh, &sr, NULL, NULL, &server) == NTLM_OK);
	ntlm_buffer neg = {NULL, 0}, chal = {NULL, 0}, auth = {NULL, 0}, lm = {NULL, 0};
	FZ_CHECK(ntlm_step(client, NULL, 0, &neg) == NTLM_CONTINUE);
	FZ_CHECK(ntlm_step(server, neg.data, neg.len, &chal) == NTLM_CONTINUE);
	FZ_CHECK(ntlm_step(client, chal.data, chal.len, &auth) == NTLM_OK);
	nw_authenticate a;
	FZ_CHECK(nw_authenticate_decode(auth.data, auth.len, &a) == NTLM_OK);
	ntlm_free_secret(a.nt_response, a.nt_response_len);
	a.nt_response = NULL;
	a.nt_response_len = 0;
	FZ_CHECK(nw_authenticate_encode(&a, 0, &lm) == NTLM_OK);
	nw_authenticate_clear(&a);
	uint8_t *buf = malloc(3 + neg.len + lm.len);
	FZ_CHECK(buf != NULL);
	buf[0] = sel;
	buf[1] = (uint8_t)neg.len;
	buf[2] = (uint8_t)(neg.len >> 8);
	memcpy(buf + 3, neg.data, neg.len);
	memcpy(buf + 3 + neg.len, lm.data, lm.len);
	put1("fuzz_server", "lm-only", buf, 3 + neg.len + lm.len);
	put1("fuzz_authenticate", "lm-only", lm.data, lm.len);
	free(buf);
	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = ntlm_step(server, lm.data, lm.len, &out);
	printf("%-12s server %s (%s)\n", "lm-only", ntlm_err_name(rc),
	       ntlm_response_kind_name(ntlm_ctx_response_kind(server)));
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&lm);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
}

/* ---------------------------------------------------- vector messages */

static void vector_seeds(void)
{
	ntlm_buffer b = {NULL, 0};
	char *user = NULL, *domain = NULL, *ws = NULL;

	/* 4.2.4 CHALLENGE with the transcribed flags and the assembled TargetInfo. */
	nw_challenge c;
	memset(&c, 0, sizeof(c));
	c.flags = V2_NEGOTIATE_FLAGS;
	memcpy(c.server_challenge, V_SERVER_CHALLENGE, 8);
	c.target_name = (char *)V_SERVER_STR;
	c.target_info = (uint8_t *)V2_TARGET_INFO;
	c.target_info_len = sizeof(V2_TARGET_INFO);
	c.has_version = 1;
	c.version = (nw_version){6, 0, 6000, 15};
	FZ_CHECK(nw_challenge_encode(&c, &b) == NTLM_OK);
	put1("fuzz_challenge", "nlmp-v2", b.data, b.len);
	for (uint8_t f = 0; f < 8; f++) {
		char name[32];
		uint8_t hdr[2] = {(uint8_t)(f * 0x25), f};
		snprintf(name, sizeof(name), "nlmp-v2-%u", f);
		put("fuzz_client", name, hdr, 2, b.data, b.len);
	}
	ntlm_buffer_free(&b);
	/* 4.2.2 NTLMv1 CHALLENGE: no TargetInfo, OEM target name. */
	c.flags = V1_NEGOTIATE_FLAGS & ~NTLMSSP_NEGOTIATE_UNICODE;
	c.target_info = NULL;
	c.target_info_len = 0;
	c.has_version = 0;
	FZ_CHECK(nw_challenge_encode(&c, &b) == NTLM_OK);
	put1("fuzz_challenge", "nlmp-v1-oem", b.data, b.len);
	uint8_t hdr[2] = {0x21, 3};
	put("fuzz_client", "nlmp-v1-oem", hdr, 2, b.data, b.len);
	ntlm_buffer_free(&b);

	put1("fuzz_av_pairs", "nlmp-v2-target-info", V2_TARGET_INFO, sizeof(V2_TARGET_INFO));
	put_nt_response("nlmp-v2", V2_NT_RESPONSE, sizeof(V2_NT_RESPONSE));

	/* 4.2.4 AUTHENTICATE assembled from the vector responses. */
	nw_authenticate a;
	memset(&a, 0, sizeof(a));
	a.flags = V2_NEGOTIATE_FLAGS;
	a.lm_response = (uint8_t *)V2_LM_RESPONSE;
	a.lm_response_len = sizeof(V2_LM_RESPONSE);
	a.nt_response = (uint8_t *)V2_NT_RESPONSE;
	a.nt_response_len = sizeof(V2_NT_RESPONSE);
	a.domain = domain = ntlm_strdup(V_DOMAIN_STR);
	a.user = user = ntlm_strdup(V_USER_STR);
	a.workstation = ws = ntlm_strdup(V_WORKSTATION_STR);
	a.encrypted_session_key = (uint8_t *)V2_ENCRYPTED_SESSION_KEY;
	a.encrypted_session_key_len = sizeof(V2_ENCRYPTED_SESSION_KEY);
	a.has_version = 1;
	a.version = (nw_version){5, 1, 2600, 15};
	FZ_CHECK(nw_authenticate_encode(&a, 1, &b) == NTLM_OK);
	put1("fuzz_authenticate", "nlmp-v2-mic", b.data, b.len);
	ntlm_buffer_free(&b);
	FZ_CHECK(nw_authenticate_encode(&a, 0, &b) == NTLM_OK);
	put1("fuzz_authenticate", "nlmp-v2", b.data, b.len);
	ntlm_buffer_free(&b);
	/* 4.2.2 NTLMv1, OEM strings. */
	a.flags = V1_NEGOTIATE_FLAGS & ~NTLMSSP_NEGOTIATE_UNICODE;
	a.lm_response = (uint8_t *)V1_LM_RESPONSE;
	a.lm_response_len = sizeof(V1_LM_RESPONSE);
	a.nt_response = (uint8_t *)V1_NT_RESPONSE;
	a.nt_response_len = sizeof(V1_NT_RESPONSE);
	a.encrypted_session_key = (uint8_t *)V1_ENCRYPTED_SESSION_KEY;
	a.encrypted_session_key_len = sizeof(V1_ENCRYPTED_SESSION_KEY);
	a.has_version = 0;
	FZ_CHECK(nw_authenticate_encode(&a, 0, &b) == NTLM_OK);
	put1("fuzz_authenticate", "nlmp-v1-oem", b.data, b.len);
	ntlm_buffer_free(&b);
	ntlm_free_string(user);
	ntlm_free_string(domain);
	ntlm_free_string(ws);

	/* NEGOTIATE: the 16-byte minimal form, and one with OEM names and a version. */
	static const uint8_t minimal[16] = {'N', 'T', 'L', 'M', 'S',  'S',  'P',  0,
	                                    1,   0,   0,   0,   0x07, 0x82, 0x08, 0xa2};
	put1("fuzz_negotiate", "minimal-16", minimal, sizeof(minimal));
	nw_negotiate n;
	memset(&n, 0, sizeof(n));
	n.flags = V2_NEGOTIATE_FLAGS | NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
	          NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
	n.domain = (char *)V_DOMAIN_STR;
	n.workstation = (char *)V_WORKSTATION_STR;
	n.has_version = 1;
	n.version = (nw_version){6, 1, 7601, 15};
	FZ_CHECK(nw_negotiate_encode(&n, &b) == NTLM_OK);
	put1("fuzz_negotiate", "oem-names-version", b.data, b.len);
	ntlm_buffer_free(&b);
}

/* ------------------------------------------------------- unseal seeds */

static void unseal_seeds(void)
{
	static const char text[] = "Plaintext of a sealed message";
	for (uint8_t fsel = 0; fsel < 16; fsel++) {
		for (uint8_t mode = 0; mode < 6; mode++) {
			uint8_t buf[6 + 16 + sizeof(text)];
			memset(buf, 0, sizeof(buf));
			buf[0] = fsel;
			buf[1] = mode;
			memcpy(buf + 22, text, sizeof(text));
			if (mode == 5) {
				buf[6] = 20; /* position 20: a ciphertext byte */
				buf[7] = 0;  /* untouched */
			} else {
				/* a real signature: the client seals (or signs) for the server */
				struct fz_pair p;
				int level = fz_pair_open(&p, fsel);
				uint8_t sig[NTLM_SIGNATURE_SIZE] = {0};
				unsigned seq_mode = p.datagram ? NTLM_PROTECT_EXPLICIT_SEQ : 0u;
				if (level == 2 && mode != 1 && mode != 4)
					(void)ntlm_protect(p.client, NTLM_PROTECT_SEAL | seq_mode, 0, buf + 22,
					                   sizeof(text), sig);
				else if (level >= 1)
					(void)ntlm_protect(p.client, NTLM_PROTECT_SIGN | seq_mode, 0, buf + 22,
					                   sizeof(text), sig);
				memcpy(buf + 6, sig, NTLM_SIGNATURE_SIZE);
				fz_pair_close(&p);
			}
			char name[32];
			snprintf(name, sizeof(name), "f%02u-m%u", fsel, mode);
			put1("fuzz_unseal", name, buf, sizeof(buf));
		}
	}
}

/* ---------------------------------------------------------- text files */

static void file_seeds(void)
{
	smbpw_entry e;
	char line[SMBPW_LINE_MAX];
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "alice");
	e.uid = 1000;
	FZ_CHECK(nk_ntowfv1(FZ_PASSWORD, e.nt) == NTLM_OK);
	e.has_nt = 1;
	e.acb = SMBPW_ACB_NORMAL | SMBPW_ACB_PWNOEXP;
	e.lct = 0x5F0A1B2C;
	FZ_CHECK(smbpw_format_line(&e, line, sizeof(line)) == NTLM_OK);
	put_str("fuzz_smbpasswd", "one-line", line);
	put_str("fuzz_smbpasswd", "samba-lm-nt",
	        "bob:1001:E52CAC67419A9A224A3B108F3FA6CB6D:A4F49C406510BDCAB6824EE7C30FD852:"
	        "[UX         ]:LCT-5F0A1B2C:\n");
	put_str("fuzz_smbpasswd", "no-password",
	        "guest:65534:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:"
	        "[NU         ]:LCT-00000000:\n");
	put_str("fuzz_smbpasswd", "disabled-crlf",
	        "# comment\r\n\r\nALICE:0:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:"
	        "8846F7EAEE8FB117AD06BDD830B7586C:[DU]:LCT-00000001\r\n");
	put_str("fuzz_smbpasswd", "machine",
	        "WS01$:1002:********************************:31D6CFE0D16AE931B73C59D7E0C089C0:"
	        "[W          ]:LCT-62A1B2C3:extra:\n");

	put_str("fuzz_credfile", "simple", "FUZZDOM:alice:Fuzz-Passw0rd\n");
	put_str("fuzz_credfile", "empty-domain-colon-pw", ":bob:pa:ss:word\r\n");
	put_str("fuzz_credfile", "bom-comments",
	        "\xEF\xBB\xBF# credentials\n\n  # indented comment\nDOM:alice:x\nDOM:Ålice:ü\n");
	put_str("fuzz_credfile", "malformed", "nocolon\n:\nDOM::pw\nDOM:user\n");

	put_str("fuzz_policy", "all-keys",
	        "# ntlmssp.conf\n"
	        "allowed_responses = ntlmv2, ntlmv1\n"
	        "min_security = sign seal 128bit key_exch ess\n"
	        "require_mic = yes\n"
	        "channel_bindings = required\n"
	        "require_target_name = on\n"
	        "timestamp_window = 300\n"
	        "allow_anonymous = false\n"
	        "replay_cache = 8192\n");
	put_str("fuzz_policy", "none-and-crlf",
	        "min_security = none\r\nallowed_responses=lm\r\nchannel_bindings=never # off\r\n");
	put_str("fuzz_policy", "bad-line", "require_mic = 1\nbogus line\nallow_anonymous = 1\n");
	put_str("fuzz_policy", "bad-value", "timestamp_window = -5\n");
}

/* ------------------------------------------------------------ DCE/RPC */

/* A finished writer's bytes (the writer is freed). */
static void finish_into(nb_writer *w, ntlm_buffer *out)
{
	FZ_CHECK(nb_writer_finish(w, out) == NTLM_OK);
	nb_writer_free(w);
}

/* Appends b to the seed being built in t. */
static void seed_add(ntlm_buffer *t, const ntlm_buffer *b)
{
	uint8_t *n = realloc(t->data, t->len + b->len);
	FZ_CHECK(n != NULL);
	memcpy(n + t->len, b->data, b->len);
	t->data = n;
	t->len += b->len;
}

static void put_rpc_pdu(const char *name, const ntlm_buffer *b)
{
	put1("fuzz_rpc_pdu", name, b->data, b->len);
}

/*
 * A real client's PDUs for one association with the fuzz_rpc_server
 * configuration sel: bind (NEGOTIATE), then rpc_auth_3 or, with alter, an
 * alter_context (AUTHENTICATE) computed against the CHALLENGE the target's
 * server will send (same NTLM settings, time and randomness), then a
 * request protected at level. Written as one fuzz_rpc_server seed, and each
 * PDU (plus a server's bind_ack and response) as fuzz_rpc_pdu seeds.
 */
static void rpc_ntlm_seed(uint8_t sel, uint32_t level, int alter, const char *name)
{
	ntlm_account_store *store = fz_store_new();
	ntlm_policy spol, cpol;
	ntlm_hooks sh = {NTLM_HOOKS_INIT}, ch = {NTLM_HOOKS_INIT};
	fz_rng sr, cr;
	ntlm_server_config scfg;
	fzr_ntlm_config(sel, store, &spol, &sh, &sr, &scfg);
	ntlm_client_config ccfg;
	ccfg = (ntlm_client_config){NTLM_CLIENT_CONFIG_INIT};
	ntlm_policy_init(&cpol);
	fz_hooks_init(&ch, &cr, 0xc11e47ull);
	ccfg.policy = &cpol;
	ccfg.workstation = "FUZZWS";
	ccfg.hooks = &ch;
	ntlm_cred *cred = NULL;
	FZ_CHECK(ntlm_cred_password(&cred, FZ_DOMAIN, FZ_USER, FZ_PASSWORD) == NTLM_OK);
	ntlm_rpc_sec *cs = NULL, *ss = NULL;
	FZ_CHECK(ntlm_rpc_sec_client_new(&cs, cred, &ccfg, level, NTLM_RPC_IMP_IMPERSONATE) ==
	         NTLM_RPC_S_OK);
	FZ_CHECK(ntlm_rpc_sec_server_new(&ss, &scfg) == NTLM_RPC_S_OK);

	nb_writer w;
	ntlm_buffer bind = {0}, ack = {0}, auth = {0}, req = {0}, resp = {0}, seed = {0};
	uint32_t fault = 0;
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_bind(&w, RPC_PT_BIND, 1, 0, 0, &fzr_iface_id) == NTLM_OK);
	finish_into(&w, &bind);
	FZ_CHECK(ntlm_rpc_sec_step(cs, NULL, 0, &bind, &fault) == NTLM_RPC_S_CONTINUE_NEEDED);
	rpc_result accept = {RPC_RESULT_ACCEPT, 0, rpc_ndr_syntax};
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_ack(&w, RPC_PT_BIND_ACK, 1, RPC_FRAG_OFFER, RPC_FRAG_OFFER, 0x53f0, "135",
	                     &accept, 1) == NTLM_OK);
	finish_into(&w, &ack);
	FZ_CHECK(ntlm_rpc_sec_step(ss, bind.data, bind.len, &ack, &fault) ==
	         NTLM_RPC_S_CONTINUE_NEEDED);
	nb_writer_init(&w);
	if (alter)
		FZ_CHECK(rpc_put_bind(&w, RPC_PT_ALTER, 2, 0x53f0, 0, &fzr_iface_id) == NTLM_OK);
	else
		FZ_CHECK(rpc_put_auth3(&w, 1) == NTLM_OK);
	finish_into(&w, &auth);
	FZ_CHECK(ntlm_rpc_sec_step(cs, ack.data, ack.len, &auth, &fault) == NTLM_RPC_S_OK);

	static const uint8_t stub[] = "an echo, protected at the association's level";
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_request(&w, 3, RPC_PFC_FIRST | RPC_PFC_LAST, sizeof(stub), 0, 0, stub,
	                         sizeof(stub)) == NTLM_OK);
	finish_into(&w, &req);
	FZ_CHECK(ntlm_rpc_sec_protect(cs, &req) == NTLM_RPC_S_OK);
	/* the server side of the same association answers, for a protected response PDU */
	ntlm_buffer none = {0};
	FZ_CHECK(ntlm_rpc_sec_step(ss, auth.data, auth.len, alter ? &none : NULL, &fault) ==
	         NTLM_RPC_S_OK);
	ntlm_buffer_free(&none);
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_response(&w, 3, RPC_PFC_FIRST | RPC_PFC_LAST, sizeof(stub), 0, stub,
	                          sizeof(stub)) == NTLM_OK);
	finish_into(&w, &resp);
	FZ_CHECK(ntlm_rpc_sec_protect(ss, &resp) == NTLM_RPC_S_OK);

	seed_add(&seed, &(ntlm_buffer){&sel, 1});
	seed_add(&seed, &bind);
	seed_add(&seed, &auth);
	seed_add(&seed, &req);
	put1("fuzz_rpc_server", name, seed.data, seed.len);
	char pname[64];
	snprintf(pname, sizeof(pname), "%s-bind", name);
	put_rpc_pdu(pname, &bind);
	snprintf(pname, sizeof(pname), "%s-ack", name);
	put_rpc_pdu(pname, &ack);
	snprintf(pname, sizeof(pname), "%s-auth", name);
	put_rpc_pdu(pname, &auth);
	snprintf(pname, sizeof(pname), "%s-request", name);
	put_rpc_pdu(pname, &req);
	snprintf(pname, sizeof(pname), "%s-response", name);
	put_rpc_pdu(pname, &resp);

	ntlm_buffer *all[] = {&bind, &ack, &auth, &req, &resp, &seed};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ntlm_buffer_free(all[i]);
	ntlm_rpc_sec_free(cs);
	ntlm_rpc_sec_free(ss);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
}

/* Unauthenticated and ncalrpc associations, and the bare PDUs the server sends. */
static void rpc_plain_seeds(void)
{
	nb_writer w;
	ntlm_buffer bind = {0}, req = {0}, other = {0}, seed = {0};
	static const uint8_t stub[] = "plain";
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_bind(&w, RPC_PT_BIND, 1, 0, 0, &fzr_iface_id) == NTLM_OK);
	finish_into(&w, &bind);
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_request(&w, 2, RPC_PFC_FIRST | RPC_PFC_LAST, sizeof(stub), 0, 0, stub,
	                         sizeof(stub)) == NTLM_OK);
	finish_into(&w, &req);
	/* sel 0: no floor, NTLMv2 policy, ncacn_ip_tcp */
	uint8_t sel = 0;
	seed_add(&seed, &(ntlm_buffer){&sel, 1});
	seed_add(&seed, &bind);
	seed_add(&seed, &req);
	put1("fuzz_rpc_server", "plain-call", seed.data, seed.len);
	seed.data[0] = NTLM_RPC_LEVEL_PKT_INTEGRITY; /* the same call below the floor */
	put1("fuzz_rpc_server", "plain-call-refused", seed.data, seed.len);
	ntlm_buffer_free(&seed);
	put_rpc_pdu("plain-bind", &bind);
	put_rpc_pdu("plain-request", &req);

	/* ncalrpc: the bind carries the local token with the impersonation level */
	uint8_t token[RPC_LOCAL_TOKEN_LEN];
	rpc_local_token(NTLM_RPC_IMP_IMPERSONATE, token);
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_bind(&w, RPC_PT_BIND, 1, 0, 0, &fzr_iface_id) == NTLM_OK);
	FZ_CHECK(rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, NTLM_RPC_LEVEL_PKT_PRIVACY,
	                          (uint8_t)((4 - w.len % 4) % 4), 0, token, sizeof(token)) == NTLM_OK);
	finish_into(&w, &other);
	sel = FZR_SEL_LOCAL | NTLM_RPC_LEVEL_PKT_PRIVACY;
	seed_add(&seed, &(ntlm_buffer){&sel, 1});
	seed_add(&seed, &other);
	seed_add(&seed, &req);
	put1("fuzz_rpc_server", "local-call", seed.data, seed.len);
	put_rpc_pdu("local-bind", &other);
	ntlm_buffer_free(&seed);
	ntlm_buffer_free(&other);

	/* what a server answers with: a nak and a fault */
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_nak(&w, 1, 2) == NTLM_OK);
	finish_into(&w, &other);
	put_rpc_pdu("nak", &other);
	ntlm_buffer_free(&other);
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_fault(&w, 2, 0, 0x1c010003, 1) == NTLM_OK);
	finish_into(&w, &other);
	put_rpc_pdu("fault", &other);
	ntlm_buffer_free(&other);
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&req);
}

static void rpc_seeds(void)
{
	rpc_plain_seeds();
	rpc_ntlm_seed(0x00, NTLM_RPC_LEVEL_CONNECT, 0, "ntlm-connect");
	rpc_ntlm_seed(0x00, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0, "ntlm-integrity");
	rpc_ntlm_seed(NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_LEVEL_PKT_PRIVACY, 0, "ntlm-privacy");
	rpc_ntlm_seed(NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0, "ntlm-below-floor");
	rpc_ntlm_seed(0x40 | NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_LEVEL_PKT_PRIVACY, 0,
	              "ntlm-require-mic");
	rpc_ntlm_seed(0x00, NTLM_RPC_LEVEL_PKT_PRIVACY, 1, "ntlm-alter-context");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUTDIR (e.g. fuzz/corpus)\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	static const uint8_t sels[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x0c,
	                               0x10, 0x14, 0x1c, 0x20, 0x21, 0x22, 0x23, 0x40,
	                               0x41, 0x43, 0x60, 0x62, 0x80, 0x9c, 0xa1, 0xe3};
	for (size_t i = 0; i < sizeof(sels); i++)
		for (uint8_t f = 0; f < 8; f++)
			handshake(sels[i], f);
	lm_only_seed();
	vector_seeds();
	unseal_seeds();
	file_seeds();
	rpc_seeds();
	printf("%u files written under %s\n", written, outdir);
	return 0;
}
