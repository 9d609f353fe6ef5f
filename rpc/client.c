/*
 * client.c - the client runtime: connect, bind (no authentication, NTLMSSP,
 * or over ncalrpc the local call), call with fragmentation both ways.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "pdu.h"
#include "mem.h"

#define CLIENT_TIMEOUT_SECONDS 60
#define CLIENT_MAX_RESPONSE    (16u * 1024 * 1024) /* refuse to buffer more than this */
#define CLIENT_MAX_CONTEXTS    8u /* presentation contexts per association (the server's limit) */

struct ntlm_rpc_client {
	rpc_endpoint ep;
	int fd;
	uint32_t authn_svc, level, imp_level;
	char *server_principal;
	const ntlm_cred *cred;
	ntlm_cred *file_cred; /* from $NTLM_USER_FILE, when none was given */
	ntlm_client_config ncfg;
	int have_ncfg;
	ntlm_rpc_sec *sec;
	int bound, local_call;
	/* Presentation context i (its p_cont_id) is ctxs[i]: 0 from the bind, the rest
	 * from alter_context. */
	ntlm_rpc_syntax ctxs[CLIENT_MAX_CONTEXTS];
	size_t n_ctxs;
	uint32_t call_id;
	uint16_t max_xmit;
	uint32_t fault;
	char msg[RPC_MSG_CAP];
};

NTLM_API ntlm_rpc_status ntlm_rpc_client_new(ntlm_rpc_client **out, const char *binding)
{
	if (!out)
		return NTLM_RPC_S_INVALID_ARG;
	*out = NULL;
	ntlm_rpc_client *c = calloc(1, sizeof(*c));
	if (!c)
		return NTLM_RPC_S_OUT_OF_MEMORY;
	uint32_t st = rpc_endpoint_parse(binding, &c->ep);
	if (st != NTLM_RPC_S_OK) {
		free(c);
		return st;
	}
	c->fd = -1;
	c->authn_svc = NTLM_RPC_AUTHN_WINNT;
	c->level = NTLM_RPC_LEVEL_PKT_PRIVACY;
	c->imp_level = NTLM_RPC_IMP_IMPERSONATE;
	c->call_id = 1;
	*out = c;
	return NTLM_RPC_S_OK;
}

static void disconnect(ntlm_rpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->bound = 0;
	c->local_call = 0;
	c->n_ctxs = 0;
	ntlm_rpc_sec_free(c->sec);
	c->sec = NULL;
}

NTLM_API void ntlm_rpc_client_free(ntlm_rpc_client *cli)
{
	if (!cli)
		return;
	disconnect(cli);
	ntlm_cred_free(cli->file_cred);
	free(cli->server_principal);
	free(cli);
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_set_blanket(ntlm_rpc_client *cli, uint32_t authn_svc,
                                                     uint32_t authn_level, uint32_t imp_level,
                                                     const char *server_principal)
{
	if (!cli)
		return NTLM_RPC_S_INVALID_ARG;
	if (authn_svc != NTLM_RPC_AUTHN_WINNT && authn_svc != NTLM_RPC_AUTHN_NONE)
		return NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE;
	if (authn_level > NTLM_RPC_LEVEL_PKT_PRIVACY)
		return NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL;
	if (imp_level > NTLM_RPC_IMP_DELEGATE)
		return NTLM_RPC_S_INVALID_ARG;
	char *p = NULL;
	if (server_principal && !(p = strdup(server_principal)))
		return NTLM_RPC_S_OUT_OF_MEMORY;
	free(cli->server_principal);
	cli->server_principal = p;
	cli->authn_svc = authn_svc;
	/* CONNECT protects no call: it is used only when asked for by name. */
	cli->level = authn_level == NTLM_RPC_LEVEL_DEFAULT ? NTLM_RPC_LEVEL_PKT_INTEGRITY : authn_level;
	cli->imp_level = imp_level == NTLM_RPC_IMP_DEFAULT ? NTLM_RPC_IMP_IMPERSONATE : imp_level;
	disconnect(cli); /* a new blanket is a new association */
	return NTLM_RPC_S_OK;
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_set_credentials(ntlm_rpc_client *cli,
                                                         const ntlm_cred *cred)
{
	if (!cli)
		return NTLM_RPC_S_INVALID_ARG;
	cli->cred = cred;
	disconnect(cli);
	return NTLM_RPC_S_OK;
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_set_ntlm_config(ntlm_rpc_client *cli,
                                                         const ntlm_client_config *cfg)
{
	if (!cli)
		return NTLM_RPC_S_INVALID_ARG;
	cli->have_ncfg = 0;
	if (!cfg)
		return NTLM_RPC_S_OK;
	ntlm_err rc = ntlm_sized_in(&cli->ncfg, sizeof(cli->ncfg), cfg, CLIENT_CONFIG_V0_SIZE);
	cli->have_ncfg = rc == NTLM_OK;
	return rpc_status(rc);
}

NTLM_API uint32_t ntlm_rpc_client_fault(const ntlm_rpc_client *cli)
{
	return cli ? cli->fault : 0;
}

NTLM_API const char *ntlm_rpc_client_message(const ntlm_rpc_client *cli)
{
	return cli ? cli->msg : "";
}

NTLM_API int ntlm_rpc_client_header_signing(const ntlm_rpc_client *cli)
{
	return cli && cli->bound ? ntlm_rpc_sec_header_signing(cli->sec) : 0;
}

/* Records why, drops the connection (its state is unknown now), returns st. */
static uint32_t fail(ntlm_rpc_client *c, uint32_t st, const char *fmt, const char *detail)
{
	rpc_msg(c->msg, fmt, detail);
	disconnect(c);
	return st;
}

static int authenticated(const ntlm_rpc_client *c)
{
	return c->authn_svc == NTLM_RPC_AUTHN_WINNT && c->level > NTLM_RPC_LEVEL_NONE;
}

/* ------------------------------------------------- who the caller is */

/*
 * Over ncalrpc the kernel shows the server this thread's effective
 * identity. A thread impersonating a client may pass that identity on only
 * if the client granted delegation.
 */
static uint32_t check_local_identity(ntlm_rpc_client *c)
{
	if (c->cred || rpc_thread_identity(NULL) != RPC_ID_IMPERSONATING)
		return NTLM_RPC_S_OK;
	rpc_msg(c->msg, "this thread impersonates a client that did not grant delegation: its "
	                "identity may not be passed to another server");
	return NTLM_RPC_S_BAD_IMPERSONATION_LEVEL;
}

/* Over ncacn_ip_tcp an identity needs a password (or hash); an impersonated one has none. */
static uint32_t pick_remote_cred(ntlm_rpc_client *c, const ntlm_cred **cred)
{
	*cred = c->cred;
	if (*cred)
		return NTLM_RPC_S_OK;
	uid_t euid;
	if (rpc_thread_identity(&euid) != RPC_ID_SELF) {
		rpc_msg(c->msg,
		        "this thread impersonates a client (uid %u) whose identity cannot "
		        "authenticate to another machine: NTLM never had that account's password; "
		        "only local ncalrpc calls can carry it",
		        (unsigned)euid);
		return NTLM_RPC_S_NO_CREDENTIALS;
	}
	if (!c->file_cred && ntlm_cred_from_file(&c->file_cred, NULL, NULL, NULL) != NTLM_OK) {
		rpc_msg(c->msg, "no credentials: none were set and $NTLM_USER_FILE names none");
		return NTLM_RPC_S_NO_CREDENTIALS;
	}
	*cred = c->file_cred;
	return NTLM_RPC_S_OK;
}

/* Mutual authentication, locally only: the server process's account from the kernel. */
static uint32_t check_server_principal(ntlm_rpc_client *c)
{
	rpc_peer peer;
	char actual[256];
	if (!c->server_principal)
		return NTLM_RPC_S_OK;
	if (rpc_peer_creds(c->fd, &peer) != NTLM_OK) {
		rpc_msg(c->msg, "cannot read the server's credentials from the kernel");
		return NTLM_RPC_S_WRONG_PRINCIPAL;
	}
	rpc_local_principal(peer.uid, actual, sizeof(actual));
	if (rpc_principal_matches(c->server_principal, actual))
		return NTLM_RPC_S_OK;
	rpc_msg(c->msg, "server principal mismatch: the process behind %s runs as %s, not %s",
	        c->ep.path, actual, c->server_principal);
	return NTLM_RPC_S_WRONG_PRINCIPAL;
}

static uint32_t connect_endpoint(ntlm_rpc_client *c)
{
	if (c->fd >= 0)
		return NTLM_RPC_S_OK;
	c->fd = rpc_connect(&c->ep);
	if (c->fd < 0) {
		rpc_msg(c->msg, "cannot connect to %s: %s",
		        c->ep.kind == RPC_TR_TCP ? c->ep.host : c->ep.path, strerror(errno));
		return NTLM_RPC_S_SERVER_UNAVAILABLE;
	}
	rpc_set_timeouts(c->fd, CLIENT_TIMEOUT_SECONDS);
	if (c->ep.kind != RPC_TR_LOCAL)
		return NTLM_RPC_S_OK;
	uint32_t st = check_server_principal(c);
	if (st != NTLM_RPC_S_OK)
		disconnect(c);
	return st;
}

/* ---------------------------------------------------------------- I/O */

static uint32_t send_pdu(ntlm_rpc_client *c, const ntlm_buffer *pdu)
{
	if (rpc_send_all(c->fd, pdu->data, pdu->len) != NTLM_OK)
		return fail(c, NTLM_RPC_S_CALL_FAILED, "cannot send to the server: %s", strerror(errno));
	return NTLM_RPC_S_OK;
}

/* One PDU; on a fault PDU records its status and answers the matching RPC status. */
static uint32_t recv_pdu(ntlm_rpc_client *c, uint8_t **pdu, size_t *len, rpc_pdu *p)
{
	/* Nothing larger than the max_recv_frag our bind announced. */
	ntlm_err rc = rpc_recv_pdu(c->fd, RPC_FRAG_OFFER, pdu, len);
	if (rc != NTLM_OK)
		return fail(c, NTLM_RPC_S_CALL_FAILED, "no answer from the server: %s",
		            errno ? strerror(errno) : "connection closed");
	if (rpc_pdu_parse(*pdu, *len, p) != NTLM_OK)
		return fail(c, NTLM_RPC_S_PROTOCOL_ERROR, "%s", "malformed PDU from the server");
	if (p->hdr.ptype != RPC_PT_FAULT)
		return NTLM_RPC_S_OK;
	rpc_call_body body;
	c->fault = rpc_parse_call(p, &body) == NTLM_OK ? body.status : NTLM_RPC_FAULT_PROTO_ERROR;
	rpc_msg(c->msg, "the server answered with fault 0x%08x (%s)", c->fault,
	        ntlm_rpc_status_name(c->fault));
	return ntlm_rpc_status_from_fault(c->fault);
}

static void free_pdu(uint8_t **pdu, size_t len)
{
	ntlm_free_secret(*pdu, len);
	*pdu = NULL;
}

/* ---------------------------------------------------------------- bind */

static uint32_t bare_bind(ntlm_rpc_client *c, ntlm_buffer *out)
{
	nb_writer w;
	nb_writer_init(&w);
	ntlm_err rc = rpc_put_bind(&w, RPC_PT_BIND, c->call_id, 0, 0, &c->ctxs[0]);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc == NTLM_OK ? NTLM_RPC_S_OK : NTLM_RPC_S_OUT_OF_MEMORY;
}

/* The ncalrpc local call: a verifier holding the impersonation level instead of NTLMSSP. */
static uint32_t add_local_verifier(ntlm_rpc_client *c, ntlm_buffer *pdu)
{
	uint8_t token[RPC_LOCAL_TOKEN_LEN];
	rpc_local_token(c->imp_level, token);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, pdu->data, pdu->len);
	ntlm_err rc = rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, (uint8_t)c->level,
	                               (uint8_t)((4 - pdu->len % 4) % 4), 0, token, sizeof(token));
	ntlm_buffer_free(pdu);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, pdu);
	nb_writer_free(&w);
	return rc == NTLM_OK ? NTLM_RPC_S_OK : NTLM_RPC_S_OUT_OF_MEMORY;
}

/* The bind_ack or alter_context_resp must accept our one presentation context with NDR. */
static uint32_t check_ack(ntlm_rpc_client *c, const rpc_pdu *p)
{
	uint8_t want = c->bound ? RPC_PT_ALTER_RESP : RPC_PT_BIND_ACK;
	if (p->hdr.ptype != want && p->hdr.ptype != RPC_PT_BIND_NAK) {
		rpc_msg(c->msg, "unexpected PDU type %u instead of the %s", p->hdr.ptype,
		        c->bound ? "alter_context_resp" : "bind_ack");
		return NTLM_RPC_S_PROTOCOL_ERROR;
	}
	if (p->hdr.ptype == RPC_PT_BIND_NAK) {
		uint16_t reason = 0;
		rpc_parse_nak(p, &reason);
		c->fault = reason;
		rpc_msg(c->msg, "the server rejected the bind (bind_nak reason %u)", reason);
		return reason == NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED ? NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE
		                                                        : NTLM_RPC_S_ACCESS_DENIED;
	}
	rpc_ack_body ack;
	rpc_result res;
	if (rpc_parse_ack(p, &ack) != NTLM_OK || ack.n_results < 1 ||
	    rpc_next_result(&ack.results, &res) != NTLM_OK) {
		rpc_msg(c->msg, "malformed bind_ack");
		return NTLM_RPC_S_PROTOCOL_ERROR;
	}
	if (res.result != RPC_RESULT_ACCEPT) {
		rpc_msg(c->msg, "the server does not offer this interface (result %u, reason %u)",
		        res.result, res.reason);
		return NTLM_RPC_S_UNKNOWN_IF;
	}
	if (c->bound)
		return NTLM_RPC_S_OK; /* the fragment sizes were settled by the bind */
	c->max_xmit = ack.max_recv < RPC_FRAG_MIN ? RPC_FRAG_MIN : ack.max_recv;
	if (c->max_xmit > RPC_FRAG_OFFER)
		c->max_xmit = RPC_FRAG_OFFER;
	return NTLM_RPC_S_OK;
}

/* Sends the bind, reads the answer and checks it; the answer stays in *ack for the caller. */
static uint32_t exchange_bind(ntlm_rpc_client *c, ntlm_buffer *bind, uint8_t **ack, size_t *ack_len,
                              rpc_pdu *p)
{
	uint32_t st = send_pdu(c, bind);
	ntlm_buffer_free(bind);
	if (st == NTLM_RPC_S_OK)
		st = recv_pdu(c, ack, ack_len, p);
	if (st == NTLM_RPC_S_OK)
		st = check_ack(c, p);
	return st;
}

static uint32_t local_call_bind(ntlm_rpc_client *c, ntlm_buffer *bind)
{
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	rpc_pdu p;
	uint32_t answer = 1;
	uint32_t st = add_local_verifier(c, bind);
	if (st == NTLM_RPC_S_OK)
		st = exchange_bind(c, bind, &ack, &ack_len, &p);
	if (st == NTLM_RPC_S_OK &&
	    (!p.has_verifier ||
	     rpc_local_token_parse(p.ver.value, p.ver.value_len, &answer) != NTLM_OK || answer != 0)) {
		rpc_msg(c->msg, "the server did not accept the ncalrpc local call");
		st = NTLM_RPC_S_SEC_PKG_ERROR;
	}
	free_pdu(&ack, ack_len);
	c->local_call = st == NTLM_RPC_S_OK;
	return st;
}

static uint32_t new_sec(ntlm_rpc_client *c, const ntlm_cred *cred)
{
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	if (c->have_ncfg)
		cfg = c->ncfg;
	/* Over the network the principal can only travel as the NTLM target name. */
	cfg.target_name = c->ep.kind == RPC_TR_TCP ? c->server_principal : NULL;
	ntlm_err rc = rpc_sec_client_new(&c->sec, cred, &cfg, c->level, c->imp_level);
	if (rc == NTLM_OK)
		return NTLM_RPC_S_OK;
	rpc_msg(c->msg, "cannot start NTLM: %s", ntlm_strerror(rc));
	return rpc_status(rc);
}

/* bind (NEGOTIATE) -> bind_ack (CHALLENGE) -> rpc_auth_3 (AUTHENTICATE), no answer to the last. */
static uint32_t ntlm_bind(ntlm_rpc_client *c, const ntlm_cred *cred, ntlm_buffer *bind)
{
	uint32_t fault = 0, st = new_sec(c, cred);
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	rpc_pdu p;
	ntlm_buffer auth3 = {NULL, 0};
	ntlm_err rc = NTLM_OK;
	if (st == NTLM_RPC_S_OK &&
	    (rc = rpc_sec_step(c->sec, NULL, 0, bind, &fault)) != NTLM_CONTINUE) {
		rpc_msg(c->msg, "NTLM could not start: %s", ntlm_strerror(rc));
		st = NTLM_RPC_S_SEC_PKG_ERROR;
	}
	if (st == NTLM_RPC_S_OK)
		st = exchange_bind(c, bind, &ack, &ack_len, &p);
	if (st == NTLM_RPC_S_OK) {
		nb_writer w;
		nb_writer_init(&w);
		rc = rpc_put_auth3(&w, c->call_id);
		if (rc == NTLM_OK)
			rc = nb_writer_finish(&w, &auth3);
		nb_writer_free(&w);
		if (rc == NTLM_OK)
			rc = rpc_sec_step(c->sec, ack, ack_len, &auth3, &fault);
		if (rc != NTLM_OK) {
			rpc_msg(c->msg, "NTLM failed on the server's challenge: %s", ntlm_strerror(rc));
			st = rpc_status(rc);
		}
	}
	if (st == NTLM_RPC_S_OK)
		st = send_pdu(c, &auth3);
	ntlm_buffer_free(bind);
	ntlm_buffer_free(&auth3);
	free_pdu(&ack, ack_len);
	return st;
}

static uint32_t plain_bind(ntlm_rpc_client *c, ntlm_buffer *bind)
{
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	rpc_pdu p;
	uint32_t st = exchange_bind(c, bind, &ack, &ack_len, &p);
	free_pdu(&ack, ack_len);
	return st;
}

/* Who we are and how we prove it, before a byte is sent. */
static uint32_t prepare_identity(ntlm_rpc_client *c, const ntlm_cred **cred)
{
	*cred = c->cred;
	if (c->ep.kind == RPC_TR_LOCAL)
		return check_local_identity(c);
	return authenticated(c) ? pick_remote_cred(c, cred) : NTLM_RPC_S_OK;
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_bind(ntlm_rpc_client *cli, const ntlm_rpc_syntax *iface)
{
	if (!cli || !iface)
		return NTLM_RPC_S_INVALID_ARG;
	const ntlm_cred *cred = NULL;
	cli->fault = 0;
	cli->msg[0] = '\0';
	disconnect(cli);
	cli->ctxs[0] = *iface;
	uint32_t st = prepare_identity(cli, &cred);
	if (st == NTLM_RPC_S_OK)
		st = connect_endpoint(cli);
	ntlm_buffer bind = {NULL, 0};
	if (st == NTLM_RPC_S_OK)
		st = bare_bind(cli, &bind);
	if (st == NTLM_RPC_S_OK) {
		if (!authenticated(cli))
			st = plain_bind(cli, &bind);
		else if (cli->ep.kind == RPC_TR_LOCAL && !cred)
			st = local_call_bind(cli, &bind);
		else
			st = ntlm_bind(cli, cred, &bind);
	}
	ntlm_buffer_free(&bind);
	cli->call_id++;
	if (st != NTLM_RPC_S_OK) {
		disconnect(cli);
		return st;
	}
	cli->bound = 1;
	cli->n_ctxs = 1;
	return NTLM_RPC_S_OK;
}

/* The presentation context bound to iface, or -1. */
static int find_ctx(const ntlm_rpc_client *c, const ntlm_rpc_syntax *iface)
{
	for (size_t i = 0; i < c->n_ctxs; i++)
		if (rpc_syntax_equal(&c->ctxs[i], iface))
			return (int)i;
	return -1;
}

/*
 * A new presentation context on the established association, without a
 * verifier: the association keeps its one security context (a verifier
 * here is refused by our server, docs/rpc.md). A refused interface leaves
 * the association usable; a fault ends it.
 */
static uint32_t alter_context(ntlm_rpc_client *c, const ntlm_rpc_syntax *iface)
{
	if (c->n_ctxs >= CLIENT_MAX_CONTEXTS) {
		rpc_msg(c->msg, "too many interfaces on one association (%u)", CLIENT_MAX_CONTEXTS);
		return NTLM_RPC_S_OUT_OF_MEMORY;
	}
	nb_writer w;
	ntlm_buffer pdu = {NULL, 0};
	nb_writer_init(&w);
	ntlm_err rc = rpc_put_bind(&w, RPC_PT_ALTER, c->call_id++, 0, (uint16_t)c->n_ctxs, iface);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, &pdu);
	nb_writer_free(&w);
	if (rc != NTLM_OK)
		return NTLM_RPC_S_OUT_OF_MEMORY;
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	rpc_pdu p;
	uint32_t st = exchange_bind(c, &pdu, &ack, &ack_len, &p);
	free_pdu(&ack, ack_len);
	if (st == NTLM_RPC_S_OK)
		c->ctxs[c->n_ctxs++] = *iface;
	else if (st != NTLM_RPC_S_UNKNOWN_IF)
		disconnect(c); /* a fault or a malformed answer: the association's state is unknown */
	return st;
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_alter_context(ntlm_rpc_client *cli,
                                                       const ntlm_rpc_syntax *iface)
{
	if (!cli || !iface)
		return NTLM_RPC_S_INVALID_ARG;
	cli->fault = 0;
	cli->msg[0] = '\0';
	if (!cli->bound) {
		rpc_msg(cli->msg, "not bound: call ntlm_rpc_client_bind first");
		return NTLM_RPC_S_INVALID_BINDING;
	}
	return find_ctx(cli, iface) >= 0 ? NTLM_RPC_S_OK : alter_context(cli, iface);
}

/* ---------------------------------------------------------------- call */

/* Stub bytes per request fragment: room for the headers and, when signed, pad + verifier. */
static size_t fragment_room(const ntlm_rpc_client *c, const uint8_t *object)
{
	size_t overhead = RPC_CALL_HDR_LEN + (object ? 16 : 0);
	if (c->sec && ntlm_rpc_sec_level(c->sec) >= NTLM_RPC_LEVEL_PKT)
		overhead += RPC_AUTH_PAD_ALIGN - 1 + RPC_TRAILER_LEN + RPC_SIG_LEN;
	size_t room = c->max_xmit - overhead;
	return room - room % RPC_AUTH_PAD_ALIGN; /* whole pad units: only the last fragment pads */
}

/*
 * What a request carries: the stub and, on a signed or sealed association,
 * the verification trailer ([MS-RPCE] 2.2.2.13) so that the server can tell
 * whether the unprotected bind it saw named the interface we bound to, and
 * whether the header it dispatches on is ours. *keep_whole: where the last
 * fragment must start at the latest, so that the trailer travels whole in it.
 */
static uint32_t request_body(ntlm_rpc_client *c, uint16_t ctx, uint16_t opnum, const uint8_t *in,
                             size_t len, ntlm_buffer *body, size_t *keep_whole)
{
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, in, len);
	*keep_whole = len - len % RPC_AUTH_PAD_ALIGN;
	if (c->sec && ntlm_rpc_sec_level(c->sec) >= NTLM_RPC_LEVEL_PKT) {
		rpc_vt vt;
		memset(&vt, 0, sizeof(vt));
		/* Our NTLM bind always offers PFC_SUPPORT_HEADER_SIGN (sec.c): say so. */
		vt.have = RPC_VT_HAVE_BITMASK | RPC_VT_HAVE_PCONTEXT | RPC_VT_HAVE_HEADER2;
		vt.bitmask = RPC_VT_CLIENT_HDR_SIGN;
		vt.abstract = c->ctxs[ctx];
		vt.transfer = rpc_ndr_syntax;
		vt.ptype = RPC_PT_REQUEST;
		vt.drep[0] = RPC_DREP_LE;
		vt.call_id = c->call_id;
		vt.ctx_id = ctx;
		vt.opnum = opnum;
		rpc_put_vt(&w, len, &vt);
	}
	ntlm_err rc = nb_writer_finish(&w, body);
	nb_writer_free(&w);
	return rc == NTLM_OK ? NTLM_RPC_S_OK : NTLM_RPC_S_OUT_OF_MEMORY;
}

/* One request, fragmented; object (NULL: none) travels in every fragment's header. */
static uint32_t send_request(ntlm_rpc_client *c, uint16_t ctx, const uint8_t *object,
                             uint16_t opnum, const uint8_t *in, size_t len)
{
	ntlm_buffer body = {NULL, 0};
	size_t room = fragment_room(c, object), off = 0, keep_whole;
	uint32_t st = request_body(c, ctx, opnum, in, len, &body, &keep_whole);
	size_t total = body.len;
	while (st == NTLM_RPC_S_OK) {
		size_t n = total - off < room ? total - off : room;
		if (off + n < total && off + n > keep_whole)
			n = keep_whole - off; /* a shorter fragment, still whole pad units */
		uint8_t flags = (off == 0 ? RPC_PFC_FIRST : 0) | (off + n == total ? RPC_PFC_LAST : 0);
		nb_writer w;
		ntlm_buffer pdu = {NULL, 0};
		nb_writer_init(&w);
		ntlm_err rc = rpc_put_request_object(&w, c->call_id, flags, (uint32_t)(total - off), ctx,
		                                     opnum, object, body.data ? body.data + off : NULL, n);
		if (rc == NTLM_OK)
			rc = nb_writer_finish(&w, &pdu);
		nb_writer_free(&w);
		if (rc == NTLM_OK && c->sec)
			rc = rpc_sec_protect(c->sec, &pdu);
		st = rc == NTLM_OK ? send_pdu(c, &pdu) : NTLM_RPC_S_OUT_OF_MEMORY;
		ntlm_buffer_free(&pdu);
		off += n;
		if (off >= total)
			break;
	}
	ntlm_buffer_free(&body);
	return st;
}

/* Checks one response fragment and appends its stub to *out. */
static uint32_t take_response(ntlm_rpc_client *c, uint8_t *pdu, size_t len, const rpc_pdu *p,
                              nb_writer *out)
{
	size_t off, n;
	uint32_t fault = 0;
	if (p->hdr.ptype != RPC_PT_RESPONSE || p->hdr.call_id != c->call_id)
		return fail(c, NTLM_RPC_S_PROTOCOL_ERROR, "%s", "unexpected PDU instead of the response");
	if (c->sec) {
		ntlm_err rc = rpc_sec_unprotect(c->sec, pdu, len, &off, &n, &fault);
		if (rc != NTLM_OK) {
			c->fault = fault;
			return fail(c, ntlm_rpc_status_from_fault(fault), "the response does not verify: %s",
			            ntlm_strerror(rc));
		}
	} else {
		rpc_call_body body;
		if (rpc_parse_call(p, &body) != NTLM_OK || p->has_verifier)
			return fail(c, NTLM_RPC_S_PROTOCOL_ERROR, "%s", "malformed response");
		off = body.stub_off;
		n = body.stub_len;
	}
	if (out->len + n > CLIENT_MAX_RESPONSE)
		return fail(c, NTLM_RPC_S_OUT_OF_MEMORY, "%s", "response too large");
	uint8_t *span;
	if (rpc_span(pdu, len, off, n, &span) != NTLM_OK)
		return fail(c, NTLM_RPC_S_PROTOCOL_ERROR, "%s", "malformed response");
	nb_write_bytes(out, span, n);
	return out->err == NTLM_OK ? NTLM_RPC_S_OK : NTLM_RPC_S_OUT_OF_MEMORY;
}

static uint32_t recv_response(ntlm_rpc_client *c, ntlm_buffer *out)
{
	nb_writer w;
	nb_writer_init(&w);
	uint32_t st;
	int last = 0;
	do {
		uint8_t *pdu = NULL;
		size_t len = 0;
		rpc_pdu p;
		st = recv_pdu(c, &pdu, &len, &p);
		if (st == NTLM_RPC_S_OK) {
			last = (p.hdr.flags & RPC_PFC_LAST) != 0;
			st = take_response(c, pdu, len, &p, &w);
		}
		free_pdu(&pdu, len);
	} while (st == NTLM_RPC_S_OK && !last);
	if (st == NTLM_RPC_S_OK && nb_writer_finish(&w, out) != NTLM_OK)
		st = NTLM_RPC_S_OUT_OF_MEMORY;
	nb_writer_free(&w);
	return st;
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_call(ntlm_rpc_client *cli, uint16_t opnum,
                                              const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	return ntlm_rpc_client_call_object(cli, NULL, NULL, opnum, in, in_len, out);
}

NTLM_API ntlm_rpc_status ntlm_rpc_client_call_object(ntlm_rpc_client *cli,
                                                     const ntlm_rpc_syntax *iface,
                                                     const uint8_t object[16], uint16_t opnum,
                                                     const uint8_t *in, size_t in_len,
                                                     ntlm_buffer *out)
{
	if (!cli || !out || (!in && in_len))
		return NTLM_RPC_S_INVALID_ARG;
	out->data = NULL;
	out->len = 0;
	cli->fault = 0;
	cli->msg[0] = '\0';
	if (!cli->bound) {
		rpc_msg(cli->msg, "not bound: call ntlm_rpc_client_bind first");
		return NTLM_RPC_S_INVALID_BINDING;
	}
	uint32_t st = NTLM_RPC_S_OK;
	int ctx = iface ? find_ctx(cli, iface) : 0;
	if (ctx < 0 && (st = alter_context(cli, iface)) == NTLM_RPC_S_OK)
		ctx = (int)cli->n_ctxs - 1;
	if (st == NTLM_RPC_S_OK)
		st = send_request(cli, (uint16_t)ctx, object, opnum, in, in_len);
	if (st == NTLM_RPC_S_OK)
		st = recv_response(cli, out);
	cli->call_id++;
	return st;
}
