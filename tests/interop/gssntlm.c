/*
 * gssntlm - gss-ntlmssp (the GSSAPI NTLM mechanism, OID 1.3.6.1.4.1.311.2.2.10,
 * loaded by MIT krb5's mechglue from /etc/gss/mech.d) as an interop peer on the
 * suite's line protocol.
 *
 *   gssntlm client --user U --domain D --password P
 *       gss_acquire_cred_with_password("D\\U", GSS_C_NT_USER_NAME), then
 *       gss_init_sec_context. LM_COMPAT_LEVEL (env) picks NTLMv1 (<3) or v2.
 *   gssntlm server
 *       gss_acquire_cred(GSS_C_ACCEPT); accounts from $NTLM_USER_FILE
 *       ("DOMAIN:USER:PASSWORD"), names from NETBIOS_COMPUTER_NAME /
 *       NETBIOS_DOMAIN_NAME, LM_COMPAT_LEVEL=5 refuses NTLMv1.
 *
 * After DONE: SEAL/UNSEAL via gss_wrap/gss_unwrap (the NTLM wrap token is
 * signature(16) || sealed data), SIGN/VERIFY via gss_get_mic/gss_verify_mic.
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#include "lineproto.h"

static gss_OID_desc ntlm_oid = {10, (void *)"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"};
/* GSS_C_INQ_SSPI_SESSION_KEY 1.2.840.113554.1.2.2.5.5 */
static gss_OID_desc sesskey_oid = {11, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x05"};
/* GSS_NTLMSSP_NEG_FLAGS_OID (gssapi_ntlmssp.h) */
static gss_OID_desc negflags_oid = {11, (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x05"};

static void gss_err_str(OM_uint32 maj, OM_uint32 min, char *buf, size_t len)
{
	OM_uint32 ctx = 0, m;
	gss_buffer_desc s;
	size_t off = 0;
	buf[0] = 0;
	do {
		gss_display_status(&m, maj, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &s);
		off += (size_t)snprintf(buf + off, len - off, "%.*s; ", (int)s.length, (char *)s.value);
		gss_release_buffer(&m, &s);
	} while (ctx && off < len);
	ctx = 0;
	do {
		if (off >= len)
			break;
		gss_display_status(&m, min, GSS_C_MECH_CODE, &ntlm_oid, &ctx, &s);
		off += (size_t)snprintf(buf + off, len - off, "%.*s (minor %u)", (int)s.length,
		                        (char *)s.value, min);
		gss_release_buffer(&m, &s);
	} while (ctx && off < len);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

/*
 * gss-ntlmssp's minor codes: ERR_BASE ("NT" << 16) + the index in its
 * gss_err.c table; smaller values are errno values.
 */
static const char *const gssntlm_errs[] = {
	"Unknown Error",    "ERR_DECODE",       "ERR_ENCODE",    "ERR_CRYPTO",      "ERR_NOARG",
	"ERR_BADARG",       "ERR_NONAME",       "ERR_NOSRVNAME", "ERR_NOUSRNAME",   "ERR_BADLMLEVEL",
	"ERR_IMPOSSIBLE",   "ERR_BADCTX",       "ERR_WRONGCTX",  "ERR_WRONGMSG",    "ERR_REQNEGFLAG",
	"ERR_FAILNEGFLAGS", "ERR_BADNEGFLAGS",  "ERR_NOSRVCRED", "ERR_NOUSRCRED",   "ERR_BADCRED",
	"ERR_NOTOKEN",      "ERR_NOTSUPPORTED", "ERR_NOTAVAIL",  "ERR_NAMETOOLONG", "ERR_NOBINDINGS",
	"ERR_TIMESKEW",     "ERR_EXPIRED",      "ERR_KEYLEN",    "ERR_NONTLMV1",    "ERR_NOUSRFOUND"};
#define GSSNTLM_ERR_BASE 0x4E540000u

static const char *minor_name(unsigned long m)
{
	if (m >= GSSNTLM_ERR_BASE &&
	    m - GSSNTLM_ERR_BASE < sizeof(gssntlm_errs) / sizeof(*gssntlm_errs))
		return gssntlm_errs[m - GSSNTLM_ERR_BASE];
	return m ? strerror((int)m) : "0";
}

/*
 * MIT's mechglue hands back minor 0 when gss-ntlmssp's acceptor fails; the
 * mechanism's own reason is in its debug log ($GSSNTLMSSP_DEBUG): quote its
 * last ERROR line, "[major:minor]" decoded.
 */
static void debug_reason(char *buf, size_t len)
{
	const char *path = getenv("GSSNTLMSSP_DEBUG");
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[512], last[512] = "";
	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "ERROR:"))
			snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	char *p = strstr(last, "ERROR:"), *br = strrchr(last, '[');
	unsigned long maj = 0, min = 0;
	if (!p)
		return;
	last[strcspn(last, "\n")] = 0;
	if (br && sscanf(br, "[%lu:%lu]", &maj, &min) == 2)
		snprintf(buf, len, " [debug log: %s = %s]", p, minor_name(min));
	else
		snprintf(buf, len, " [debug log: %s]", p);
}

static void fail(const char *what, OM_uint32 maj, OM_uint32 min)
{
	char buf[512], dbg[700];
	gss_err_str(maj, min, buf, sizeof(buf));
	debug_reason(dbg, sizeof(dbg));
	printf("FAIL %s: %s%s\n", what, buf, dbg);
	fflush(stdout);
}

static int op_seal(void *c, const uint8_t *in, size_t n, uint8_t **data, size_t *dn,
                   uint8_t sig[16], char *err, size_t errlen)
{
	OM_uint32 maj, min;
	int conf = 0;
	gss_buffer_desc i = {n, (void *)in}, o = {0, NULL};
	maj = gss_wrap(&min, *(gss_ctx_id_t *)c, 1, GSS_C_QOP_DEFAULT, &i, &conf, &o);
	if (GSS_ERROR(maj) || o.length < 16 || !conf) {
		gss_err_str(maj, min, err, errlen);
		return -1;
	}
	memcpy(sig, o.value, 16);
	*dn = o.length - 16;
	*data = malloc(*dn + 1);
	memcpy(*data, (uint8_t *)o.value + 16, *dn);
	gss_release_buffer(&min, &o);
	return 0;
}

static int op_unseal(void *c, const uint8_t *d, size_t dn, const uint8_t sig[16], uint8_t **plain,
                     size_t *pn, char *err, size_t errlen)
{
	OM_uint32 maj, min;
	int conf = 0;
	uint8_t *tok = malloc(dn + 16);
	memcpy(tok, sig, 16);
	memcpy(tok + 16, d, dn);
	gss_buffer_desc i = {dn + 16, tok}, o = {0, NULL};
	maj = gss_unwrap(&min, *(gss_ctx_id_t *)c, &i, &o, &conf, NULL);
	free(tok);
	if (GSS_ERROR(maj)) {
		gss_err_str(maj, min, err, errlen);
		return -1;
	}
	*pn = o.length;
	*plain = malloc(o.length + 1);
	memcpy(*plain, o.value, o.length);
	gss_release_buffer(&min, &o);
	return 0;
}

static int op_sign(void *c, const uint8_t *m, size_t n, uint8_t sig[16], char *err, size_t errlen)
{
	OM_uint32 maj, min;
	gss_buffer_desc i = {n, (void *)m}, o = {0, NULL};
	maj = gss_get_mic(&min, *(gss_ctx_id_t *)c, GSS_C_QOP_DEFAULT, &i, &o);
	if (GSS_ERROR(maj) || o.length != 16) {
		gss_err_str(maj, min, err, errlen);
		return -1;
	}
	memcpy(sig, o.value, 16);
	gss_release_buffer(&min, &o);
	return 0;
}

static int op_verify(void *c, const uint8_t *m, size_t n, const uint8_t sig[16], char *err,
                     size_t errlen)
{
	OM_uint32 maj, min;
	gss_buffer_desc i = {n, (void *)m}, s = {16, (void *)sig};
	maj = gss_verify_mic(&min, *(gss_ctx_id_t *)c, &i, &s, NULL);
	if (GSS_ERROR(maj)) {
		gss_err_str(maj, min, err, errlen);
		return -1;
	}
	return 0;
}

/* NegotiateFlags of the AUTHENTICATE message (the agreed flags); lp_auth_flags
 * is 0 for the other messages. */
static uint32_t auth_flags;

static void report_done(gss_ctx_id_t ctx, int server)
{
	OM_uint32 min;
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	uint32_t flags = 0;
	printf("DONE ");
	if (server) {
		gss_name_t src = GSS_C_NO_NAME;
		gss_buffer_desc nm = {0, NULL};
		if (!GSS_ERROR(gss_inquire_context(&min, ctx, &src, NULL, NULL, NULL, NULL, NULL, NULL)) &&
		    !GSS_ERROR(gss_display_name(&min, src, &nm, NULL)))
			printf("user=%.*s ", (int)nm.length, (char *)nm.value);
		else
			printf("user=- ");
		gss_release_buffer(&min, &nm);
		gss_release_name(&min, &src);
	}
	if (!GSS_ERROR(gss_inquire_sec_context_by_oid(&min, ctx, &negflags_oid, &set)) && set &&
	    set->count && set->elements[0].length == 4)
		memcpy(&flags, set->elements[0].value, 4);
	gss_release_buffer_set(&min, &set);
	if (!flags)
		flags = auth_flags;
	printf("flags=0x%08x sessionkey=", flags);
	if (!GSS_ERROR(gss_inquire_sec_context_by_oid(&min, ctx, &sesskey_oid, &set)) && set &&
	    set->count && set->elements[0].length)
		lp_put_hex(set->elements[0].value, set->elements[0].length);
	else
		printf("-");
	gss_release_buffer_set(&min, &set);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *user = "", *domain = "", *password = "";
	const lp_opt opts[] = {
		{"user", &user, NULL}, {"domain", &domain, NULL}, {"password", &password, NULL}};
	int server = lp_args(argc, argv, opts, sizeof(opts) / sizeof(*opts));
	if (server < 0)
		return 2;
	OM_uint32 maj, min;
	gss_OID_set_desc mechs = {1, &ntlm_oid};
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc in = {0, NULL}, out = {0, NULL};
	uint8_t *tok = NULL;
	size_t tn = 0;
	OM_uint32 req = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG;

	if (!server) {
		char principal[512];
		gss_name_t name = GSS_C_NO_NAME, target = GSS_C_NO_NAME;
		snprintf(principal, sizeof(principal), "%s\\%s", domain, user);
		gss_buffer_desc nb = {strlen(principal), principal},
						pw = {strlen(password), (void *)password};
		gss_buffer_desc tb = {strlen("host@interop"), (void *)"host@interop"};
		maj = gss_import_name(&min, &nb, GSS_C_NT_USER_NAME, &name);
		if (GSS_ERROR(maj))
			return fail("gss_import_name", maj, min), 1;
		maj = gss_acquire_cred_with_password(&min, name, &pw, GSS_C_INDEFINITE, &mechs,
		                                     GSS_C_INITIATE, &cred, NULL, NULL);
		if (GSS_ERROR(maj))
			return fail("gss_acquire_cred_with_password", maj, min), 1;
		gss_import_name(&min, &tb, GSS_C_NT_HOSTBASED_SERVICE, &target);
		for (;;) {
			maj = gss_init_sec_context(&min, cred, &ctx, target, &ntlm_oid, req, 0,
			                           GSS_C_NO_CHANNEL_BINDINGS, &in, NULL, &out, NULL, NULL);
			free(tok);
			tok = NULL;
			if (out.length) {
				auth_flags |= lp_auth_flags(out.value, out.length);
				lp_token(out.value, out.length);
			}
			gss_release_buffer(&min, &out);
			if (GSS_ERROR(maj))
				return fail("gss_init_sec_context", maj, min), 1;
			if (!(maj & GSS_S_CONTINUE_NEEDED))
				break;
			if (!(tok = lp_read_token(&tn)))
				return 1;
			in.value = tok;
			in.length = tn;
		}
		gss_release_name(&min, &name);
		gss_release_name(&min, &target);
	} else {
		maj = gss_acquire_cred(&min, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &cred,
		                       NULL, NULL);
		if (GSS_ERROR(maj))
			return fail("gss_acquire_cred", maj, min), 1;
		for (;;) {
			if (!(tok = lp_read_token(&tn)))
				return 1;
			in.value = tok;
			in.length = tn;
			auth_flags |= lp_auth_flags(tok, tn);
			maj = gss_accept_sec_context(&min, &ctx, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, NULL,
			                             NULL, &out, NULL, NULL, NULL);
			free(tok);
			tok = NULL;
			if (out.length)
				lp_token(out.value, out.length);
			gss_release_buffer(&min, &out);
			if (GSS_ERROR(maj))
				return fail("gss_accept_sec_context", maj, min), 0;
			if (!(maj & GSS_S_CONTINUE_NEEDED))
				break;
		}
	}
	report_done(ctx, server);
	lp_ops ops = {&ctx, op_seal, op_unseal, op_sign, op_verify};
	lp_session(&ops);
	gss_delete_sec_context(&min, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&min, &cred);
	return 0;
}
