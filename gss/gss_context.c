/*
 * gss_context.c - security contexts: init, accept, delete, lifetime,
 * inquire, export and import. A context is the library's ntlm_ctx plus
 * what GSSAPI adds (flags, lifetime, the target, and the credential the
 * handshake uses, held until established).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "gss_ntlm.h"
#include "sys.h"
#include "try.h"

void gn_ctx_free(gn_ctx *g)
{
	if (!g)
		return;
	ntlm_ctx_free(g->ntlm);
	gn_cred_free(g->own_cred);
	gn_name_free(g->target);
	free(g);
}

OM_uint32 gn_ctx_gss_flags(const gn_ctx *g)
{
	uint32_t f = ntlm_ctx_flags(g->ntlm);
	OM_uint32 out = GSS_C_TRANS_FLAG;
	if (f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL))
		out |= GSS_C_INTEG_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG;
	if (f & NTLMSSP_NEGOTIATE_SEAL)
		out |= GSS_C_CONF_FLAG;
	if (f & NTLMSSP_NEGOTIATE_IDENTIFY)
		out |= GSS_C_IDENTIFY_FLAG;
	if (f & NTLMSSP_NEGOTIATE_DATAGRAM)
		out |= GN_DATAGRAM_FLAG;
	if (ntlm_ctx_is_anonymous(g->ntlm))
		out |= GSS_C_ANON_FLAG;
	return out;
}

OM_uint32 gn_ctx_lifetime(const gn_ctx *g)
{
	if (!g->expiry)
		return GSS_C_INDEFINITE;
	int64_t now = (int64_t)time(NULL);
	if (g->expiry <= now)
		return 0;
	/* expiry > now: the difference cannot overflow; GSS_C_INDEFINITE stays "no expiry" */
	uint64_t left = (uint64_t)g->expiry - (uint64_t)now;
	return left < GSS_C_INDEFINITE ? (OM_uint32)left : GSS_C_INDEFINITE - 1;
}

/* The MD5 the library compares, of the caller's bindings (NULL: none given). */
static ntlm_err bindings_hash(const gss_channel_bindings_t cb, uint8_t out[16], int *have)
{
	*have = 0;
	if (cb == GSS_C_NO_CHANNEL_BINDINGS)
		return NTLM_OK;
	ntlm_channel_bindings b = {
		.initiator_addrtype = cb->initiator_addrtype,
		.initiator_address = cb->initiator_address.value,
		.initiator_address_len = cb->initiator_address.length,
		.acceptor_addrtype = cb->acceptor_addrtype,
		.acceptor_address = cb->acceptor_address.value,
		.acceptor_address_len = cb->acceptor_address.length,
		.application_data = cb->application_data.value,
		.application_data_len = cb->application_data.length,
	};
	NTLM_TRY(ntlm_channel_bindings_hash(&b, out));
	*have = 1;
	return NTLM_OK;
}

/* ---------------------------------------------------------- initiator */

static ntlm_err client_start(gn_ctx *g, const gn_cred *c, OM_uint32 req_flags,
                             const gss_channel_bindings_t cb)
{
	uint8_t cbt[16];
	int have_cbt;
	NTLM_TRY(bindings_hash(cb, cbt, &have_cbt));
	char *spn = g->target ? gn_name_spn(g->target) : NULL;
	if (g->target && !spn)
		return NTLM_E_NO_MEMORY;
	uint32_t flags = c->neg_flags;
	if (req_flags & GSS_C_IDENTIFY_FLAG)
		flags = (flags ? flags : NTLM_CLIENT_DEFAULT_FLAGS) | NTLMSSP_NEGOTIATE_IDENTIFY;
	ntlm_client_config cfg = {
		NTLM_CLIENT_CONFIG_INIT,
		.policy = c->have_policy ? &c->policy : NULL,
		.workstation = getenv("NETBIOS_COMPUTER_NAME"),
		.target_name = g->target && g->target->kind == GN_SERVICE ? spn : NULL,
		.cbt_hash = have_cbt ? cbt : NULL,
		.flags = flags,
		.datagram = (req_flags & GN_DATAGRAM_FLAG) != 0,
	};
	ntlm_err rc = ntlm_client_new(&g->ntlm, c->client, &cfg);
	free(spn);
	return rc;
}

static OM_uint32 init_first(OM_uint32 *minor, gss_cred_id_t cred, gss_name_t target,
                            OM_uint32 req_flags, OM_uint32 time_req,
                            const gss_channel_bindings_t cb, gn_ctx **out)
{
	gn_ctx *g = calloc(1, sizeof(*g));
	if (!g)
		return gn_fail_as(minor, NTLM_E_NO_MEMORY, GSS_S_FAILURE);
	g->initiator = 1;
	const gn_cred *c = (const gn_cred *)cred;
	OM_uint32 major = GSS_S_COMPLETE;
	if (!c) {
		major = gn_cred_default(minor, GSS_C_INITIATE, (req_flags & GSS_C_ANON_FLAG) != 0,
		                        &g->own_cred);
		c = g->own_cred;
	} else if (c->usage == GSS_C_ACCEPT || !c->client) {
		major = gn_fail_as(minor, NTLM_E_NO_CREDENTIALS, GSS_S_NO_CRED);
	} else {
		g->own_cred = gn_cred_hold((gn_cred *)cred);
	}
	ntlm_err rc = NTLM_OK;
	if (major == GSS_S_COMPLETE && target)
		rc = gn_name_copy(&g->target, (const gn_name *)target);
	if (major == GSS_S_COMPLETE && rc == NTLM_OK)
		rc = client_start(g, c, req_flags, cb);
	if (major == GSS_S_COMPLETE && rc != NTLM_OK)
		major = gn_fail(minor, rc);
	if (major != GSS_S_COMPLETE) {
		gn_ctx_free(g);
		return major;
	}
	if (time_req && time_req != GSS_C_INDEFINITE)
		g->expiry = (int64_t)time(NULL) + time_req;
	*out = g;
	return GSS_S_COMPLETE;
}

/* One handshake step for either role: tokens in and out, the context opened at the end. */
static OM_uint32 step(OM_uint32 *minor, gn_ctx *g, gss_buffer_t in, gss_buffer_t out)
{
	ntlm_buffer tok = {NULL, 0};
	const uint8_t *p = in && in->value ? in->value : NULL;
	ntlm_err rc = ntlm_step(g->ntlm, p, p ? in->length : 0, &tok);
	if (rc != NTLM_OK && rc != NTLM_CONTINUE)
		return gn_fail(minor, rc);
	OM_uint32 major = tok.len ? gn_buffer(minor, out, tok.data, tok.len) : gn_ok(minor);
	ntlm_buffer_free(&tok);
	if (major != GSS_S_COMPLETE)
		return major;
	if (rc == NTLM_CONTINUE)
		return GSS_S_CONTINUE_NEEDED;
	g->open = 1;
	g->flags = gn_ctx_gss_flags(g);
	/* an established context needs no store nor credential: keep it small */
	gn_cred_free(g->own_cred);
	g->own_cred = NULL;
	return gn_ok(minor);
}

static void report(const gn_ctx *g, OM_uint32 major, gss_OID *mech, OM_uint32 *ret_flags,
                   OM_uint32 *time_rec)
{
	if (mech)
		*mech = (gss_OID)&gn_mech_oid;
	if (ret_flags)
		*ret_flags = g && g->open ? g->flags : 0;
	if (time_rec)
		*time_rec = g && major == GSS_S_COMPLETE ? gn_ctx_lifetime(g) : 0;
}

static OM_uint32 init_sec_context_(OM_uint32 *minor, gss_cred_id_t cred, gss_ctx_id_t *context,
                                   gss_name_t target, gss_OID mech, OM_uint32 req_flags,
                                   OM_uint32 time_req, gss_channel_bindings_t cb,
                                   gss_buffer_t input, gss_OID *actual_mech, gss_buffer_t output,
                                   OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	if (!context || !output)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	output->length = 0;
	output->value = NULL;
	report(NULL, GSS_S_FAILURE, actual_mech, ret_flags, time_rec);
	gn_ctx *g = (gn_ctx *)*context;
	int first = g == NULL;
	/* connectionless (MS-NLMP 1.3.1.3): no NEGOTIATE, the CHALLENGE is the first token */
	int datagram = (req_flags & GN_DATAGRAM_FLAG) != 0;
	int have_input = input && input->value && input->length;
	if (first) {
		OM_uint32 major = init_first(minor, cred, target, req_flags, time_req, cb, &g);
		if (major != GSS_S_COMPLETE)
			return major;
		if (datagram && !have_input) { /* an empty token: the acceptor speaks first */
			*context = (gss_ctx_id_t)g;
			report(g, GSS_S_CONTINUE_NEEDED, actual_mech, ret_flags, time_rec);
			return gn_ok(minor) | GSS_S_CONTINUE_NEEDED;
		}
	} else if (!g->initiator || g->open) {
		return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_NO_CONTEXT);
	}
	OM_uint32 major = step(minor, g, first && !datagram ? GSS_C_NO_BUFFER : input, output);
	if (first && GSS_ERROR(major)) {
		gn_ctx_free(g);
		return major;
	}
	*context = (gss_ctx_id_t)g;
	report(g, major, actual_mech, ret_flags, time_rec);
	return major;
}

GN_EXPORT OM_uint32 gss_init_sec_context(OM_uint32 *minor, gss_cred_id_t cred,
                                         gss_ctx_id_t *context, gss_name_t target, gss_OID mech,
                                         OM_uint32 req_flags, OM_uint32 time_req,
                                         gss_channel_bindings_t cb, gss_buffer_t input,
                                         gss_OID *actual_mech, gss_buffer_t output,
                                         OM_uint32 *ret_flags, OM_uint32 *time_rec)
{
	return gn_trace(__func__,
	                init_sec_context_(minor, cred, context, target, mech, req_flags, time_req, cb,
	                                  input, actual_mech, output, ret_flags, time_rec),
	                minor, 0);
}

/* ----------------------------------------------------------- acceptor */

/* One JSON line per logon, appended to the credential's audit log. */
static void audit_line(void *arg, const ntlm_audit_event *ev)
{
	const gn_cred *c = arg;
	ntlm_buffer json = {NULL, 0};
	if (ntlm_audit_json(ev, &json) != NTLM_OK)
		return;
	int fd = open(c->audit_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* a lost audit line must not fail the logon it describes */
		if (ntlm_write_all(fd, json.data, json.len) == 0)
			(void)!ntlm_write_all(fd, "\n", 1);
		close(fd);
	}
	ntlm_buffer_free(&json);
}

static ntlm_err server_start(gn_ctx *g, const gn_cred *c, const gss_channel_bindings_t cb)
{
	uint8_t cbt[16];
	int have_cbt;
	NTLM_TRY(bindings_hash(cb, cbt, &have_cbt));
	const char *services[2] = {c->spn, NULL};
	ntlm_server_config cfg = {
		NTLM_SERVER_CONFIG_INIT,
		.policy = c->have_policy ? &c->policy : NULL,
		.computer_name = getenv("NETBIOS_COMPUTER_NAME"),
		.domain_name = *c->nb_domain ? c->nb_domain : getenv("NETBIOS_DOMAIN_NAME"),
		.dns_domain_name = *c->dns_domain ? c->dns_domain : NULL,
		.service_names = c->spn ? services : NULL,
		.store = c->store,
		.cbt_hash = have_cbt ? cbt : NULL,
		.audit = c->audit_path ? audit_line : NULL,
		.audit_arg = (void *)c,
	};
	return ntlm_server_new(&g->ntlm, &cfg);
}

static OM_uint32 accept_first(OM_uint32 *minor, gss_cred_id_t cred, const gss_channel_bindings_t cb,
                              gn_ctx **out)
{
	gn_ctx *g = calloc(1, sizeof(*g));
	if (!g)
		return gn_fail_as(minor, NTLM_E_NO_MEMORY, GSS_S_FAILURE);
	const gn_cred *c = (const gn_cred *)cred;
	OM_uint32 major = GSS_S_COMPLETE;
	if (!c) {
		major = gn_cred_default(minor, GSS_C_ACCEPT, 0, &g->own_cred);
		c = g->own_cred;
	} else if (c->usage == GSS_C_INITIATE || !c->store) {
		major = gn_fail_as(minor, NTLM_E_NO_CREDENTIALS, GSS_S_NO_CRED);
	} else {
		g->own_cred = gn_cred_hold((gn_cred *)cred);
	}
	if (major == GSS_S_COMPLETE) {
		ntlm_err rc = server_start(g, c, cb);
		if (rc != NTLM_OK)
			major = gn_fail(minor, rc == NTLM_E_POLICY_CONFLICT && !cb ? NTLM_E_CBT_MISSING : rc);
	}
	if (major != GSS_S_COMPLETE) {
		gn_ctx_free(g);
		return major;
	}
	*out = g;
	return GSS_S_COMPLETE;
}

static OM_uint32 accept_sec_context_(OM_uint32 *minor, gss_ctx_id_t *context, gss_cred_id_t cred,
                                     gss_buffer_t input, gss_channel_bindings_t cb,
                                     gss_name_t *src_name, gss_OID *mech, gss_buffer_t output,
                                     OM_uint32 *ret_flags, OM_uint32 *time_rec,
                                     gss_cred_id_t *delegated)
{
	if (!context || !output)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	output->length = 0;
	output->value = NULL;
	if (src_name)
		*src_name = GSS_C_NO_NAME;
	if (delegated)
		*delegated = GSS_C_NO_CREDENTIAL;
	report(NULL, GSS_S_FAILURE, mech, ret_flags, time_rec);
	if (!input || !input->value)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	gn_ctx *g = (gn_ctx *)*context;
	int first = g == NULL;
	if (first) {
		OM_uint32 major = accept_first(minor, cred, cb, &g);
		if (major != GSS_S_COMPLETE)
			return major;
	} else if (g->initiator || g->open) {
		return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_NO_CONTEXT);
	}
	OM_uint32 major = step(minor, g, input, output);
	if (first && GSS_ERROR(major)) {
		gn_ctx_free(g);
		return major;
	}
	*context = (gss_ctx_id_t)g;
	if (major == GSS_S_COMPLETE && src_name) {
		gn_name *n;
		ntlm_err rc = gn_name_from_peer(&n, g->ntlm);
		if (rc != NTLM_OK)
			return gn_fail(minor, rc);
		*src_name = (gss_name_t)n;
	}
	report(g, major, mech, ret_flags, time_rec);
	return major;
}

GN_EXPORT OM_uint32 gss_accept_sec_context(OM_uint32 *minor, gss_ctx_id_t *context,
                                           gss_cred_id_t cred, gss_buffer_t input,
                                           gss_channel_bindings_t cb, gss_name_t *src_name,
                                           gss_OID *mech, gss_buffer_t output, OM_uint32 *ret_flags,
                                           OM_uint32 *time_rec, gss_cred_id_t *delegated)
{
	return gn_trace(__func__,
	                accept_sec_context_(minor, context, cred, input, cb, src_name, mech, output,
	                                    ret_flags, time_rec, delegated),
	                minor, 0);
}

/* ------------------------------------------------------------ the rest */

GN_EXPORT OM_uint32 gss_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *context,
                                           gss_buffer_t output)
{
	if (output) {
		output->length = 0;
		output->value = NULL;
	}
	if (!context)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	gn_ctx_free((gn_ctx *)*context);
	*context = GSS_C_NO_CONTEXT;
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_context_time(OM_uint32 *minor, gss_ctx_id_t context, OM_uint32 *time_rec)
{
	const gn_ctx *g = (const gn_ctx *)context;
	if (!g)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_NO_CONTEXT);
	OM_uint32 left = gn_ctx_lifetime(g);
	if (time_rec)
		*time_rec = left;
	return left ? gn_ok(minor) : gn_fail_as(minor, NTLM_OK, GSS_S_CONTEXT_EXPIRED);
}

/* The local party's name: an initiator's identity as used ("DOMAIN\\user"). */
static ntlm_err local_name(const gn_ctx *g, gn_name **out)
{
	*out = NULL;
	if (!g->open)
		return NTLM_OK;
	if (ntlm_ctx_is_anonymous(g->ntlm))
		return gn_name_new(out, GN_ANON, NULL, NULL, NULL);
	return gn_name_user(out, ntlm_ctx_principal(g->ntlm));
}

static ntlm_err peer_name(const gn_ctx *g, gn_name **out)
{
	*out = NULL;
	if (g->initiator)
		return g->target ? gn_name_copy(out, g->target) : NTLM_OK;
	return g->open ? gn_name_from_peer(out, g->ntlm) : NTLM_OK;
}

GN_EXPORT OM_uint32 gss_inquire_context(OM_uint32 *minor, gss_ctx_id_t context,
                                        gss_name_t *src_name, gss_name_t *targ_name,
                                        OM_uint32 *lifetime, gss_OID *mech, OM_uint32 *flags,
                                        int *locally_initiated, int *open)
{
	const gn_ctx *g = (const gn_ctx *)context;
	if (!g)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_NO_CONTEXT);
	gn_name *src = NULL, *targ = NULL;
	ntlm_err rc = NTLM_OK;
	if (src_name)
		rc = g->initiator ? local_name(g, &src) : peer_name(g, &src);
	if (rc == NTLM_OK && targ_name)
		rc = g->initiator ? peer_name(g, &targ) : NTLM_OK;
	if (rc != NTLM_OK) {
		gn_name_free(src);
		gn_name_free(targ);
		return gn_fail(minor, rc);
	}
	if (src_name)
		*src_name = (gss_name_t)src;
	if (targ_name)
		*targ_name = (gss_name_t)targ;
	if (lifetime)
		*lifetime = g->open ? gn_ctx_lifetime(g) : 0;
	if (mech)
		*mech = (gss_OID)&gn_mech_oid;
	if (flags)
		*flags = g->open ? g->flags : 0;
	if (locally_initiated)
		*locally_initiated = g->initiator;
	if (open)
		*open = g->open;
	return gn_ok(minor);
}

/*
 * gss_export_sec_context: "GNX1", u8 initiator, u32 GSS flags, i64 expiry,
 * u32 connectionless counter, the target as an SPN (u16 length, bytes; an
 * initiator's), then the library's context token (ntlm_ctx_export).
 */
static const uint8_t CTX_MAGIC[4] = {'G', 'N', 'X', '1'};

GN_EXPORT OM_uint32 gss_export_sec_context(OM_uint32 *minor, gss_ctx_id_t *context,
                                           gss_buffer_t token)
{
	if (!context || !*context || !token)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_NO_CONTEXT);
	gn_ctx *g = (gn_ctx *)*context;
	if (!g->open)
		return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_UNAVAILABLE);
	ntlm_buffer inner = {NULL, 0}, all = {NULL, 0};
	ntlm_err rc = ntlm_ctx_export(g->ntlm, &inner);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	char *spn = g->target ? gn_name_spn(g->target) : strdup("");
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, CTX_MAGIC, sizeof(CTX_MAGIC));
	nb_write_u8(&w, (uint8_t)g->initiator);
	nb_write_u32le(&w, g->flags);
	nb_write_u64le(&w, (uint64_t)g->expiry);
	nb_write_u32le(&w, g->dg_seq);
	size_t n = spn ? strlen(spn) : 0;
	nb_write_u16le(&w, (uint16_t)(n > 0xFFFF ? 0 : n));
	nb_write_bytes(&w, spn ? spn : "", n > 0xFFFF ? 0 : n);
	nb_write_bytes(&w, inner.data, inner.len);
	rc = spn ? nb_writer_finish(&w, &all) : NTLM_E_NO_MEMORY;
	if (!spn)
		nb_writer_free(&w);
	free(spn);
	ntlm_buffer_free(&inner);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	OM_uint32 major = gn_buffer(minor, token, all.data, all.len);
	ntlm_buffer_free(&all);
	if (major == GSS_S_COMPLETE) { /* the context moves with the token */
		gn_ctx_free(g);
		*context = GSS_C_NO_CONTEXT;
	}
	return major;
}

static ntlm_err read_target(nb_reader *r, gn_ctx *g)
{
	uint16_t n;
	const uint8_t *p;
	NTLM_TRY(nb_read_u16le(r, &n));
	NTLM_TRY(nb_read_view(r, n, &p));
	if (!n)
		return NTLM_OK;
	if (memchr(p, '\0', n))
		return NTLM_E_BAD_STRING;
	char *s = strndup((const char *)p, n);
	if (!s)
		return NTLM_E_NO_MEMORY;
	char *slash = strchr(s, '/');
	if (slash)
		*slash = '\0';
	ntlm_err rc = gn_name_new(&g->target, GN_SERVICE, NULL, s, slash ? slash + 1 : "");
	free(s);
	return rc;
}

static ntlm_err read_ctx(nb_reader *r, gn_ctx *g)
{
	uint8_t initiator;
	uint64_t expiry;
	NTLM_TRY(nb_expect(r, CTX_MAGIC, sizeof(CTX_MAGIC), NTLM_E_BAD_MESSAGE_TYPE));
	NTLM_TRY(nb_read_u8(r, &initiator));
	if (initiator > 1)
		return NTLM_E_BAD_MESSAGE_TYPE;
	g->initiator = initiator;
	NTLM_TRY(nb_read_u32le(r, &g->flags));
	NTLM_TRY(nb_read_u64le(r, &expiry));
	if (expiry > INT64_MAX) /* an expiry before 1970: no context exports that */
		return NTLM_E_BAD_MESSAGE_TYPE;
	g->expiry = (int64_t)expiry;
	NTLM_TRY(nb_read_u32le(r, &g->dg_seq));
	NTLM_TRY(read_target(r, g));
	const uint8_t *rest;
	size_t n = nb_remaining(r);
	NTLM_TRY(nb_read_view(r, n, &rest));
	NTLM_TRY(ntlm_ctx_import(&g->ntlm, rest, n));
	g->open = 1;
	return NTLM_OK;
}

GN_EXPORT OM_uint32 gss_import_sec_context(OM_uint32 *minor, gss_buffer_t token,
                                           gss_ctx_id_t *context)
{
	if (!context)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	*context = GSS_C_NO_CONTEXT;
	if (!token || !token->value)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	gn_ctx *g = calloc(1, sizeof(*g));
	if (!g)
		return gn_fail_as(minor, NTLM_E_NO_MEMORY, GSS_S_FAILURE);
	nb_reader r;
	nb_reader_init(&r, token->value, token->length);
	ntlm_err rc = read_ctx(&r, g);
	if (rc != NTLM_OK) {
		gn_ctx_free(g);
		return gn_fail_as(minor, rc,
		                  rc == NTLM_E_NO_MEMORY ? GSS_S_FAILURE : GSS_S_DEFECTIVE_TOKEN);
	}
	*context = (gss_ctx_id_t)g;
	return gn_ok(minor);
}
