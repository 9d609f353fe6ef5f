/*
 * test_gss.c - the GSSAPI module's code called directly (no mechglue):
 * IOV sealing against the library's own ntlm_protect_iov, the heap an
 * established context keeps, hostile tokens at every entry point that
 * takes one, and the export/import round trip.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gss_ntlm.h"
#include "t.h"

static char dir[] = "/tmp/ntlm-gss-test.XXXXXX";
static char users[300];

/* The entry points the glue would call (the module's own exported names). */
static gss_cred_id_t client_cred(void)
{
	OM_uint32 minor;
	gss_name_t name;
	gss_buffer_desc n = {9, (void *)"DOM\\alice"}, pw = {9, (void *)"Passw0rd!"};
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	T_SETUP(gss_import_name(&minor, &n, (gss_OID)&gn_nt_user, &name) != GSS_S_COMPLETE);
	T_SETUP(gssspi_acquire_cred_with_password(&minor, name, &pw, 0, GSS_C_NO_OID_SET,
	                                          GSS_C_INITIATE, &cred, NULL, NULL) != GSS_S_COMPLETE);
	T_SETUP(gss_release_name(&minor, &name) != GSS_S_COMPLETE);
	return cred;
}

static gss_cred_id_t server_cred(void)
{
	OM_uint32 minor;
	gss_key_value_element_desc kv = {"ntlmssp_keyfile", users};
	gss_key_value_set_desc cs = {1, &kv};
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	T_SETUP(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &cs,
	                              &cred, NULL, NULL) != GSS_S_COMPLETE);
	return cred;
}

/* A full handshake; 0 when both ends are established. */
static int handshake(gss_cred_id_t cc, gss_cred_id_t sc, gss_ctx_id_t *c, gss_ctx_id_t *s)
{
	OM_uint32 minor, major;
	gss_buffer_desc a = {0, NULL}, b = {0, NULL};
	*c = *s = GSS_C_NO_CONTEXT;
	major = gss_init_sec_context(&minor, cc, c, GSS_C_NO_NAME, NULL, GSS_C_CONF_FLAG, 0, NULL,
	                             GSS_C_NO_BUFFER, NULL, &a, NULL, NULL);
	if (major != GSS_S_CONTINUE_NEEDED)
		return -1;
	major = gss_accept_sec_context(&minor, s, sc, &a, NULL, NULL, NULL, &b, NULL, NULL, NULL);
	free(a.value);
	if (major != GSS_S_CONTINUE_NEEDED)
		return -1;
	major = gss_init_sec_context(&minor, cc, c, GSS_C_NO_NAME, NULL, GSS_C_CONF_FLAG, 0, NULL, &b,
	                             NULL, &a, NULL, NULL);
	free(b.value);
	if (major != GSS_S_COMPLETE)
		return -1;
	major = gss_accept_sec_context(&minor, s, sc, &a, NULL, NULL, NULL, &b, NULL, NULL, NULL);
	free(a.value);
	free(b.value);
	return major == GSS_S_COMPLETE ? 0 : -1;
}

static void free_ctx(gss_ctx_id_t *c)
{
	OM_uint32 minor;
	if (gss_delete_sec_context(&minor, c, GSS_C_NO_BUFFER) != GSS_S_COMPLETE)
		abort();
}

/* gss_wrap_iov gives the bytes the library's ntlm_protect_iov gives on the same state. */
static void iov_matches_native(void)
{
	gss_cred_id_t cc = client_cred(), sc = server_cred();
	gss_ctx_id_t c, s;
	OM_uint32 minor;
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	ntlm_buffer state;
	ntlm_ctx *native;
	T_OK(ntlm_ctx_export(((gn_ctx *)c)->ntlm, &state));
	T_OK(ntlm_ctx_import(&native, state.data, state.len));
	ntlm_buffer_free(&state);

	uint8_t hdr[12] = "RPC header", stub[40] = "the stub of a call", hdr2[12], stub2[40];
	uint8_t sig[16], sig2[16];
	memcpy(hdr2, hdr, sizeof(hdr));
	memcpy(stub2, stub, sizeof(stub));
	gss_iov_buffer_desc iov[3] = {{GSS_IOV_BUFFER_TYPE_HEADER, {16, sig}},
	                              {GSS_IOV_BUFFER_TYPE_SIGN_ONLY, {sizeof(hdr), hdr}},
	                              {GSS_IOV_BUFFER_TYPE_DATA, {sizeof(stub), stub}}};
	int conf = 0;
	T_ASSERT(gss_wrap_iov(&minor, c, 1, GSS_C_QOP_DEFAULT, &conf, iov, 3) == GSS_S_COMPLETE);
	T_ASSERT(conf == 1);
	ntlm_iov seg[3] = {{NTLM_IOV_TOKEN, sig2, 16},
	                   {NTLM_IOV_SIGN_ONLY, hdr2, sizeof(hdr2)},
	                   {NTLM_IOV_DATA, stub2, sizeof(stub2)}};
	T_OK(ntlm_protect_iov(native, NTLM_PROTECT_SEAL, 0, seg, 3));
	T_BYTES(sig, sig2, 16);
	T_BYTES(stub, stub2, sizeof(stub));
	T_ASSERT(memcmp(stub, "the stub", 8) != 0);
	/* and the acceptor opens it with gss_unwrap_iov */
	T_ASSERT(gss_unwrap_iov(&minor, s, &conf, NULL, iov, 3) == GSS_S_COMPLETE);
	T_ASSERT(memcmp(stub, "the stub of a call", 18) == 0);
	ntlm_ctx_free(native);
	free_ctx(&c);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
}

/*
 * The heap an established context keeps: at most 1 KiB each side, session
 * security in use. Measured as what freeing the contexts returns, so the
 * store's shared replay cache (one entry per logon, bounded) is not counted.
 */
static void context_heap(void)
{
	enum { N = 32 };
	gss_cred_id_t cc = client_cred(), sc = server_cred();
	gss_ctx_id_t c[N], s[N];
	OM_uint32 minor;
	gss_buffer_desc m = {4, (void *)"ping"}, tok;
	for (int i = 0; i < N; i++)
		T_ASSERT(handshake(cc, sc, &c[i], &s[i]) == 0);
	size_t idle = mallinfo2().uordblks;
	for (int i = 0; i < N; i++) { /* the session keys derived, as contexts in use have them */
		T_ASSERT(gss_get_mic(&minor, c[i], GSS_C_QOP_DEFAULT, &m, &tok) == GSS_S_COMPLETE);
		T_ASSERT(gss_verify_mic(&minor, s[i], &m, &tok, NULL) == GSS_S_COMPLETE);
		free(tok.value);
	}
	size_t used = mallinfo2().uordblks;
	for (int i = 0; i < N; i++)
		free_ctx(&s[i]);
	size_t server = (used - mallinfo2().uordblks) / N;
	size_t keys = (used - idle) / (2 * N);
	for (int i = 0; i < N; i++)
		free_ctx(&c[i]);
	printf("    heap per established context: acceptor %zu bytes, of which session keys %zu\n",
	       server, keys);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	T_ASSERT(server <= 1024);
}

/* Every prefix of a valid token, and every one-byte change, fails cleanly or works. */
static void hostile_tokens(void)
{
	gss_cred_id_t cc = client_cred(), sc = server_cred();
	gss_ctx_id_t c, s;
	OM_uint32 minor, major;
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	gss_buffer_desc exp;
	T_ASSERT(gss_export_sec_context(&minor, &s, &exp) == GSS_S_COMPLETE);
	T_ASSERT(s == GSS_C_NO_CONTEXT); /* the context moved into the token */
	size_t prefixes = 0;
	for (size_t n = 0; n < exp.length; n++) {
		gss_buffer_desc part = {n, exp.value};
		gss_ctx_id_t x = GSS_C_NO_CONTEXT;
		if (gss_import_sec_context(&minor, &part, &x) == GSS_S_COMPLETE) {
			prefixes++;
			free_ctx(&x);
		}
	}
	T_ASSERT(prefixes == 0); /* no prefix of a token imports */
	uint8_t *copy = malloc(exp.length);
	T_ASSERT(copy);
	for (size_t i = 0; i < exp.length; i++) {
		memcpy(copy, exp.value, exp.length);
		copy[i] ^= 0x5a;
		gss_buffer_desc t = {exp.length, copy};
		gss_ctx_id_t x = GSS_C_NO_CONTEXT;
		if (gss_import_sec_context(&minor, &t, &x) == GSS_S_COMPLETE)
			free_ctx(&x);
	}
	free(copy);
	T_ASSERT(gss_import_sec_context(&minor, &exp, &s) == GSS_S_COMPLETE);
	free(exp.value);
	/* the imported acceptor still talks to the initiator */
	gss_buffer_desc m = {5, (void *)"hello"}, w, back;
	T_ASSERT(gss_wrap(&minor, c, 1, GSS_C_QOP_DEFAULT, &m, NULL, &w) == GSS_S_COMPLETE);
	T_ASSERT(gss_unwrap(&minor, s, &w, &back, NULL, NULL) == GSS_S_COMPLETE);
	T_ASSERT(back.length == 5 && memcmp(back.value, "hello", 5) == 0);
	free(w.value);
	free(back.value);
	/* garbage to a new acceptor: a defective token, the reason in the minor status */
	gss_buffer_desc junk = {12, (void *)"NTLMSSP\0\x09\0\0\0"}, out;
	gss_ctx_id_t x = GSS_C_NO_CONTEXT;
	major = gss_accept_sec_context(&minor, &x, sc, &junk, NULL, NULL, NULL, &out, NULL, NULL, NULL);
	T_ASSERT(major == GSS_S_DEFECTIVE_TOKEN && x == GSS_C_NO_CONTEXT);
	gss_buffer_desc text;
	OM_uint32 mctx = 0;
	T_ASSERT(gss_display_status(&major, minor, GSS_C_MECH_CODE, NULL, &mctx, &text) ==
	         GSS_S_COMPLETE);
	T_ASSERT(strstr(text.value, "ntlmssp: ") == text.value);
	free(text.value);
	free_ctx(&c);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
}

/* An exported RC4 state must be a permutation: a corrupted one imports as nothing. */
static void corrupt_rc4_state(void)
{
	gss_cred_id_t cc = client_cred(), sc = server_cred();
	gss_ctx_id_t c, s;
	OM_uint32 minor;
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	gss_buffer_desc m = {2, (void *)"hi"}, w, back, exp;
	T_ASSERT(gss_wrap(&minor, c, 1, GSS_C_QOP_DEFAULT, &m, NULL, &w) == GSS_S_COMPLETE);
	T_ASSERT(gss_unwrap(&minor, s, &w, &back, NULL, NULL) == GSS_S_COMPLETE);
	free(back.value);
	T_ASSERT(gss_export_sec_context(&minor, &s, &exp) == GSS_S_COMPLETE);
	/* the token ends with the receiving stream's S-box (256 bytes), then i and j */
	uint8_t *t = exp.value;
	uint8_t saved = t[exp.length - 3];
	t[exp.length - 3] = t[exp.length - 4]; /* two equal entries: no permutation */
	T_ASSERT(gss_import_sec_context(&minor, &exp, &s) == GSS_S_DEFECTIVE_TOKEN);
	T_ASSERT(s == GSS_C_NO_CONTEXT);
	t[exp.length - 3] = saved;
	T_ASSERT(gss_import_sec_context(&minor, &exp, &s) == GSS_S_COMPLETE);
	free(exp.value);
	free(w.value);
	T_ASSERT(gss_wrap(&minor, c, 1, GSS_C_QOP_DEFAULT, &m, NULL, &w) == GSS_S_COMPLETE);
	T_ASSERT(gss_unwrap(&minor, s, &w, &back, NULL, NULL) == GSS_S_COMPLETE);
	free(back.value);
	free(w.value);
	free_ctx(&c);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
}

/* gss-ntlmssp's user file may hold smbpasswd lines: verified with their hash; [D] refused. */
static void userfile_smbpasswd_lines(void)
{
	uint8_t nt[16];
	char hex[33], path[320], line[200];
	T_OK(ntlm_nt_hash("B0bsecret", nt));
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", nt[i]);
	snprintf(path, sizeof(path), "%s/mixed", dir);
	FILE *f = fopen(path, "w");
	T_ASSERT(f);
	fputs("DOM:alice:Passw0rd!\n", f);
	snprintf(line, sizeof(line),
	         "bob:1001:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:%s:[U          ]:LCT-00000000:\n", hex);
	fputs(line, f);
	snprintf(line, sizeof(line),
	         "carol:1002:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:%s:[DU         ]:LCT-00000000:\n", hex);
	fputs(line, f);
	fclose(f);
	OM_uint32 minor;
	gss_key_value_element_desc kv = {"ntlmssp_keyfile", path};
	gss_key_value_set_desc cs = {1, &kv};
	gss_cred_id_t sc;
	T_ASSERT(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &cs,
	                               &sc, NULL, NULL) == GSS_S_COMPLETE);
	const char *who[] = {"DOM\\bob", "DOM\\carol"};
	for (int i = 0; i < 2; i++) {
		gss_name_t name;
		gss_buffer_desc n = {strlen(who[i]), (void *)who[i]}, pw = {9, (void *)"B0bsecret"};
		gss_cred_id_t cc;
		gss_ctx_id_t c, s;
		T_ASSERT(gss_import_name(&minor, &n, (gss_OID)&gn_nt_user, &name) == GSS_S_COMPLETE);
		T_ASSERT(gssspi_acquire_cred_with_password(&minor, name, &pw, 0, GSS_C_NO_OID_SET,
		                                           GSS_C_INITIATE, &cc, NULL,
		                                           NULL) == GSS_S_COMPLETE);
		int rc = handshake(cc, sc, &c, &s);
		T_ASSERT(rc == (i == 0 ? 0 : -1));
		if (c)
			free_ctx(&c);
		if (s)
			free_ctx(&s);
		T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
		T_ASSERT(gss_release_name(&minor, &name) == GSS_S_COMPLETE);
	}
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	unlink(path);
}

/* curl's and impacket's NEGOTIATE: 32 bytes, no VERSION field. */
static void short_negotiate(void)
{
	static const uint8_t neg[32] = {'N', 'T', 'L', 'M', 'S',  'S',  'P',  0,
	                                1,   0,   0,   0,   0x37, 0x82, 0x08, 0xe0};
	gss_cred_id_t sc = server_cred();
	gss_ctx_id_t s = GSS_C_NO_CONTEXT;
	OM_uint32 minor;
	gss_buffer_desc in = {sizeof(neg), (void *)neg}, out;
	T_ASSERT(gss_accept_sec_context(&minor, &s, sc, &in, NULL, NULL, NULL, &out, NULL, NULL,
	                                NULL) == GSS_S_CONTINUE_NEEDED);
	T_ASSERT(out.length > 48 && memcmp(out.value, "NTLMSSP\0\2", 9) == 0);
	free(out.value);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
}

/* Names: the Windows forms, a service, and their exported form imported back. */
static void names(void)
{
	OM_uint32 minor, type_minor;
	gss_name_t n, back;
	gss_buffer_desc in = {14, (void *)"HTTP@srv.local"}, out, shown;
	gss_OID type;
	int equal = 0;
	T_ASSERT(gss_import_name(&minor, &in, (gss_OID)&gn_nt_hostbased, &n) == GSS_S_COMPLETE);
	T_ASSERT(gss_export_name(&minor, n, &out) == GSS_S_COMPLETE);
	T_ASSERT(gss_import_name(&minor, &out, (gss_OID)&gn_nt_export, &back) == GSS_S_COMPLETE);
	T_ASSERT(gss_compare_name(&minor, n, back, &equal) == GSS_S_COMPLETE && equal);
	T_ASSERT(gss_display_name(&minor, back, &shown, &type) == GSS_S_COMPLETE);
	T_ASSERT(shown.length == 14 && memcmp(shown.value, "HTTP@srv.local", 14) == 0);
	T_ASSERT(gn_oid_equal(type, &gn_nt_hostbased));
	free(type->elements);
	free(type);
	free(shown.value);
	free(out.value);
	T_ASSERT(gss_release_name(&type_minor, &n) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_name(&type_minor, &back) == GSS_S_COMPLETE);
	gss_buffer_desc u1 = {9, (void *)"dom\\ALICE"}, u2 = {5, (void *)"alice"};
	gss_name_t a, b;
	T_ASSERT(gss_import_name(&minor, &u1, (gss_OID)&gn_nt_user, &a) == GSS_S_COMPLETE);
	T_ASSERT(gss_import_name(&minor, &u2, GSS_C_NO_OID, &b) == GSS_S_COMPLETE);
	T_ASSERT(gss_compare_name(&minor, a, b, &equal) == GSS_S_COMPLETE && equal);
	T_ASSERT(gss_release_name(&minor, &a) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_name(&minor, &b) == GSS_S_COMPLETE);
	gss_buffer_desc bad = {4, (void *)"\x04\x01\x00\x09"};
	T_ASSERT(gss_import_name(&minor, &bad, (gss_OID)&gn_nt_export, &a) == GSS_S_BAD_NAME);
}

/* One value of attribute attr (more: in and out, as RFC 6680); the major status. */
static OM_uint32 attr_get(gss_name_t n, const char *attr, int *more, char *out, size_t cap)
{
	OM_uint32 minor;
	gss_buffer_desc a = {strlen(attr), (void *)attr}, v = {0, NULL}, d = {0, NULL};
	int authenticated = 0, complete = 0;
	OM_uint32 major = gss_get_name_attribute(&minor, n, &a, &authenticated, &complete, &v, &d,
	                                         more);
	if (major == GSS_S_COMPLETE) {
		snprintf(out, cap, "%.*s", (int)v.length, (char *)v.value);
		if (!authenticated || !complete || v.length != d.length ||
		    memcmp(v.value, d.value, v.length) != 0)
			major = GSS_S_FAILURE;
	}
	free(v.value);
	free(d.value);
	return major;
}

/*
 * A domain logon's SIDs as name attributes: the account's, each group in
 * turn (RFC 6680's more), gss-ntlmssp's comma-separated list; a name that
 * was not authenticated has none, and the iteration never reads past the
 * last group.
 */
static void sid_attributes(void)
{
	OM_uint32 minor;
	gn_name *n;
	char v[200];
	int more;
	T_OK(gn_name_user(&n, "NTLMDOM\\alice"));
	free(n->sid);
	free(n->groups);
	n->sid = strdup("S-1-5-21-1-2-3-1105");
	n->groups = strdup("S-1-5-21-1-2-3-513 S-1-5-21-1-2-3-1110");
	T_SETUP(!n->sid || !n->groups);
	gss_name_t name = (gss_name_t)n;
	more = -1;
	T_ASSERT(attr_get(name, "urn:ntlmssp:sid", &more, v, sizeof(v)) == GSS_S_UNAVAILABLE);
	n->authenticated = 1;
	gss_name_t copy;
	T_ASSERT(gss_duplicate_name(&minor, name, &copy) == GSS_S_COMPLETE);
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	T_ASSERT(gss_inquire_name(&minor, copy, NULL, NULL, &set) == GSS_S_COMPLETE);
	T_ASSERT(set && set->count == 4); /* domain, sid, group-sid, gssntlmssp:sids */
	for (size_t i = 0; set && i < set->count; i++)
		free(set->elements[i].value);
	if (set)
		free(set->elements);
	free(set);
	more = -1;
	T_ASSERT(attr_get(copy, "urn:ntlmssp:sid", &more, v, sizeof(v)) == GSS_S_COMPLETE);
	T_ASSERT(strcmp(v, "S-1-5-21-1-2-3-1105") == 0 && more == 0);
	more = -1;
	T_ASSERT(attr_get(copy, "urn:ntlmssp:group-sid", &more, v, sizeof(v)) == GSS_S_COMPLETE);
	T_ASSERT(strcmp(v, "S-1-5-21-1-2-3-513") == 0 && more == 1);
	T_ASSERT(attr_get(copy, "urn:ntlmssp:group-sid", &more, v, sizeof(v)) == GSS_S_COMPLETE);
	T_ASSERT(strcmp(v, "S-1-5-21-1-2-3-1110") == 0 && more == 0);
	more = 2;
	T_ASSERT(attr_get(copy, "urn:ntlmssp:group-sid", &more, v, sizeof(v)) == GSS_S_UNAVAILABLE);
	more = -2;
	T_ASSERT(attr_get(copy, "urn:ntlmssp:group-sid", &more, v, sizeof(v)) == GSS_S_UNAVAILABLE);
	more = -1;
	T_ASSERT(attr_get(copy, "urn:gssntlmssp:sids", &more, v, sizeof(v)) == GSS_S_COMPLETE);
	T_ASSERT(strcmp(v, "S-1-5-21-1-2-3-1105,S-1-5-21-1-2-3-513,S-1-5-21-1-2-3-1110") == 0);
	T_ASSERT(attr_get(copy, "urn:ntlmssp:sidx", NULL, v, sizeof(v)) == GSS_S_UNAVAILABLE);
	/* an exported name carries no attributes: imported back, it has none */
	gss_buffer_desc out;
	gss_name_t back;
	T_ASSERT(gss_export_name(&minor, copy, &out) == GSS_S_COMPLETE);
	T_ASSERT(gss_import_name(&minor, &out, (gss_OID)&gn_nt_export, &back) == GSS_S_COMPLETE);
	free(out.value);
	T_ASSERT(attr_get(back, "urn:ntlmssp:sid", NULL, v, sizeof(v)) == GSS_S_UNAVAILABLE);
	T_ASSERT(gss_release_name(&minor, &back) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_name(&minor, &copy) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_name(&minor, &name) == GSS_S_COMPLETE);
}

/* An acceptor credential from cs (n pairs); the major status, *minor its reason. */
static OM_uint32 acceptor_from(const char *const *kv, size_t n, OM_uint32 *minor,
                               gss_cred_id_t *out)
{
	gss_key_value_element_desc e[4];
	for (size_t i = 0; i < n && i < 4; i++) {
		e[i].key = kv[2 * i];
		e[i].value = kv[2 * i + 1];
	}
	gss_key_value_set_desc cs = {(OM_uint32)n, e};
	*out = GSS_C_NO_CREDENTIAL;
	return gss_acquire_cred_from(minor, GSS_C_NO_NAME, 0, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &cs, out,
	                             NULL, NULL);
}

/*
 * The domain member's keys: ntlmssp_winbind and a local fallback make the
 * chained store; settings that would do nothing or something else are
 * refused; an exported credential comes back as the same chain.
 */
static void chain_options(void)
{
	static const char *const refused[][6] = {
		{"ntlmssp_accounts", "/x", "ntlmssp_fallback_accounts", "/y"},
		{"ntlmssp_keyfile", "/x", "ntlmssp_fallback_keyfile", "/y"},
		{"ntlmssp_winbind", "*", "ntlmssp_accounts", "/x"},
		{"ntlmssp_fallback_unreachable", "yes"},
		{"ntlmssp_fallback_accounts", "/y", "ntlmssp_fallback_unreachable", "maybe"},
		{"ntlmssp_fallback_accounts", ""},
	};
	static const size_t pairs[] = {2, 2, 2, 1, 2, 1};
	OM_uint32 minor;
	gss_cred_id_t sc;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		T_ASSERT(acceptor_from(refused[i], pairs[i], &minor, &sc) == GSS_S_NO_CRED);
		T_ASSERT(minor == NTLM_E_INVALID_PARAMETER || minor == NTLM_E_UNSUPPORTED);
	}
	static const char *const chain[] = {"ntlmssp_winbind",
	                                    "NTLMDOM",
	                                    "ntlmssp_fallback_keyfile",
	                                    users,
	                                    "ntlmssp_fallback_unreachable",
	                                    "Yes"};
	OM_uint32 major = acceptor_from(chain, 3, &minor, &sc);
	if (major == GSS_S_NO_CRED && minor == NTLM_E_UNSUPPORTED) {
		printf("     (built without libwbclient: no domain store)\n");
		return;
	}
	T_ASSERT(major == GSS_S_COMPLETE);
	gss_buffer_desc tok;
	gss_cred_id_t back;
	T_ASSERT(gss_export_cred(&minor, sc, &tok) == GSS_S_COMPLETE);
	T_ASSERT(gss_import_cred(&minor, &tok, &back) == GSS_S_COMPLETE);
	free(tok.value);
	const gn_cred *c = (const gn_cred *)back;
	T_ASSERT(c->store_kind == GN_STORE_WINBIND && c->local_kind == GN_STORE_USERFILE);
	T_ASSERT(c->fallback_unreachable == 1 && c->links[0] && c->links[1] && c->store);
	T_ASSERT(c->winbind_domain && strcmp(c->winbind_domain, "NTLMDOM") == 0);
	T_ASSERT(c->local_path && strcmp(c->local_path, users) == 0);
	T_ASSERT(gss_release_cred(&minor, &back) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	/* an imported token whose account file "falls back": refused, not a silent file store */
	static const char *const file[] = {"ntlmssp_accounts", users};
	T_ASSERT(acceptor_from(file, 1, &minor, &sc) == GSS_S_COMPLETE);
	T_ASSERT(gss_export_cred(&minor, sc, &tok) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	uint8_t forged[1024];
	T_SETUP(tok.length < 10 || tok.length + 2 > sizeof(forged));
	memcpy(forged, tok.value, tok.length - 2); /* all but the empty local path */
	free(tok.value);
	forged[8] = GN_STORE_SMBPASSWD; /* the local fallback's kind */
	memcpy(forged + tok.length - 2, "\x02\x00/y", 4);
	gss_buffer_desc ftok = {tok.length + 2, forged};
	T_ASSERT(gss_import_cred(&minor, &ftok, &back) == GSS_S_DEFECTIVE_TOKEN);
	T_ASSERT(minor == NTLM_E_INVALID_PARAMETER);
	/* the environment's fallback applies to a domain store the keys chose */
	static const char *const wb[] = {"ntlmssp_winbind", "*"};
	setenv("NTLM_FALLBACK_ACCOUNT_FILE", users, 1);
	T_ASSERT(acceptor_from(wb, 1, &minor, &sc) == GSS_S_COMPLETE);
	c = (const gn_cred *)sc;
	T_ASSERT(c->local_kind == GN_STORE_SMBPASSWD && !c->fallback_unreachable && !c->winbind_domain);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	setenv("NTLM_FALLBACK_WHEN_UNREACHABLE", "perhaps", 1);
	T_ASSERT(acceptor_from(wb, 1, &minor, &sc) == GSS_S_NO_CRED);
	unsetenv("NTLM_FALLBACK_WHEN_UNREACHABLE");
	unsetenv("NTLM_FALLBACK_ACCOUNT_FILE");
}

/* gss-ntlmssp's set-sequence-number option, 1.3.6.1.4.1.7165.655.1.1 */
static const gss_OID_desc set_seq_oid = {11,
                                         (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x01"};

static OM_uint32 set_seq(gss_ctx_id_t *c, uint32_t seq, size_t len)
{
	OM_uint32 minor;
	gss_buffer_desc v = {len, &seq};
	return gss_set_sec_context_option(&minor, c, (gss_OID)&set_seq_oid, &v);
}

/* A MIC of "hello" from the GSS context, verified by the native server at seq. */
static ntlm_err mic_at(gss_ctx_id_t c, ntlm_ctx *srv, uint32_t seq)
{
	OM_uint32 minor;
	gss_buffer_desc msg = {5, (void *)"hello"}, mic = {0, NULL};
	if (gss_get_mic(&minor, c, GSS_C_QOP_DEFAULT, &msg, &mic) != GSS_S_COMPLETE || mic.length != 16)
		return NTLM_E_INTERNAL;
	uint8_t sig[16], data[5] = {'h', 'e', 'l', 'l', 'o'};
	memcpy(sig, mic.value, 16);
	free(mic.value);
	ntlm_iov iov[2] = {{NTLM_IOV_SIGN_ONLY, data, 5}, {NTLM_IOV_TOKEN, sig, 16}};
	return ntlm_unprotect_iov(srv, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, seq, iov, 2);
}

/*
 * Connectionless mode (GSS_C_DATAGRAM_FLAG): no NEGOTIATE, the CHALLENGE
 * comes from a datagram server (the library's: the glue cannot route an
 * empty first token to an acceptor); the caller numbers each message with
 * SET_SEQ_NUM, in any order. A connection-oriented context keeps its own
 * counter and refuses the option.
 */
static void datagram_seq_num(void)
{
	OM_uint32 minor, flags = 0;
	gss_cred_id_t cc = client_cred();
	gss_ctx_id_t c = GSS_C_NO_CONTEXT;
	gss_buffer_desc out = {0, NULL};
	const OM_uint32 req = GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG | GN_DATAGRAM_FLAG;
	T_ASSERT(gss_init_sec_context(&minor, cc, &c, GSS_C_NO_NAME, NULL, req, 0, NULL,
	                              GSS_C_NO_BUFFER, NULL, &out, NULL,
	                              NULL) == GSS_S_CONTINUE_NEEDED);
	T_ASSERT(out.length == 0);
	ntlm_account_store *store;
	ntlm_ctx *srv;
	T_OK(ntlm_account_store_userfile(&store, users));
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT, .computer_name = "SERVER", .store = store,
	                          .datagram = 1};
	T_OK(ntlm_server_new(&srv, &cfg));
	ntlm_buffer chal = {NULL, 0}, last = {NULL, 0};
	T_ASSERT(ntlm_step(srv, NULL, 0, &chal) == NTLM_CONTINUE);
	gss_buffer_desc in = {chal.len, chal.data};
	T_ASSERT(gss_init_sec_context(&minor, cc, &c, GSS_C_NO_NAME, NULL, req, 0, NULL, &in, NULL,
	                              &out, &flags, NULL) == GSS_S_COMPLETE);
	ntlm_buffer_free(&chal);
	T_ASSERT(flags & GN_DATAGRAM_FLAG);
	T_OK(ntlm_step(srv, out.value, out.length, &last));
	free(out.value);
	ntlm_buffer_free(&last);
	T_ASSERT(set_seq(&c, 7, 4) == GSS_S_COMPLETE);
	T_OK(mic_at(c, srv, 7));
	T_EXPECT_ERR(mic_at(c, srv, 8), NTLM_E_OUT_OF_SEQUENCE);
	T_ASSERT(set_seq(&c, 3, 4) == GSS_S_COMPLETE); /* an earlier number: datagrams reorder */
	T_OK(mic_at(c, srv, 3));
	T_ASSERT(set_seq(&c, 3, 2) == GSS_S_FAILURE); /* the value is a uint32_t */
	free_ctx(&c);
	ntlm_ctx_free(srv);
	ntlm_account_store_free(store);
	/* a connection-oriented context: its counter is its own */
	gss_cred_id_t sc = server_cred();
	gss_ctx_id_t s;
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	T_ASSERT(set_seq(&c, 7, 4) == GSS_S_FAILURE);
	free_ctx(&c);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
}

/* The whole of a small file ("" when missing). */
static void slurp(const char *path, char *out, size_t cap)
{
	out[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

/*
 * GSSNTLMSSP_DEBUG (gss-ntlmssp's debug file): one line per context step and
 * credential, and per failed unwrap or verify; no password, hash or name in
 * it; a symbolic link is not followed.
 */
static void debug_log(void)
{
	char path[320], link_path[320], target[320], text[4096];
	snprintf(path, sizeof(path), "%s/debug.log", dir);
	snprintf(link_path, sizeof(link_path), "%s/debug.link", dir);
	snprintf(target, sizeof(target), "%s/debug.target", dir);
	setenv("GSSNTLMSSP_DEBUG", path, 1);
	OM_uint32 minor;
	gss_cred_id_t cc = client_cred(), sc = server_cred();
	gss_ctx_id_t c, s;
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	gss_buffer_desc msg = {5, (void *)"hello"}, bad = {16, (void *)"0123456789abcdef"};
	T_ASSERT(gss_verify_mic(&minor, s, &msg, &bad, NULL) != GSS_S_COMPLETE);
	slurp(path, text, sizeof(text));
	T_ASSERT(strstr(text, "] ALLOK: gss_init_sec_context() [1:0]") != NULL);
	T_ASSERT(strstr(text, "] ALLOK: gss_accept_sec_context() [0:0]") != NULL);
	T_ASSERT(strstr(text, "] ALLOK: gssspi_acquire_cred_with_password() [0:0]") != NULL);
	T_ASSERT(strstr(text, "] ERROR: gss_verify_mic() [") != NULL);
	T_ASSERT(strstr(text, "NTLM_E_BAD_MAC") != NULL || strstr(text, "NTLM_E_OUT_OF_SEQUENCE"));
	T_ASSERT(!strstr(text, "Passw0rd") && !strstr(text, "alice"));
	free_ctx(&c);
	free_ctx(&s);
	/* a link planted where the log goes: not followed, its target untouched */
	FILE *f = fopen(target, "w");
	T_SETUP(!f);
	fclose(f);
	T_SETUP(symlink(target, link_path) != 0);
	setenv("GSSNTLMSSP_DEBUG", link_path, 1);
	T_ASSERT(handshake(cc, sc, &c, &s) == 0);
	slurp(target, text, sizeof(text));
	T_ASSERT(text[0] == '\0');
	unsetenv("GSSNTLMSSP_DEBUG");
	free_ctx(&c);
	free_ctx(&s);
	T_ASSERT(gss_release_cred(&minor, &cc) == GSS_S_COMPLETE);
	T_ASSERT(gss_release_cred(&minor, &sc) == GSS_S_COMPLETE);
	unlink(path);
	unlink(link_path);
	unlink(target);
}

int main(void)
{
	T_SETUP(mkdtemp(dir) == NULL);
	snprintf(users, sizeof(users), "%s/users", dir);
	FILE *f = fopen(users, "w");
	T_SETUP(f == NULL);
	fputs("DOM:alice:Passw0rd!\n", f);
	fclose(f);
	setenv("NETBIOS_COMPUTER_NAME", "SERVER", 1);
	T_RUN(iov_matches_native);
	T_RUN(context_heap);
	T_RUN(hostile_tokens);
	T_RUN(corrupt_rc4_state);
	T_RUN(short_negotiate);
	T_RUN(userfile_smbpasswd_lines);
	T_RUN(names);
	T_RUN(sid_attributes);
	T_RUN(chain_options);
	T_RUN(datagram_seq_num);
	T_RUN(debug_log);
	unlink(users);
	rmdir(dir);
	T_END();
}
