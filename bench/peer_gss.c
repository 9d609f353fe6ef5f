/*
 * peer_gss.c - the ntlm-bench loops run against gss-ntlmssp through GSSAPI
 * (MIT mechglue), for comparison. Built by bench/run:
 *   cc -O2 bench/peer_gss.c $(pkg-config --cflags --libs krb5-gssapi) -lpthread
 * The client takes its credential, and the acceptor verifies, from
 * NTLM_USER_FILE (DOMAIN:USER:PASSWORD), written to a scratch directory.
 * Same result-line format as ntlm-bench ("R gss <metric> <value> <unit>").
 * With GSS_MECH_CONFIG naming our module and PEER_GSS_IMPL=gssours it
 * measures ours through the same glue ("R gssours ...").
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_ntlmssp.h>
#include <nettle/md4.h>
#include <sys/stat.h>

#include "bench_common.h"

static gss_OID_desc ntlm_oid = {GSS_NTLMSSP_OID_LENGTH, (void *)GSS_NTLMSSP_OID_STRING};
/* Asking this of the initiator before the AUTHENTICATE is how SPNEGO makes
 * gss-ntlmssp add a MIC; we ask too, so it runs the same handshake as ours. */
static gss_OID_desc mic_oid = {GSS_SPNEGO_REQUIRE_MIC_OID_LENGTH,
                               (void *)GSS_SPNEGO_REQUIRE_MIC_OID_STRING};

typedef struct env {
	gss_cred_id_t ccred, scred;
	gss_name_t target;
} env;

static void gss_fail(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 m, ctx = 0;
	gss_buffer_desc s;
	fprintf(stderr, "gss-bench: %s failed: major 0x%x minor 0x%x", what, major, minor);
	gss_display_status(&m, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &s);
	fprintf(stderr, " (%.*s", (int)s.length, (char *)s.value);
	gss_release_buffer(&m, &s);
	ctx = 0;
	gss_display_status(&m, minor, GSS_C_MECH_CODE, &ntlm_oid, &ctx, &s);
	fprintf(stderr, "; %.*s)\n", (int)s.length, (char *)s.value);
	gss_release_buffer(&m, &s);
	exit(1);
}

static void env_init(env *e)
{
	char path[300], line[200];
	OM_uint32 major, minor;
	snprintf(path, sizeof(path), "%s/ntlm_user_file", bc_scratch());
	snprintf(line, sizeof(line), "%s:%s:%s\n", BC_DOMAIN, BC_USER, BC_PASSWORD);
	bc_write_file(path, line);
	setenv("NTLM_USER_FILE", path, 1);
	setenv("NETBIOS_COMPUTER_NAME", BC_SERVER, 1);
	setenv("NETBIOS_DOMAIN_NAME", BC_DOMAIN, 1);

	gss_OID_set_desc mechs = {1, &ntlm_oid};
	gss_buffer_desc nb;
	gss_name_t user;
	char uname[64];
	snprintf(uname, sizeof(uname), "%s\\%s", BC_DOMAIN, BC_USER);
	nb.value = uname;
	nb.length = strlen(uname);
	major = gss_import_name(&minor, &nb, GSS_C_NT_USER_NAME, &user);
	if (GSS_ERROR(major))
		gss_fail("import user name", major, minor);
	major = gss_acquire_cred(&minor, user, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &e->ccred,
	                         NULL, NULL);
	if (GSS_ERROR(major))
		gss_fail("acquire initiator cred", major, minor);
	gss_release_name(&minor, &user);
	major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT,
	                         &e->scred, NULL, NULL);
	if (GSS_ERROR(major))
		gss_fail("acquire acceptor cred", major, minor);
	nb.value = "host@" BC_SERVER;
	nb.length = strlen(nb.value);
	major = gss_import_name(&minor, &nb, GSS_C_NT_HOSTBASED_SERVICE, &e->target);
	if (GSS_ERROR(major))
		gss_fail("import target name", major, minor);
}

static void handshake(const env *e, gss_ctx_id_t *c, gss_ctx_id_t *s)
{
	OM_uint32 major, minor, amajor = 0;
	gss_buffer_desc in = GSS_C_EMPTY_BUFFER, out = GSS_C_EMPTY_BUFFER, back = GSS_C_EMPTY_BUFFER;
	*c = GSS_C_NO_CONTEXT;
	*s = GSS_C_NO_CONTEXT;
	for (int round = 0; round < 4; round++) {
		major = gss_init_sec_context(&minor, e->ccred, c, e->target, &ntlm_oid,
		                             GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0,
		                             GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
		gss_release_buffer(&minor, &back);
		in.value = NULL;
		in.length = 0;
		if (GSS_ERROR(major))
			gss_fail("init_sec_context", major, minor);
		if (round == 0) {
			gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
			OM_uint32 tmp, q = gss_inquire_sec_context_by_oid(&minor, *c, &mic_oid, &set);
			if (GSS_ERROR(q))
				gss_fail("inquire SPNEGO_REQUIRE_MIC", q, minor);
			gss_release_buffer_set(&tmp, &set);
		}
		if (out.length && bc_describe_next && round == 1) {
			bc_report_auth(out.value, out.length);
			bc_describe_next = 0;
		}
		if (out.length) {
			amajor = gss_accept_sec_context(&minor, s, e->scred, &out, GSS_C_NO_CHANNEL_BINDINGS,
			                                NULL, NULL, &back, NULL, NULL, NULL);
			gss_release_buffer(&minor, &out);
			if (GSS_ERROR(amajor))
				gss_fail("accept_sec_context", amajor, minor);
		}
		if (major == GSS_S_COMPLETE && amajor == GSS_S_COMPLETE) {
			gss_release_buffer(&minor, &back);
			return;
		}
		in = back;
	}
	bc_die("handshake did not complete");
}

static void free_pair(gss_ctx_id_t *c, gss_ctx_id_t *s)
{
	OM_uint32 minor;
	gss_delete_sec_context(&minor, c, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, s, GSS_C_NO_BUFFER);
}

static void hs_loop(void *arg, long n)
{
	const env *e = arg;
	for (long i = 0; i < n; i++) {
		gss_ctx_id_t c, s;
		handshake(e, &c, &s);
		free_pair(&c, &s);
	}
}

/* ------------------------------------------------------------- messages */

typedef struct seal_arg {
	gss_ctx_id_t c, s;
	size_t size;
	uint8_t *ring;
	gss_buffer_desc *tok;
} seal_arg;

static void do_wrap(void *p, int k)
{
	seal_arg *a = p;
	OM_uint32 major, minor;
	for (int i = 0; i < k; i++) {
		gss_buffer_desc in = {a->size, a->ring + (size_t)i * a->size};
		int conf = 0;
		major = gss_wrap(&minor, a->c, 1, GSS_C_QOP_DEFAULT, &in, &conf, &a->tok[i]);
		if (GSS_ERROR(major) || !conf)
			gss_fail("wrap", major, minor);
	}
}

static void do_unwrap(void *p, int k)
{
	seal_arg *a = p;
	OM_uint32 major, minor;
	for (int i = 0; i < k; i++) {
		gss_buffer_desc out;
		major = gss_unwrap(&minor, a->s, &a->tok[i], &out, NULL, NULL);
		if (GSS_ERROR(major) || out.length != a->size)
			gss_fail("unwrap", major, minor);
		gss_release_buffer(&minor, &out);
		gss_release_buffer(&minor, &a->tok[i]);
	}
}

static void do_mic(void *p, int k)
{
	seal_arg *a = p;
	OM_uint32 major, minor;
	for (int i = 0; i < k; i++) {
		gss_buffer_desc in = {a->size, a->ring + (size_t)i * a->size};
		major = gss_get_mic(&minor, a->c, GSS_C_QOP_DEFAULT, &in, &a->tok[i]);
		if (GSS_ERROR(major))
			gss_fail("get_mic", major, minor);
	}
}

static void do_verify_mic(void *p, int k)
{
	seal_arg *a = p;
	OM_uint32 major, minor;
	for (int i = 0; i < k; i++) {
		gss_buffer_desc in = {a->size, a->ring + (size_t)i * a->size};
		major = gss_verify_mic(&minor, a->s, &in, &a->tok[i], NULL);
		if (GSS_ERROR(major))
			gss_fail("verify_mic", major, minor);
		gss_release_buffer(&minor, &a->tok[i]);
	}
}

static void seal_size(const bc_opts *o, void *p, size_t size, int k, uint8_t *ring)
{
	const env *e = p;
	seal_arg a;
	a.size = size;
	a.ring = ring;
	a.tok = calloc((size_t)k, sizeof(*a.tok));
	if (!a.tok)
		bc_die("out of memory");
	handshake(e, &a.c, &a.s);
	bc_report_pair("wrap", "unwrap", size, bc_pair_rate(o->secs, do_wrap, do_unwrap, &a, k));
	bc_report_pair("sign", "verify", size, bc_pair_rate(o->secs, do_mic, do_verify_mic, &a, k));
	free_pair(&a.c, &a.s);
	free(a.tok);
}

/* -------------------------------------------- the 10,000th user's logon */

#define LOOKUP_USERS 10000

/* The NT hash (MD4 of the UTF-16LE password; ours is ASCII) as 32 hex digits. */
static void nt_hash_hex(const char *password, char hex[33])
{
	uint8_t utf16[128], h[MD4_DIGEST_SIZE];
	size_t n = strlen(password);
	if (n > sizeof(utf16) / 2)
		bc_die("password too long");
	for (size_t i = 0; i < n; i++) {
		utf16[2 * i] = (uint8_t)password[i];
		utf16[2 * i + 1] = 0;
	}
	struct md4_ctx ctx;
	md4_init(&ctx);
	md4_update(&ctx, 2 * n, utf16);
	md4_digest(&ctx, sizeof(h), h);
	for (int i = 0; i < MD4_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02X", h[i]);
}

/*
 * n accounts, the benchmark's user last, in gss-ntlmssp's user file
 * (DOMAIN:USER:PASSWORD, read and scanned at every logon by both
 * mechanisms' user-file stores) or, when smbpasswd, an smbpasswd file (ours:
 * cached and indexed by name). Returns the path.
 */
static void write_accounts(char *path, size_t cap, int n, int smbpasswd)
{
	snprintf(path, cap, "%s/%s-%d", bc_scratch(), smbpasswd ? "smbpasswd" : "users", n);
	FILE *f = fopen(path, "w");
	if (!f)
		bc_die("cannot write %s", path);
	char hex[33];
	nt_hash_hex(BC_PASSWORD, hex);
	for (int i = 1; i < n; i++) {
		if (smbpasswd)
			fprintf(f,
			        "filler%05d:%d:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:%032X:[U          ]:"
			        "LCT-00000000:\n",
			        i, 2000 + i, (unsigned)i);
		else
			fprintf(f, "%s:filler%05d:Filler-Pass#%d\n", BC_DOMAIN, i, i);
	}
	if (smbpasswd)
		fprintf(f, "%s:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:%s:[U          ]:LCT-00000000:\n",
		        BC_USER, hex);
	else
		fprintf(f, "%s:%s:%s\n", BC_DOMAIN, BC_USER, BC_PASSWORD);
	if (fclose(f) != 0 || chmod(path, 0600) != 0)
		bc_die("cannot write %s", path);
}

/* Handshakes per second with the acceptor verifying from an smbpasswd file of n accounts. */
static double smbpasswd_rate(const bc_opts *o, const env *base, int n)
{
	char path[300];
	write_accounts(path, sizeof(path), n, 1);
	gss_OID_set_desc mechs = {1, &ntlm_oid};
	gss_key_value_element_desc kv = {"ntlmssp_accounts", path};
	gss_key_value_set_desc cs = {1, &kv};
	OM_uint32 major, minor;
	env e = *base;
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT,
	                              &cs, &e.scred, NULL, NULL);
	if (GSS_ERROR(major))
		gss_fail("acquire acceptor cred (smbpasswd)", major, minor);
	double rate = bc_rate(o->secs, hs_loop, &e);
	gss_release_cred(&minor, &e.scred);
	return rate;
}

/*
 * Handshakes of the last of LOOKUP_USERS users: "hs.user10k" from the user
 * file (both mechanisms: gss-ntlmssp reads NTLM_USER_FILE at each logon),
 * and for ours from an smbpasswd file of 1 and of LOOKUP_USERS accounts
 * ("hs.user1.smbpw", "hs.user10k.smbpw": the same rate is the constant-time
 * lookup).
 */
static void lookup_section(const bc_opts *o, const env *base)
{
	char userfile[300];
	write_accounts(userfile, sizeof(userfile), LOOKUP_USERS, 0);
	const char *saved = getenv("NTLM_USER_FILE");
	char *keep = saved ? strdup(saved) : NULL;
	setenv("NTLM_USER_FILE", userfile, 1);
	gss_OID_set_desc mechs = {1, &ntlm_oid};
	OM_uint32 major, minor;
	env e = *base;
	major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT,
	                         &e.scred, NULL, NULL);
	if (GSS_ERROR(major))
		gss_fail("acquire acceptor cred (10,000 users)", major, minor);
	bc_result("hs.user10k", bc_rate(o->secs, hs_loop, &e), "hs/s");
	gss_release_cred(&minor, &e.scred);
	if (keep)
		setenv("NTLM_USER_FILE", keep, 1);
	free(keep);
	if (strcmp(bc_impl, "gssours") == 0) {
		bc_result("hs.user1.smbpw", smbpasswd_rate(o, base, 1), "hs/s");
		bc_result("hs.user10k.smbpw", smbpasswd_rate(o, base, LOOKUP_USERS), "hs/s");
	}
}

/* --------------------------------------------------------------- memory */

static void hold_server(void *p, void *slot)
{
	gss_ctx_id_t c, *s = slot;
	OM_uint32 minor;
	handshake(p, &c, s);
	gss_delete_sec_context(&minor, &c, GSS_C_NO_BUFFER);
}

static void drop_ctx(void *p, void *slot)
{
	OM_uint32 minor;
	gss_delete_sec_context(&minor, slot, GSS_C_NO_BUFFER);
}

int main(int argc, char **argv)
{
	bc_opts o;
	/* The same loops for our module: bench/run names it in GSS_MECH_CONFIG and
	   sets PEER_GSS_IMPL=gssours, so both mechanisms run in one harness. */
	const char *impl = getenv("PEER_GSS_IMPL");
	bc_impl = impl && *impl ? impl : "gss";
	bc_peer_args(&o, argc, argv, "peer_gss");
	env e;
	env_init(&e);
	bc_info("version", strcmp(bc_impl, "gss") == 0 ? "gss-ntlmssp via MIT krb5 mechglue"
	                                               : "ntlmssp-gss.so via MIT krb5 mechglue");
	static const bc_peer peer = {hs_loop, seal_size, sizeof(gss_ctx_id_t), hold_server, drop_ctx};
	bc_peer_sections(&o, &peer, &e);
	if (bc_section(&o, "lookup"))
		lookup_section(&o, &e);
	OM_uint32 minor;
	gss_release_cred(&minor, &e.ccred);
	gss_release_cred(&minor, &e.scred);
	gss_release_name(&minor, &e.target);
	return 0;
}
