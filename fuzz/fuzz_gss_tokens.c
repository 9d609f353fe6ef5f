/* Target functions: the GSSAPI module's entry points that take a peer's or a caller's token: gss_accept_sec_context, gss_init_sec_context, gss_unwrap, gss_verify_mic, gss_unwrap_iov, gss_verify_mic_iov, gss_import_sec_context, gss_import_cred, gss_import_name */
/*
 * The GSSAPI module (gss/) called as the mechglue calls it, with tokens a
 * network peer or a caller controls. The first byte selects the entry point:
 *
 *   0  acceptor: NEGOTIATE = bytes [1, 1+len) (len: byte 1), then the rest
 *      as the AUTHENTICATE (a real CHALLENGE in between)
 *   1  initiator: the rest as the CHALLENGE to our NEGOTIATE
 *   2  an established pair (a real handshake): the rest as a wrap token,
 *      a MIC for "msg", and an IOV signature + data
 *   3  the rest as an exported context, an exported credential and an
 *      exported name
 *
 * Invariants: no crash, leak or undefined behaviour; a token the module
 * refuses leaves no context behind on a first call; a forged message is
 * never accepted on an established pair; an imported context is usable
 * (queries answer) or there is none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gss_ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                                \
	do {                                                                                           \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
			abort();                                                                               \
		}                                                                                          \
	} while (0)

/* Made once: a fuzzer is one process, and acquiring credentials reads files. */
static gss_cred_id_t ccred, scred;
/* The acceptor's user file is read at each logon: it stays until the process exits. */
static char dir[] = "/tmp/fuzz-gss.XXXXXX", path[64];

static void remove_files(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char conf[64];
	OM_uint32 minor;
	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users", dir);
	snprintf(conf, sizeof(conf), "%s/policy", dir);
	FILE *f = fopen(path, "w");
	CHECK(f);
	fputs("DOM:alice:Passw0rd!\n", f);
	fclose(f);
	f = fopen(conf, "w"); /* the defaults, whatever /etc/ntlmssp.conf says */
	CHECK(f);
	fclose(f);
	setenv("NTLMSSP_CONF", conf, 1);
	setenv("NETBIOS_COMPUTER_NAME", "SERVER", 1);
	gss_key_value_element_desc kv = {"ntlmssp_keyfile", path};
	gss_key_value_set_desc cs = {1, &kv};
	CHECK(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, 0, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &cs,
	                            &scred, NULL, NULL) == GSS_S_COMPLETE);
	gss_buffer_desc n = {9, (void *)"DOM\\alice"}, pw = {9, (void *)"Passw0rd!"};
	gss_name_t name;
	CHECK(gss_import_name(&minor, &n, (gss_OID)&gn_nt_user, &name) == GSS_S_COMPLETE);
	CHECK(gssspi_acquire_cred_with_password(&minor, name, &pw, 0, GSS_C_NO_OID_SET, GSS_C_INITIATE,
	                                        &ccred, NULL, NULL) == GSS_S_COMPLETE);
	CHECK(gss_release_name(&minor, &name) == GSS_S_COMPLETE);
	unlink(conf); /* read when the credentials were acquired */
	atexit(remove_files);
	return 0;
}

static void drop(gss_ctx_id_t *c)
{
	OM_uint32 minor;
	CHECK(gss_delete_sec_context(&minor, c, GSS_C_NO_BUFFER) == GSS_S_COMPLETE);
}

static OM_uint32 init(gss_ctx_id_t *c, gss_buffer_t in, gss_buffer_t out)
{
	OM_uint32 minor;
	return gss_init_sec_context(&minor, ccred, c, GSS_C_NO_NAME, NULL,
	                            GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0, NULL, in, NULL, out, NULL,
	                            NULL);
}

static OM_uint32 do_accept(gss_ctx_id_t *s, gss_buffer_t in, gss_buffer_t out)
{
	OM_uint32 minor;
	gss_name_t src = GSS_C_NO_NAME;
	OM_uint32 major = gss_accept_sec_context(&minor, s, scred, in, NULL, &src, NULL, out, NULL,
	                                         NULL, NULL);
	if (src)
		CHECK(gss_release_name(&minor, &src) == GSS_S_COMPLETE);
	return major;
}

static void as_acceptor(const uint8_t *p, size_t n)
{
	size_t neg_len = n ? p[0] : 0;
	if (n < 1 + neg_len)
		return;
	gss_buffer_desc neg = {neg_len, (void *)(p + 1)},
					auth = {n - 1 - neg_len, (void *)(p + 1 + neg_len)};
	gss_buffer_desc out = {0, NULL};
	gss_ctx_id_t s = GSS_C_NO_CONTEXT;
	OM_uint32 major = do_accept(&s, &neg, &out);
	free(out.value);
	if (major != GSS_S_CONTINUE_NEEDED) {
		CHECK(GSS_ERROR(major) && s == GSS_C_NO_CONTEXT);
		return;
	}
	out.value = NULL;
	major = do_accept(&s, &auth, &out);
	free(out.value);
	/* the AUTHENTICATE ends the exchange one way or the other */
	CHECK(major == GSS_S_COMPLETE || GSS_ERROR(major));
	drop(&s);
}

static void as_initiator(const uint8_t *p, size_t n)
{
	gss_buffer_desc out = {0, NULL}, chal = {n, (void *)p};
	gss_ctx_id_t c = GSS_C_NO_CONTEXT;
	CHECK(init(&c, GSS_C_NO_BUFFER, &out) == GSS_S_CONTINUE_NEEDED);
	free(out.value);
	out.value = NULL;
	OM_uint32 major = init(&c, &chal, &out);
	free(out.value);
	CHECK(major == GSS_S_COMPLETE || GSS_ERROR(major));
	drop(&c);
}

static void pair(gss_ctx_id_t *c, gss_ctx_id_t *s)
{
	gss_buffer_desc a = {0, NULL}, b = {0, NULL};
	*c = *s = GSS_C_NO_CONTEXT;
	CHECK(init(c, GSS_C_NO_BUFFER, &a) == GSS_S_CONTINUE_NEEDED);
	CHECK(do_accept(s, &a, &b) == GSS_S_CONTINUE_NEEDED);
	free(a.value);
	a.value = NULL;
	CHECK(init(c, &b, &a) == GSS_S_COMPLETE);
	free(b.value);
	b.value = NULL;
	CHECK(do_accept(s, &a, &b) == GSS_S_COMPLETE);
	free(a.value);
	free(b.value);
}

/* Forged per-message tokens at an established acceptor: none is accepted. */
static void messages(const uint8_t *p, size_t n)
{
	gss_ctx_id_t c, s;
	OM_uint32 minor;
	pair(&c, &s);
	gss_buffer_desc tok = {n, (void *)p}, out = {0, NULL}, msg = {3, (void *)"msg"};
	CHECK(GSS_ERROR(gss_unwrap(&minor, s, &tok, &out, NULL, NULL)));
	CHECK(GSS_ERROR(gss_verify_mic(&minor, s, &msg, &tok, NULL)));
	if (n >= 16) {
		uint8_t *copy = malloc(n);
		CHECK(copy);
		memcpy(copy, p, n);
		gss_iov_buffer_desc iov[3] = {{GSS_IOV_BUFFER_TYPE_HEADER, {16, copy}},
		                              {GSS_IOV_BUFFER_TYPE_SIGN_ONLY, {3, (void *)"hdr"}},
		                              {GSS_IOV_BUFFER_TYPE_DATA, {n - 16, copy + 16}}};
		CHECK(GSS_ERROR(gss_unwrap_iov(&minor, s, NULL, NULL, iov, 3)));
		iov[0].type = GSS_IOV_BUFFER_TYPE_MIC_TOKEN;
		CHECK(GSS_ERROR(gss_verify_mic_iov(&minor, s, NULL, iov, 3)));
		free(copy);
	}
	/* the pair still works: failures consumed nothing */
	gss_buffer_desc w;
	CHECK(gss_wrap(&minor, c, 1, GSS_C_QOP_DEFAULT, &msg, NULL, &w) == GSS_S_COMPLETE);
	CHECK(gss_unwrap(&minor, s, &w, &out, NULL, NULL) == GSS_S_COMPLETE);
	CHECK(out.length == 3 && memcmp(out.value, "msg", 3) == 0);
	free(w.value);
	free(out.value);
	drop(&c);
	drop(&s);
}

static void imports(const uint8_t *p, size_t n)
{
	OM_uint32 minor;
	gss_buffer_desc tok = {n, (void *)p};
	gss_ctx_id_t x = GSS_C_NO_CONTEXT;
	if (gss_import_sec_context(&minor, &tok, &x) == GSS_S_COMPLETE) {
		OM_uint32 flags = 0, life = 0;
		int open = 0;
		CHECK(gss_inquire_context(&minor, x, NULL, NULL, &life, NULL, &flags, NULL, &open) ==
		      GSS_S_COMPLETE);
		CHECK(open);
		gss_buffer_desc msg = {3, (void *)"msg"}, out = {0, NULL};
		if (gss_get_mic(&minor, x, GSS_C_QOP_DEFAULT, &msg, &out) == GSS_S_COMPLETE)
			free(out.value);
		drop(&x);
	} else {
		CHECK(x == GSS_C_NO_CONTEXT);
	}
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	if (gss_import_cred(&minor, &tok, &cred) == GSS_S_COMPLETE)
		CHECK(gss_release_cred(&minor, &cred) == GSS_S_COMPLETE);
	gss_name_t name = GSS_C_NO_NAME;
	if (gss_import_name(&minor, &tok, (gss_OID)&gn_nt_export, &name) == GSS_S_COMPLETE) {
		gss_buffer_desc shown;
		gss_OID type = GSS_C_NO_OID;
		CHECK(gss_display_name(&minor, name, &shown, &type) == GSS_S_COMPLETE);
		free(shown.value);
		free(type->elements);
		free(type);
		CHECK(gss_release_name(&minor, &name) == GSS_S_COMPLETE);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0:
		as_acceptor(p, n);
		break;
	case 1:
		as_initiator(p, n);
		break;
	case 2:
		messages(p, n);
		break;
	default:
		imports(p, n);
		break;
	}
	return 0;
}
