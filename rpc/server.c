/*
 * server.c - the server runtime: endpoints, one thread per connection,
 * association (bind / alter_context / rpc_auth_3), calls and their faults,
 * and the COM-style security calls handlers make.
 *
 * A connection is served by its own thread so that a handler may
 * impersonate (per-thread credentials) and block without holding up
 * anyone else.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "pdu.h"
#include "mem.h"
#include "try.h"

#define MAX_LISTENERS           8
#define MAX_CONTEXTS            8
#define MAX_REQUEST             (4u * 1024 * 1024) /* a larger fragmented request is refused */
#define DEFAULT_MAX_CONNECTIONS 64
#define DEFAULT_MAX_PER_PEER    16
#define DEFAULT_HANDSHAKE_MS    10000
#define CONN_IDLE_SECONDS       300 /* a silent authenticated client gives its thread back */

struct listener {
	int fd;
	rpc_endpoint ep;
	uint16_t port;
	rpc_sockfile file; /* ncalrpc: the socket file it created */
};

/* Whom the per-peer limit counts: an IP address (an IPv6 /64), or a local uid. */
struct peer_key {
	uint8_t kind; /* 4, 6, 'u' (uid), 'x' (a local peer of unknown uid) */
	uint8_t addr[16];
};

struct conn;

struct ntlm_rpc_server {
	ntlm_rpc_server_config cfg;
	ntlm_server_config ntlm;
	int have_ntlm;
	char principal[256];
	ntlm_rpc_interface *ifaces;
	size_t n_ifaces;
	struct listener listeners[MAX_LISTENERS];
	size_t n_listeners;
	int wake[2]; /* ntlm_rpc_server_stop() and every ending connection write here */
	atomic_int stopping;
	pthread_mutex_t lock; /* guards conns, n_conns */
	struct conn *conns;
	unsigned n_conns;
	atomic_uint next_assoc;
};

struct pctx {
	uint16_t id;
	const ntlm_rpc_interface *iface;
	ntlm_rpc_syntax abstract; /* as the bind named it: what a verification trailer must repeat */
	int verified;             /* a verification trailer vouched for it */
};

/* One connection and its association. */
struct conn {
	ntlm_rpc_server *srv;
	struct conn *next;
	pthread_t thread;
	atomic_int done;
	int fd;
	const struct listener *l;
	rpc_peer peer;
	int have_peer;
	struct peer_key key;
	uint32_t assoc_group;
	uint16_t max_xmit; /* largest fragment we send */
	struct pctx ctxs[MAX_CONTEXTS];
	size_t n_ctxs;
	int bound;
	ntlm_rpc_sec *sec;     /* NTLMSSP association */
	uint32_t auth_ctx_id;  /* its auth_context_id */
	ntlm_rpc_sec *pending; /* a re-authentication under way (allow_reauthentication) */
	uint32_t pending_ctx_id;
	int local_call; /* ncalrpc: identity from the kernel */
	int authenticated;
	uint32_t level; /* the association's authentication level */
	uint32_t imp_level;
	char client_principal[256];
	char unix_user[64];
	char target_name[256];
	int closing;
};

struct ntlm_rpc_call {
	struct conn *conn;
	const rpc_call_body *body; /* the request: object UUID, opnum */
	int impersonating;
	rpc_creds saved;
	char msg[RPC_MSG_CAP];
};

/* ----------------------------------------------------------- set-up */

NTLM_API ntlm_rpc_status ntlm_rpc_server_new(ntlm_rpc_server **out,
                                             const ntlm_rpc_server_config *caller_cfg)
{
	ntlm_rpc_server_config copy, *cfg = &copy;
	if (!out || !caller_cfg)
		return NTLM_RPC_S_INVALID_ARG;
	*out = NULL;
	ntlm_err rc = ntlm_sized_in(cfg, sizeof(*cfg), caller_cfg, RPC_SERVER_CONFIG_V0_SIZE);
	ntlm_server_config ntlm = {NTLM_SERVER_CONFIG_INIT};
	if (rc == NTLM_OK && cfg->ntlm)
		rc = ntlm_sized_in(&ntlm, sizeof(ntlm), cfg->ntlm, SERVER_CONFIG_V0_SIZE);
	if (rc != NTLM_OK)
		return rpc_status(rc);
	ntlm_rpc_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NTLM_RPC_S_OUT_OF_MEMORY;
	s->cfg = *cfg;
	if (!s->cfg.min_level)
		s->cfg.min_level = NTLM_RPC_LEVEL_PKT_INTEGRITY; /* lower only when configured */
	if (!s->cfg.max_connections)
		s->cfg.max_connections = DEFAULT_MAX_CONNECTIONS;
	if (!s->cfg.max_connections_per_peer)
		s->cfg.max_connections_per_peer = DEFAULT_MAX_PER_PEER;
	if (!s->cfg.handshake_timeout_ms)
		s->cfg.handshake_timeout_ms = DEFAULT_HANDSHAKE_MS;
	if (cfg->ntlm) {
		s->ntlm = ntlm;
		s->have_ntlm = 1;
	}
	if (cfg->principal)
		snprintf(s->principal, sizeof(s->principal), "%s", cfg->principal);
	else
		rpc_local_principal(geteuid(), s->principal, sizeof(s->principal));
	s->cfg.principal = s->principal;
	atomic_init(&s->stopping, 0);
	atomic_init(&s->next_assoc, 0x53F0u);
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(s);
		return NTLM_RPC_S_OUT_OF_MEMORY;
	}
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return NTLM_RPC_S_OK;
}

NTLM_API ntlm_rpc_status ntlm_rpc_server_register(ntlm_rpc_server *srv,
                                                  const ntlm_rpc_interface *caller_iface)
{
	ntlm_rpc_interface copy, *iface = &copy;
	if (!srv || !caller_iface)
		return NTLM_RPC_S_INVALID_ARG;
	ntlm_err rc = ntlm_sized_in(iface, sizeof(*iface), caller_iface, RPC_INTERFACE_V0_SIZE);
	if (rc != NTLM_OK)
		return rpc_status(rc);
	if ((!iface->ops && iface->n_ops) || iface->n_ops > 65536)
		return NTLM_RPC_S_INVALID_ARG;
	ntlm_rpc_interface *grown = realloc(srv->ifaces, (srv->n_ifaces + 1) * sizeof(*grown));
	if (!grown)
		return NTLM_RPC_S_OUT_OF_MEMORY;
	grown[srv->n_ifaces++] = *iface;
	srv->ifaces = grown;
	return NTLM_RPC_S_OK;
}

NTLM_API ntlm_rpc_status ntlm_rpc_server_listen(ntlm_rpc_server *srv, const char *endpoint,
                                                uint16_t *port)
{
	if (!srv || srv->n_listeners == MAX_LISTENERS)
		return NTLM_RPC_S_INVALID_ARG;
	struct listener *l = &srv->listeners[srv->n_listeners];
	uint32_t st = rpc_endpoint_parse(endpoint, &l->ep);
	if (st != NTLM_RPC_S_OK)
		return st;
	l->fd = rpc_listen(&l->ep, &l->port, &l->file);
	if (l->fd < 0)
		return errno == EADDRINUSE ? NTLM_RPC_S_DUPLICATE_ENDPOINT : NTLM_RPC_S_SERVER_UNAVAILABLE;
	if (l->ep.kind == RPC_TR_TCP)
		l->ep.port = l->port;
	if (port)
		*port = l->port;
	srv->n_listeners++;
	return NTLM_RPC_S_OK;
}

NTLM_API void ntlm_rpc_server_stop(ntlm_rpc_server *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stopping, 1);
	ssize_t ignored = write(srv->wake[1], "x", 1);
	(void)ignored;
}

/* ------------------------------------------------------------ sending */

static ntlm_err send_buffer(struct conn *c, nb_writer *w)
{
	ntlm_buffer pdu = {NULL, 0};
	ntlm_err rc = nb_writer_finish(w, &pdu);
	nb_writer_free(w);
	if (rc == NTLM_OK)
		rc = rpc_send_all(c->fd, pdu.data, pdu.len);
	ntlm_buffer_free(&pdu);
	return rc;
}

static void send_fault(struct conn *c, uint32_t call_id, uint16_t ctx_id, uint32_t status,
                       int did_not_execute)
{
	nb_writer w;
	nb_writer_init(&w);
	rpc_put_fault(&w, call_id, ctx_id, status, did_not_execute);
	send_buffer(c, &w);
}

/* A security failure ends the association: fault, then close (as Samba does). */
static void fault_and_close(struct conn *c, uint32_t call_id, uint32_t status)
{
	send_fault(c, call_id, 0, status, 1);
	c->closing = 1;
}

static void send_nak(struct conn *c, uint32_t call_id, uint16_t reason)
{
	nb_writer w;
	nb_writer_init(&w);
	rpc_put_nak(&w, call_id, reason);
	send_buffer(c, &w);
	c->closing = 1;
}

/* -------------------------------------------------------- association */

static const ntlm_rpc_interface *find_iface(const ntlm_rpc_server *s, const ntlm_rpc_syntax *a)
{
	for (size_t i = 0; i < s->n_ifaces; i++) {
		const ntlm_rpc_syntax *id = &s->ifaces[i].id;
		if (memcmp(id->uuid, a->uuid, 16) == 0 && id->major == a->major && a->minor <= id->minor)
			return &s->ifaces[i];
	}
	return NULL;
}

static int offers_ndr(rpc_ctx_elem *e)
{
	ntlm_rpc_syntax ts;
	for (uint8_t i = 0; i < e->n_transfer; i++)
		if (rpc_next_syntax(&e->transfer_list, &ts) == NTLM_OK &&
		    rpc_syntax_equal(&ts, &rpc_ndr_syntax))
			return 1;
	return 0;
}

/* The answer to one presentation context; accepted ones are remembered. */
static void decide_ctx(struct conn *c, rpc_ctx_elem *e, rpc_result *r)
{
	memset(r, 0, sizeof(*r));
	if (rpc_is_btfn_syntax(&e->abstract)) {
		r->result = RPC_RESULT_NEGOTIATE_ACK; /* we ask for no optional feature */
		return;
	}
	const ntlm_rpc_interface *iface = find_iface(c->srv, &e->abstract);
	r->result = RPC_RESULT_PROVIDER_REJECT;
	if (!iface) {
		r->reason = RPC_REASON_ABSTRACT_NOT_SUPPORTED;
	} else if (!offers_ndr(e)) {
		r->reason = RPC_REASON_TRANSFER_NOT_SUPPORTED;
	} else if (c->n_ctxs < MAX_CONTEXTS) {
		c->ctxs[c->n_ctxs] = (struct pctx){e->ctx_id, iface, e->abstract, 0};
		c->n_ctxs++;
		r->result = RPC_RESULT_ACCEPT;
		r->transfer = rpc_ndr_syntax;
	}
}

/* The bare bind_ack / alter_context_resp for the contexts of a bind / alter_context. */
static ntlm_err build_ack(struct conn *c, const rpc_pdu *p, ntlm_buffer *out)
{
	rpc_bind_body b;
	rpc_result results[32];
	NTLM_TRY(rpc_parse_bind(p, &b));
	if (b.n_ctx == 0 || b.n_ctx > NTLM_ARRAY_LEN(results))
		return NTLM_E_FIELD_RANGE;
	for (uint8_t i = 0; i < b.n_ctx; i++) {
		rpc_ctx_elem e;
		NTLM_TRY(rpc_next_ctx(&b.ctx_list, &e));
		decide_ctx(c, &e, &results[i]);
	}
	int bind = p->hdr.ptype == RPC_PT_BIND;
	if (bind) {
		c->assoc_group = b.assoc_group ? b.assoc_group : atomic_fetch_add(&c->srv->next_assoc, 1);
		c->max_xmit = b.max_recv < RPC_FRAG_MIN ? RPC_FRAG_MIN : b.max_recv;
		if (c->max_xmit > RPC_FRAG_OFFER)
			c->max_xmit = RPC_FRAG_OFFER;
	}
	char addr[128] = "";
	if (bind && c->l->ep.kind == RPC_TR_TCP)
		snprintf(addr, sizeof(addr), "%u", c->l->port);
	else if (bind)
		snprintf(addr, sizeof(addr), "%s", c->l->ep.path);
	nb_writer w;
	nb_writer_init(&w);
	ntlm_err rc = rpc_put_ack(&w, bind ? RPC_PT_BIND_ACK : RPC_PT_ALTER_RESP, p->hdr.call_id,
	                          c->max_xmit, RPC_FRAG_OFFER, c->assoc_group, addr, results, b.n_ctx);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc;
}

/* The ncalrpc local call: who the client is comes from SO_PEERCRED, taken at accept. */
static ntlm_err accept_local_call(struct conn *c, const rpc_pdu *p, ntlm_buffer *ack)
{
	uint32_t imp;
	NTLM_TRY(rpc_local_token_parse(p->ver.value, p->ver.value_len, &imp));
	if (!c->have_peer || imp > NTLM_RPC_IMP_DELEGATE)
		return NTLM_E_UNSUPPORTED;
	c->imp_level = imp == NTLM_RPC_IMP_DEFAULT ? NTLM_RPC_IMP_IMPERSONATE : imp;
	c->local_call = c->authenticated = 1;
	c->level = NTLM_RPC_LEVEL_PKT_PRIVACY; /* the kernel's channel: what Windows reports too */
	/* An anonymous caller has no local account: its uid (maybe the server's own) is not told. */
	if (imp == NTLM_RPC_IMP_ANONYMOUS) {
		snprintf(c->client_principal, sizeof(c->client_principal), "NT AUTHORITY\\ANONYMOUS LOGON");
	} else {
		rpc_local_principal(c->peer.uid, c->client_principal, sizeof(c->client_principal));
		rpc_account_name(c->peer.uid, c->unix_user, sizeof(c->unix_user));
	}
	uint8_t token[RPC_LOCAL_TOKEN_LEN];
	rpc_local_token(0, token);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, ack->data, ack->len);
	ntlm_err rc = rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, p->ver.auth_level,
	                               (uint8_t)((4 - ack->len % 4) % 4), p->ver.context_id, token,
	                               sizeof(token));
	ntlm_buffer_free(ack);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, ack);
	nb_writer_free(&w);
	return rc;
}

/* The identity NTLM established, copied for the blanket. */
static void adopt_ntlm_identity(struct conn *c)
{
	ntlm_ctx *ctx = ntlm_rpc_sec_context(c->sec);
	c->authenticated = 1;
	c->level = ntlm_rpc_sec_level(c->sec);
	c->imp_level = ntlm_rpc_sec_imp_level(c->sec);
	snprintf(c->client_principal, sizeof(c->client_principal), "%s", ntlm_ctx_principal(ctx));
	snprintf(c->unix_user, sizeof(c->unix_user), "%s", ntlm_ctx_unix_user(ctx));
	snprintf(c->target_name, sizeof(c->target_name), "%s", ntlm_ctx_target_name(ctx));
}

/* First leg of NTLMSSP on a bind: NEGOTIATE in, CHALLENGE out in the bind_ack. */
static void start_ntlm(struct conn *c, const rpc_pdu *p, ntlm_buffer *ack)
{
	uint32_t fault = 0;
	ntlm_err rc = NTLM_E_UNSUPPORTED;
	if (c->srv->have_ntlm)
		rc = rpc_sec_server_new(&c->sec, &c->srv->ntlm);
	if (rc == NTLM_OK)
		rc = rpc_sec_step(c->sec, p->data, p->len, ack, &fault);
	c->auth_ctx_id = p->ver.context_id;
	if (rc == NTLM_CONTINUE) {
		rpc_send_all(c->fd, ack->data, ack->len);
		return;
	}
	send_nak(c, p->hdr.call_id, ntlm_rpc_nak_reason(rpc_status(rc), fault));
}

/* A later leg (rpc_auth_3, or alter_context carrying AUTHENTICATE). */
static void finish_ntlm(struct conn *c, const rpc_pdu *p, ntlm_buffer *ack)
{
	uint32_t fault = 0;
	ntlm_err rc = rpc_sec_step(c->sec, p->data, p->len, ack, &fault);
	if (rc != NTLM_OK) {
		fault_and_close(c, p->hdr.call_id, fault ? fault : NTLM_RPC_FAULT_SEC_PKG_ERROR);
		return;
	}
	adopt_ntlm_identity(c);
	if (ack && ack->data)
		rpc_send_all(c->fd, ack->data, ack->len);
}

/*
 * allow_reauthentication: an alter_context naming a new auth_context_id on an
 * NTLM association starts a second handshake (first leg here, rpc_auth_3 in
 * handle_auth3); the association keeps its context until that one is done.
 */
static int may_reauthenticate(const struct conn *c, const rpc_pdu *p)
{
	return c->srv->cfg.allow_reauthentication && c->sec && !c->local_call && !c->pending &&
	       p->ver.context_id != c->auth_ctx_id &&
	       !rpc_is_local_token(p->ver.value, p->ver.value_len);
}

static void start_reauthentication(struct conn *c, const rpc_pdu *p)
{
	ntlm_buffer ack = {NULL, 0};
	uint32_t fault = 0;
	ntlm_err rc = build_ack(c, p, &ack);
	if (rc == NTLM_OK)
		rc = rpc_sec_server_new(&c->pending, &c->srv->ntlm);
	if (rc == NTLM_OK)
		rc = rpc_sec_step(c->pending, p->data, p->len, &ack, &fault);
	if (rc == NTLM_CONTINUE) {
		c->pending_ctx_id = p->ver.context_id;
		rpc_send_all(c->fd, ack.data, ack.len);
	} else {
		ntlm_rpc_sec_free(c->pending);
		c->pending = NULL;
		fault_and_close(c, p->hdr.call_id, fault ? fault : NTLM_RPC_FAULT_ACCESS_DENIED);
	}
	ntlm_buffer_free(&ack);
}

/* The re-authentication's rpc_auth_3: its context replaces the association's, or the association ends. */
static void finish_reauthentication(struct conn *c, const rpc_pdu *p)
{
	uint32_t fault = 0;
	ntlm_err rc = rpc_sec_step(c->pending, p->data, p->len, NULL, &fault);
	if (rc != NTLM_OK) {
		ntlm_rpc_sec_free(c->pending);
		c->pending = NULL;
		fault_and_close(c, p->hdr.call_id, fault ? fault : NTLM_RPC_FAULT_SEC_PKG_ERROR);
		return;
	}
	ntlm_rpc_sec_free(c->sec);
	c->sec = c->pending;
	c->pending = NULL;
	c->auth_ctx_id = c->pending_ctx_id;
	c->client_principal[0] = c->unix_user[0] = c->target_name[0] = '\0';
	adopt_ntlm_identity(c);
}

static void handle_bind(struct conn *c, const rpc_pdu *p)
{
	int bind = p->hdr.ptype == RPC_PT_BIND;
	ntlm_buffer ack = {NULL, 0};
	if (!bind && c->authenticated && p->has_verifier && may_reauthenticate(c, p)) {
		start_reauthentication(c, p);
		return;
	}
	if (!bind && c->authenticated && p->has_verifier) {
		/* The association has its one security context; a verifier here would be
		 * ignored or start another, and neither may pass unnoticed. */
		fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_ACCESS_DENIED);
		return;
	}
	if (bind == c->bound || build_ack(c, p, &ack) != NTLM_OK) {
		/* a second bind, an alter_context first, or a malformed context list */
		if (bind)
			send_nak(c, p->hdr.call_id, NTLM_RPC_NAK_PROTOCOL_ERROR);
		else
			fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
		ntlm_buffer_free(&ack);
		return;
	}
	c->bound = 1;
	if (!p->has_verifier) {
		/* no authentication asked, or a new context on an established association */
		rpc_send_all(c->fd, ack.data, ack.len);
	} else if (bind && rpc_is_local_token(p->ver.value, p->ver.value_len)) {
		if (c->l->ep.kind == RPC_TR_LOCAL && accept_local_call(c, p, &ack) == NTLM_OK)
			rpc_send_all(c->fd, ack.data, ack.len);
		else
			send_nak(c, p->hdr.call_id, NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED);
	} else if (bind) {
		start_ntlm(c, p, &ack);
	} else if (c->sec) {
		finish_ntlm(c, p, &ack);
	} else {
		fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
	}
	ntlm_buffer_free(&ack);
}

static void handle_auth3(struct conn *c, const rpc_pdu *p)
{
	if (c->pending) {
		finish_reauthentication(c, p);
		return;
	}
	if (!c->sec || c->authenticated) {
		fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
		return;
	}
	finish_ntlm(c, p, NULL); /* rpc_auth_3 has no answer unless it fails */
}

/* -------------------------------------------------------------- calls */

static struct pctx *find_ctx(struct conn *c, uint16_t id)
{
	for (size_t i = 0; i < c->n_ctxs; i++)
		if (c->ctxs[i].id == id)
			return &c->ctxs[i];
	return NULL;
}

/* Verifies one request fragment and appends its stub; 0 or the fault status. */
static uint32_t take_fragment(struct conn *c, uint8_t *pdu, size_t len, const rpc_pdu *p,
                              nb_writer *stub)
{
	size_t off, n;
	uint32_t fault = NTLM_RPC_FAULT_PROTO_ERROR;
	if (c->sec && !c->authenticated)
		return NTLM_RPC_FAULT_ACCESS_DENIED; /* rpc_auth_3 never came */
	if (c->sec) {
		if (rpc_sec_unprotect(c->sec, pdu, len, &off, &n, &fault) != NTLM_OK)
			return fault;
	} else {
		rpc_call_body body;
		if (rpc_parse_call(p, &body) != NTLM_OK || p->has_verifier)
			return NTLM_RPC_FAULT_PROTO_ERROR;
		off = body.stub_off;
		n = body.stub_len;
	}
	if (stub->len + n > MAX_REQUEST)
		return NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
	uint8_t *span;
	if (rpc_span(pdu, len, off, n, &span) != NTLM_OK)
		return NTLM_RPC_FAULT_PROTO_ERROR;
	nb_write_bytes(stub, span, n);
	return stub->err == NTLM_OK ? 0 : NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
}

/*
 * One PDU; a fragment above the max_recv_frag we announce ends the
 * connection. Until the association is authenticated each PDU must arrive in
 * full within the handshake timeout, so a silent or trickling peer cannot
 * keep its slot; afterwards the (long) idle timeout of the socket applies.
 */
static ntlm_err conn_recv(struct conn *c, uint8_t **pdu, size_t *len)
{
	size_t max = RPC_FRAG_OFFER;
	if (c->fd < 0)
		return NTLM_E_IO; /* detached (the fuzzer's): no socket, as on a closed connection */
	if (c->authenticated)
		return rpc_recv_pdu(c->fd, max, pdu, len);
	return rpc_recv_pdu_within(c->fd, max, c->srv->cfg.handshake_timeout_ms, pdu, len);
}

/* Gathers the fragments of one request; the first is already read. 0 or a fault status. */
static uint32_t gather_request(struct conn *c, uint8_t *first, size_t len, const rpc_pdu *p,
                               nb_writer *stub)
{
	if (!(p->hdr.flags & RPC_PFC_FIRST))
		return NTLM_RPC_FAULT_PROTO_ERROR;
	uint32_t fault = take_fragment(c, first, len, p, stub);
	int last = (p->hdr.flags & RPC_PFC_LAST) != 0;
	while (!fault && !last) {
		uint8_t *pdu = NULL;
		size_t n = 0;
		rpc_pdu next;
		if (conn_recv(c, &pdu, &n) != NTLM_OK)
			return NTLM_RPC_FAULT_PROTO_ERROR;
		if (rpc_pdu_parse(pdu, n, &next) != NTLM_OK || next.hdr.ptype != RPC_PT_REQUEST ||
		    next.hdr.call_id != p->hdr.call_id || (next.hdr.flags & RPC_PFC_FIRST))
			fault = NTLM_RPC_FAULT_PROTO_ERROR;
		else
			fault = take_fragment(c, pdu, n, &next, stub);
		last = (next.hdr.flags & RPC_PFC_LAST) != 0;
		ntlm_free_secret(pdu, n);
	}
	return fault;
}

static uint32_t required_level(const struct conn *c, const ntlm_rpc_interface *iface)
{
	uint32_t a = c->srv->cfg.min_level, b = iface->min_level;
	return a > b ? a : b;
}

static uint32_t current_level(const struct conn *c)
{
	return c->authenticated ? c->level : NTLM_RPC_LEVEL_NONE;
}

/* Response fragments: each one signed or sealed on its own. */
static void send_response(struct conn *c, uint32_t call_id, uint16_t ctx_id, const ntlm_buffer *out)
{
	size_t overhead = RPC_CALL_HDR_LEN;
	if (c->sec && c->level >= NTLM_RPC_LEVEL_PKT)
		overhead += RPC_AUTH_PAD_ALIGN - 1 + RPC_TRAILER_LEN + RPC_SIG_LEN;
	size_t room = c->max_xmit - overhead;
	room -= room % RPC_AUTH_PAD_ALIGN;
	size_t off = 0;
	do {
		size_t n = out->len - off < room ? out->len - off : room;
		uint8_t flags = (off == 0 ? RPC_PFC_FIRST : 0) | (off + n == out->len ? RPC_PFC_LAST : 0);
		nb_writer w;
		ntlm_buffer pdu = {NULL, 0};
		nb_writer_init(&w);
		ntlm_err rc = rpc_put_response(&w, call_id, flags, (uint32_t)(out->len - off), ctx_id,
		                               out->data + off, n);
		if (rc == NTLM_OK)
			rc = nb_writer_finish(&w, &pdu);
		nb_writer_free(&w);
		if (rc == NTLM_OK && c->sec)
			rc = rpc_sec_protect(c->sec, &pdu);
		if (rc == NTLM_OK)
			rc = rpc_send_all(c->fd, pdu.data, pdu.len);
		ntlm_buffer_free(&pdu);
		if (rc != NTLM_OK) {
			c->closing = 1;
			return;
		}
		off += n;
	} while (off < out->len);
}

/*
 * The verification trailer ([MS-RPCE] 2.2.2.13) inside a signed or sealed
 * request vouches for what the unprotected bind negotiated (a man in the
 * middle may have renamed the interface) and, where the signature leaves the
 * header out (no ESS), for the fields that pick the operation. 0 or the
 * fault status; *call_len: the stub before the trailer, what the handler sees.
 */
static uint32_t check_vt(struct conn *c, const rpc_pdu *p, const rpc_call_body *body,
                         struct pctx *ctx, const ntlm_buffer *stub, size_t *call_len)
{
	rpc_vt vt;
	int found = 0;
	*call_len = stub->len;
	if (!c->sec || c->level < NTLM_RPC_LEVEL_PKT)
		return 0; /* nothing protects a trailer there: it would prove nothing */
	if (rpc_vt_parse(stub->data, stub->len, &vt, &found) != NTLM_OK)
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	int header_signed = (ntlm_ctx_flags(ntlm_rpc_sec_context(c->sec)) &
	                     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	if (c->srv->cfg.require_verification_trailer &&
	    ((!ctx->verified && !(vt.have & RPC_VT_HAVE_PCONTEXT)) ||
	     (!header_signed && !(vt.have & RPC_VT_HAVE_HEADER2))))
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	if (!found)
		return 0;
	if ((vt.have & RPC_VT_HAVE_BITMASK) && (vt.bitmask & RPC_VT_CLIENT_HDR_SIGN) &&
	    !ntlm_rpc_sec_header_signing(c->sec))
		return NTLM_RPC_FAULT_ACCESS_DENIED; /* PFC_SUPPORT_HEADER_SIGN vanished from the bind */
	if ((vt.have & RPC_VT_HAVE_PCONTEXT) && (!rpc_syntax_equal(&vt.abstract, &ctx->abstract) ||
	                                         !rpc_syntax_equal(&vt.transfer, &rpc_ndr_syntax)))
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	if ((vt.have & RPC_VT_HAVE_HEADER2) &&
	    (vt.ptype != p->hdr.ptype || memcmp(vt.drep, p->hdr.drep, 4) != 0 ||
	     vt.call_id != p->hdr.call_id || vt.ctx_id != body->ctx_id || vt.opnum != body->opnum))
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	if (vt.have & RPC_VT_HAVE_PCONTEXT)
		ctx->verified = 1;
	*call_len = vt.off;
	return 0;
}

/* Runs the handler; the client's identity never outlives the call on this thread. */
static uint32_t invoke(struct conn *c, const rpc_call_body *body, ntlm_rpc_op op, void *arg,
                       const ntlm_buffer *in, ntlm_buffer *out)
{
	ntlm_rpc_call call;
	memset(&call, 0, sizeof(call));
	call.conn = c;
	call.body = body;
	uint32_t status = op(&call, in->data, in->len, out, arg);
	if (call.impersonating && ntlm_rpc_revert_to_self(&call) != NTLM_RPC_S_OK) {
		/* The thread cannot get its own identity back: it answers nobody (the
		 * socket is shut down, so the sends below fail) and ends. */
		fprintf(stderr, "ntlm-rpc: %s; ending the connection's thread\n", call.msg);
		rpc_creds_forget(&call.saved);
		shutdown(c->fd, SHUT_RDWR);
		c->closing = 1;
	}
	return status;
}

static void handle_request(struct conn *c, uint8_t *pdu, size_t len, const rpc_pdu *p)
{
	rpc_call_body body;
	if (rpc_parse_call(p, &body) != NTLM_OK) {
		fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
		return;
	}
	nb_writer stub;
	nb_writer_init(&stub);
	uint32_t fault = gather_request(c, pdu, len, p, &stub);
	if (fault) {
		nb_writer_free(&stub);
		fault_and_close(c, p->hdr.call_id, fault);
		return;
	}
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	ntlm_err gathered = nb_writer_finish(&stub, &in);
	nb_writer_free(&stub);
	if (gathered != NTLM_OK) { /* never run a call on a stub we could not hold */
		fault_and_close(c, p->hdr.call_id, NTLM_RPC_FAULT_REMOTE_NO_MEMORY);
		return;
	}
	struct pctx *ctx = find_ctx(c, body.ctx_id);
	const ntlm_rpc_interface *iface = ctx ? ctx->iface : NULL;
	size_t call_len = in.len;
	if (!iface)
		fault = NTLM_RPC_FAULT_UNKNOWN_IF;
	else if (current_level(c) < required_level(c, iface))
		fault = NTLM_RPC_FAULT_ACCESS_DENIED;
	else if ((fault = check_vt(c, p, &body, ctx, &in, &call_len)) != 0) {
		ntlm_buffer_free(&in);
		fault_and_close(c, p->hdr.call_id, fault); /* tampering: the association is over */
		return;
	} else if (body.opnum >= iface->n_ops || !iface->ops[body.opnum])
		fault = NTLM_RPC_FAULT_OP_RNG_ERROR;
	int executed = fault == 0;
	if (executed) {
		ntlm_buffer call_in = {in.data, call_len};
		fault = invoke(c, &body, iface->ops[body.opnum], iface->arg, &call_in, &out);
	}
	if (fault)
		send_fault(c, p->hdr.call_id, body.ctx_id, fault, !executed);
	else
		send_response(c, p->hdr.call_id, body.ctx_id, &out);
	ntlm_buffer_free(&in);
	ntlm_buffer_free(&out);
}

static void serve_pdu(struct conn *c, uint8_t *pdu, size_t len)
{
	rpc_pdu p;
	if (rpc_pdu_parse(pdu, len, &p) != NTLM_OK) {
		c->closing = 1; /* not even a header to answer to */
		return;
	}
	switch (p.hdr.ptype) {
	case RPC_PT_BIND:
	case RPC_PT_ALTER:
		handle_bind(c, &p);
		break;
	case RPC_PT_AUTH3:
		handle_auth3(c, &p);
		break;
	case RPC_PT_REQUEST:
		if (!c->bound)
			fault_and_close(c, p.hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
		else
			handle_request(c, pdu, len, &p);
		break;
	case RPC_PT_CO_CANCEL:
	case RPC_PT_ORPHANED:
		break; /* calls run to completion; nothing to cancel */
	default:
		fault_and_close(c, p.hdr.call_id, NTLM_RPC_FAULT_PROTO_ERROR);
	}
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	int idle_timeouts = 0;
	while (!c->closing && !atomic_load(&c->srv->stopping)) {
		uint8_t *pdu = NULL;
		size_t len = 0;
		if (conn_recv(c, &pdu, &len) != NTLM_OK)
			break;
		serve_pdu(c, pdu, len);
		ntlm_free_secret(pdu, len);
		if (c->authenticated && !idle_timeouts) {
			rpc_set_timeouts(c->fd, CONN_IDLE_SECONDS);
			idle_timeouts = 1;
		}
	}
	shutdown(c->fd, SHUT_RDWR);
	atomic_store(&c->done, 1);
	/* A slot is free: the accept loop may take a connection waiting in the queue. */
	ssize_t ignored = write(c->srv->wake[1], "r", 1);
	(void)ignored;
	return NULL;
}

/* ---------------------------------------------------- accept and reap */

static void conn_free(struct conn *c)
{
	close(c->fd);
	ntlm_rpc_sec_free(c->sec);
	ntlm_rpc_sec_free(c->pending);
	ntlm_memzero(c, sizeof(*c));
	free(c);
}

/* Joins finished connections (all of them when everything is stopping). */
static void reap(ntlm_rpc_server *s, int all)
{
	pthread_mutex_lock(&s->lock);
	struct conn **pp = &s->conns;
	while (*pp) {
		struct conn *c = *pp;
		if (all)
			shutdown(c->fd, SHUT_RDWR);
		if (all || atomic_load(&c->done)) {
			*pp = c->next;
			s->n_conns--;
			pthread_mutex_unlock(&s->lock);
			pthread_join(c->thread, NULL);
			conn_free(c);
			pthread_mutex_lock(&s->lock);
			pp = &s->conns;
		} else {
			pp = &c->next;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void peer_key_of(const struct sockaddr_storage *from, const struct conn *c,
                        struct peer_key *k)
{
	memset(k, 0, sizeof(*k));
	if (from->ss_family == AF_INET) {
		k->kind = 4;
		memcpy(k->addr, &((const struct sockaddr_in *)from)->sin_addr, 4);
	} else if (from->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)from)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			k->kind = 4;
			memcpy(k->addr, a->s6_addr + 12, 4);
		} else {
			k->kind = 6; /* one site's /64 is one peer: it has that many addresses */
			memcpy(k->addr, a->s6_addr, 8);
		}
	} else if (c->have_peer) {
		k->kind = 'u';
		memcpy(k->addr, &c->peer.uid, sizeof(c->peer.uid));
	} else {
		k->kind = 'x';
	}
}

/* Connections of that peer (the caller holds the lock). */
static unsigned peer_count(const ntlm_rpc_server *s, const struct peer_key *k)
{
	unsigned n = 0;
	for (const struct conn *c = s->conns; c; c = c->next)
		n += memcmp(&c->key, k, sizeof(*k)) == 0;
	return n;
}

static void start_conn(ntlm_rpc_server *s, const struct listener *l, int fd,
                       const struct sockaddr_storage *from)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->l = l;
	atomic_init(&c->done, 0);
	/* Short until the association is authenticated (conn_main lengthens them). */
	rpc_set_timeouts_ms(fd, s->cfg.handshake_timeout_ms);
	if (l->ep.kind == RPC_TR_LOCAL)
		c->have_peer = rpc_peer_creds(fd, &c->peer) == NTLM_OK;
	peer_key_of(from, c, &c->key);
	pthread_mutex_lock(&s->lock);
	/* A peer beyond its share is closed at once, so one address cannot take every slot. */
	if (peer_count(s, &c->key) >= s->cfg.max_connections_per_peer ||
	    pthread_create(&c->thread, NULL, conn_main, c) != 0) {
		pthread_mutex_unlock(&s->lock);
		close(fd);
		free(c);
		return;
	}
	c->next = s->conns;
	s->conns = c;
	s->n_conns++;
	pthread_mutex_unlock(&s->lock);
}

/*
 * For the fuzzer: one connection's association logic (bind, alter_context,
 * rpc_auth_3, requests) fed PDUs from memory. There is no socket (fd -1):
 * what the server would send is dropped and nothing blocks; a request in
 * several fragments ends at its first, as on a closed connection.
 */
static const struct listener detached_listener[2] = {
	{.fd = -1, .ep = {RPC_TR_TCP, "", 0, ""}},
	{.fd = -1, .ep = {RPC_TR_LOCAL, "", 0, ""}},
};

struct conn *rpc_server_conn_detached(ntlm_rpc_server *s, const rpc_peer *local_peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->srv = s;
	c->fd = -1;
	c->l = &detached_listener[local_peer ? 1 : 0];
	if (local_peer) {
		c->peer = *local_peer;
		c->have_peer = 1;
	}
	atomic_init(&c->done, 0);
	return c;
}

int rpc_server_conn_serve(struct conn *c, uint8_t *pdu, size_t len)
{
	if (!c->closing)
		serve_pdu(c, pdu, len);
	return !c->closing;
}

void rpc_server_conn_free(struct conn *c)
{
	if (c)
		conn_free(c);
}

static int has_room(ntlm_rpc_server *s)
{
	pthread_mutex_lock(&s->lock);
	int room = s->n_conns < s->cfg.max_connections;
	pthread_mutex_unlock(&s->lock);
	return room;
}

static void accept_one(ntlm_rpc_server *s, const struct listener *l)
{
	struct sockaddr_storage from;
	socklen_t len = sizeof(from);
	memset(&from, 0, sizeof(from));
	int fd = accept4(l->fd, (struct sockaddr *)&from, &len, SOCK_CLOEXEC);
	if (fd >= 0)
		start_conn(s, l, fd, &from);
}

static void drain_wake(ntlm_rpc_server *s)
{
	char buf[64];
	while (read(s->wake[0], buf, sizeof(buf)) > 0)
		;
}

NTLM_API ntlm_rpc_status ntlm_rpc_server_run(ntlm_rpc_server *srv)
{
	if (!srv || srv->n_listeners == 0)
		return NTLM_RPC_S_INVALID_ARG;
	struct pollfd pfd[MAX_LISTENERS + 1];
	while (!atomic_load(&srv->stopping)) {
		reap(srv, 0);
		/* At the limit the listeners are left alone: new connections wait in the
		 * kernel's accept queue (instead of being reset) until one ends and wakes us. */
		nfds_t n = 0;
		pfd[n++] = (struct pollfd){srv->wake[0], POLLIN, 0};
		if (has_room(srv))
			for (size_t i = 0; i < srv->n_listeners; i++)
				pfd[n++] = (struct pollfd){srv->listeners[i].fd, POLLIN, 0};
		if (poll(pfd, n, 1000) < 0 && errno != EINTR)
			return NTLM_RPC_S_CALL_FAILED;
		if (pfd[0].revents & POLLIN)
			drain_wake(srv);
		for (nfds_t i = 1; i < n; i++)
			if ((pfd[i].revents & POLLIN) && has_room(srv))
				accept_one(srv, &srv->listeners[i - 1]);
	}
	return NTLM_RPC_S_OK;
}

NTLM_API void ntlm_rpc_server_free(ntlm_rpc_server *srv)
{
	if (!srv)
		return;
	ntlm_rpc_server_stop(srv);
	reap(srv, 1);
	for (size_t i = 0; i < srv->n_listeners; i++) {
		close(srv->listeners[i].fd);
		rpc_unlink_sockfile(&srv->listeners[i].ep, &srv->listeners[i].file);
	}
	close(srv->wake[0]);
	close(srv->wake[1]);
	pthread_mutex_destroy(&srv->lock);
	free(srv->ifaces);
	free(srv);
}

/* ---------------------------------------------- server-side security */

NTLM_API const char *ntlm_rpc_call_message(const ntlm_rpc_call *call)
{
	return call ? call->msg : "";
}

NTLM_API ntlm_rpc_status ntlm_rpc_query_client_blanket(ntlm_rpc_call *call, ntlm_rpc_blanket *out)
{
	if (!call || !out)
		return NTLM_RPC_S_INVALID_ARG;
	const struct conn *c = call->conn;
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT}, *full = &b;
	full->authn_svc = c->authenticated ? NTLM_RPC_AUTHN_WINNT : NTLM_RPC_AUTHN_NONE;
	full->authz_svc = NTLM_RPC_AUTHZ_NONE;
	full->server_principal = c->srv->principal;
	full->authn_level = current_level(c);
	full->imp_level = c->authenticated ? c->imp_level : NTLM_RPC_IMP_ANONYMOUS;
	full->client_principal = c->client_principal;
	full->unix_user = c->unix_user;
	full->local = c->local_call;
	full->target_name = c->target_name;
	/* only the fields the caller's structure has room for */
	return rpc_status(ntlm_sized_out(out, full, sizeof(*full), RPC_BLANKET_V0_SIZE));
}

/* uid, gid and name of the account that represents the caller. */
static uint32_t caller_account(ntlm_rpc_call *call, uid_t *uid, gid_t *gid, const char **name)
{
	const struct conn *c = call->conn;
	struct passwd pw, *found = NULL;
	char buf[2048];
	*name = c->unix_user;
	if (c->local_call) {
		*uid = c->peer.uid;
		*gid = c->peer.gid;
		if (getpwuid_r(*uid, &pw, buf, sizeof(buf), &found) == 0 && found)
			*gid = found->pw_gid;
		return NTLM_RPC_S_OK;
	}
	if (c->unix_user[0] && getpwnam_r(c->unix_user, &pw, buf, sizeof(buf), &found) == 0 && found) {
		*uid = found->pw_uid;
		*gid = found->pw_gid;
		return NTLM_RPC_S_OK;
	}
	rpc_msg(call->msg, "%s maps to no local account", c->client_principal);
	return NTLM_RPC_S_ACCESS_DENIED;
}

NTLM_API ntlm_rpc_status ntlm_rpc_impersonate_client(ntlm_rpc_call *call)
{
	if (!call)
		return NTLM_RPC_S_INVALID_ARG;
	const struct conn *c = call->conn;
	if (call->impersonating)
		return NTLM_RPC_S_OK;
	if (!c->authenticated) {
		rpc_msg(call->msg, "the call is not authenticated: there is no client to impersonate");
		return NTLM_RPC_S_NO_CONTEXT_AVAILABLE;
	}
	if (c->imp_level == NTLM_RPC_IMP_ANONYMOUS || c->imp_level == NTLM_RPC_IMP_IDENTIFY) {
		rpc_msg(call->msg, "%s granted only the %s impersonation level", c->client_principal,
		        c->imp_level == NTLM_RPC_IMP_ANONYMOUS ? "anonymous" : "identify");
		return c->imp_level == NTLM_RPC_IMP_ANONYMOUS ? NTLM_RPC_S_CANT_OPEN_ANONYMOUS
		                                              : NTLM_RPC_S_BAD_IMPERSONATION_LEVEL;
	}
	uid_t uid;
	gid_t gid;
	const char *name;
	uint32_t st = caller_account(call, &uid, &gid, &name);
	if (st == NTLM_RPC_S_OK && uid == 0 && !c->srv->cfg.allow_root_impersonation) {
		/* A handler impersonates to be limited to the client's rights: root has no limits. */
		rpc_msg(call->msg,
		        "%s maps to uid 0: impersonating root is refused "
		        "(allow_root_impersonation)",
		        c->client_principal);
		st = NTLM_RPC_S_ACCESS_DENIED;
	}
	if (st == NTLM_RPC_S_OK)
		st = rpc_imp_enter(uid, gid, name, c->imp_level == NTLM_RPC_IMP_DELEGATE, &call->saved,
		                   call->msg);
	call->impersonating = st == NTLM_RPC_S_OK;
	return st;
}

NTLM_API ntlm_rpc_status ntlm_rpc_revert_to_self(ntlm_rpc_call *call)
{
	if (!call)
		return NTLM_RPC_S_INVALID_ARG;
	if (!call->impersonating)
		return NTLM_RPC_S_OK;
	/* Still someone else until the way back worked (the runtime then ends the thread). */
	uint32_t st = rpc_imp_leave(&call->saved, call->msg);
	if (st == NTLM_RPC_S_OK)
		call->impersonating = 0;
	return st;
}

/* ------------------------------------------ what an object runtime needs */

NTLM_API int ntlm_rpc_call_object(const ntlm_rpc_call *call, uint8_t out[16])
{
	int has = call && call->body && call->body->has_object;
	if (out)
		memset(out, 0, 16);
	if (has && out)
		memcpy(out, call->body->object, 16);
	return has;
}

NTLM_API uint16_t ntlm_rpc_call_opnum(const ntlm_rpc_call *call)
{
	return call && call->body ? call->body->opnum : 0;
}

NTLM_API const ntlm_ctx *ntlm_rpc_call_ntlm_context(const ntlm_rpc_call *call)
{
	if (!call || !call->conn->authenticated || call->conn->local_call || !call->conn->sec)
		return NULL;
	return ntlm_rpc_sec_context(call->conn->sec);
}

NTLM_API ntlm_rpc_status ntlm_rpc_call_endpoint(const ntlm_rpc_call *call, char *host, size_t cap,
                                                uint16_t *port)
{
	if (!call || !host || cap == 0 || !port)
		return NTLM_RPC_S_INVALID_ARG;
	const struct conn *c = call->conn;
	*port = 0;
	host[0] = '\0';
	if (c->l->ep.kind == RPC_TR_LOCAL) {
		int n = snprintf(host, cap, "%s", c->l->ep.path);
		return n >= 0 && (size_t)n < cap ? NTLM_RPC_S_OK : NTLM_RPC_S_INVALID_ARG;
	}
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	memset(&local, 0, sizeof(local));
	if (c->fd < 0 || getsockname(c->fd, (struct sockaddr *)&local, &len) != 0)
		return NTLM_RPC_S_CALL_FAILED;
	const void *addr = NULL;
	if (local.ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)&local)->sin_addr;
	else if (local.ss_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)&local)->sin6_addr;
	if (!addr || !inet_ntop(local.ss_family, addr, host, (socklen_t)cap))
		return NTLM_RPC_S_INVALID_ARG;
	*port = c->l->port;
	return NTLM_RPC_S_OK;
}
