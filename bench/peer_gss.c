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
	OM_uint32 minor;
	gss_release_cred(&minor, &e.ccred);
	gss_release_cred(&minor, &e.scred);
	gss_release_name(&minor, &e.target);
	return 0;
}
