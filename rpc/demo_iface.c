/* demo_iface.c - the demonstration interface; see demo_iface.h for the stubs. */
#include "demo_iface.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "try.h"

#define READ_MAX (64u * 1024)

void demo_put_string(nb_writer *w, const char *s, size_t n)
{
	nb_write_u32le(w, (uint32_t)n);
	nb_write_bytes(w, s, n);
	nb_write_zeros(w, (4 - n % 4) % 4);
}

/* A "string" from untrusted stub bytes, NUL-terminated into out (cap bytes). */
static ntlm_err get_string(nb_reader *r, char *out, size_t cap)
{
	uint32_t n;
	const uint8_t *p;
	NTLM_TRY(nb_read_u32le(r, &n));
	if (n >= cap)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(nb_read_view(r, n, &p));
	NTLM_TRY(nb_skip(r, (4 - n % 4) % 4));
	memcpy(out, p, n);
	out[n] = '\0';
	return strlen(out) == n ? NTLM_OK : NTLM_E_BAD_STRING;
}

static uint32_t finish(nb_writer *w, ntlm_buffer *out)
{
	ntlm_err rc = nb_writer_finish(w, out);
	nb_writer_free(w);
	return rc == NTLM_OK ? 0 : NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
}

/*
 * The thread is still the client: answer nothing made with that identity.
 * (The runtime ends the connection's thread after the handler returns.)
 */
static uint32_t revert_failed(void)
{
	return NTLM_RPC_FAULT_ACCESS_DENIED;
}

static uint32_t op_echo(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                        void *arg)
{
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, in, len);
	return finish(&w, out);
}

static uint32_t op_add(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                       void *arg)
{
	nb_reader r;
	uint32_t a, b;
	nb_reader_init(&r, in, len);
	if (nb_read_u32le(&r, &a) != NTLM_OK || nb_read_u32le(&r, &b) != NTLM_OK || nb_remaining(&r))
		return NTLM_RPC_FAULT_NDR;
	nb_writer w;
	nb_writer_init(&w);
	nb_write_u32le(&w, a + b);
	return finish(&w, out);
}

static void put_cstring(nb_writer *w, const char *s)
{
	demo_put_string(w, s ? s : "", s ? strlen(s) : 0);
}

/* The blanket and the thread's ids, as WhoAmI answers them. */
static void put_whoami(ntlm_rpc_call *call, uint32_t status, nb_writer *w)
{
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	/* it fails only for a bad argument: the answer then shows no identity at all */
	if (ntlm_rpc_query_client_blanket(call, &b) != NTLM_RPC_S_OK)
		b = (ntlm_rpc_blanket){NTLM_RPC_BLANKET_INIT};
	nb_write_u32le(w, status);
	nb_write_u32le(w, (uint32_t)geteuid()); /* the calling thread's: a plain system call */
	nb_write_u32le(w, (uint32_t)getegid());
	nb_write_u32le(w, b.authn_svc);
	nb_write_u32le(w, b.authn_level);
	nb_write_u32le(w, b.imp_level);
	nb_write_u32le(w, (uint32_t)b.local);
	put_cstring(w, b.client_principal);
	put_cstring(w, b.unix_user);
	put_cstring(w, b.server_principal);
	put_cstring(w, b.target_name);
}

static uint32_t op_whoami(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                          void *arg)
{
	nb_reader r;
	uint32_t flags = 0, status = 0;
	nb_reader_init(&r, in, len);
	if (len && nb_read_u32le(&r, &flags) != NTLM_OK)
		return NTLM_RPC_FAULT_NDR;
	if (flags & DEMO_WHOAMI_IMPERSONATE)
		status = ntlm_rpc_impersonate_client(call);
	nb_writer w;
	nb_writer_init(&w);
	put_whoami(call, status, &w);
	return finish(&w, out);
}

/* Reads path with the thread's current identity; errno-style result. */
static uint32_t read_prefix(const char *path, nb_writer *content)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (uint32_t)errno;
	uint8_t buf[4096];
	ssize_t n = 0;
	while (content->len < READ_MAX && (n = read(fd, buf, sizeof(buf))) > 0)
		nb_write_bytes(content, buf, (size_t)n);
	int err = n < 0 ? errno : 0;
	close(fd);
	return (uint32_t)err;
}

static uint32_t op_readfile(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                            void *arg)
{
	nb_reader r;
	char path[1024];
	nb_reader_init(&r, in, len);
	if (get_string(&r, path, sizeof(path)) != NTLM_OK)
		return NTLM_RPC_FAULT_NDR;
	uint32_t status = ntlm_rpc_impersonate_client(call), err = EACCES;
	nb_writer content, w;
	nb_writer_init(&content);
	if (status == NTLM_RPC_S_OK)
		err = read_prefix(path, &content);
	nb_writer_init(&w);
	nb_write_u32le(&w, status);
	nb_write_u32le(&w, err);
	nb_write_u32le(&w, (uint32_t)geteuid());
	demo_put_string(&w, (const char *)content.data, content.len);
	nb_writer_free(&content);
	if (ntlm_rpc_revert_to_self(call) != NTLM_RPC_S_OK) {
		nb_writer_free(&w);
		return revert_failed();
	}
	return finish(&w, out);
}

/* WhoAmI on another server with this thread's identity (no credentials given). */
static uint32_t onward_whoami(const char *binding, ntlm_buffer *answer, char *msg, size_t cap)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_rpc_syntax syn;
	demo_syntax(&syn);
	uint32_t st = ntlm_rpc_client_new(&cli, binding);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(cli, NTLM_RPC_AUTHN_WINNT, NTLM_RPC_LEVEL_PKT_PRIVACY,
		                                 NTLM_RPC_IMP_IMPERSONATE, NULL);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_bind(cli, &syn);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_call(cli, DEMO_OP_WHOAMI, NULL, 0, answer);
	snprintf(msg, cap, "%s", cli ? ntlm_rpc_client_message(cli) : "bad binding");
	ntlm_rpc_client_free(cli);
	return st;
}

static uint32_t op_relay(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                         void *arg)
{
	nb_reader r;
	char binding[512], msg[512] = "";
	nb_reader_init(&r, in, len);
	if (get_string(&r, binding, sizeof(binding)) != NTLM_OK)
		return NTLM_RPC_FAULT_NDR;
	ntlm_buffer answer = {NULL, 0};
	uint32_t onward = NTLM_RPC_S_ACCESS_DENIED;
	uint32_t status = ntlm_rpc_impersonate_client(call);
	if (status == NTLM_RPC_S_OK)
		onward = onward_whoami(binding, &answer, msg, sizeof(msg));
	else
		snprintf(msg, sizeof(msg), "%s", ntlm_rpc_call_message(call));
	if (ntlm_rpc_revert_to_self(call) != NTLM_RPC_S_OK) {
		ntlm_buffer_free(&answer);
		return revert_failed();
	}
	nb_writer w;
	nb_writer_init(&w);
	nb_write_u32le(&w, status);
	nb_write_u32le(&w, onward);
	put_cstring(&w, msg);
	demo_put_string(&w, (const char *)answer.data, answer.len);
	ntlm_buffer_free(&answer);
	return finish(&w, out);
}

static const ntlm_rpc_op demo_ops[DEMO_OP_COUNT] = {
	[DEMO_OP_ECHO] = op_echo,         [DEMO_OP_ADD] = op_add,     [DEMO_OP_WHOAMI] = op_whoami,
	[DEMO_OP_READFILE] = op_readfile, [DEMO_OP_RELAY] = op_relay,
};

void demo_syntax(ntlm_rpc_syntax *out)
{
	memset(out, 0, sizeof(*out));
	/* a constant that parses: the RPC tests use this syntax */
	NTLM_IGNORE_RESULT(ntlm_rpc_uuid_parse(DEMO_IFACE_UUID, out->uuid));
	out->major = DEMO_IFACE_MAJOR;
	out->minor = DEMO_IFACE_MINOR;
}

void demo_iface(ntlm_rpc_interface *out)
{
	*out = (ntlm_rpc_interface){NTLM_RPC_INTERFACE_INIT};
	demo_syntax(&out->id);
	out->ops = demo_ops;
	out->n_ops = DEMO_OP_COUNT;
}

ntlm_err demo_parse_whoami(const uint8_t *stub, size_t len, demo_whoami *o)
{
	nb_reader r;
	memset(o, 0, sizeof(*o));
	nb_reader_init(&r, stub, len);
	uint32_t *fields[] = {&o->status,      &o->euid,      &o->egid, &o->authn_svc,
	                      &o->authn_level, &o->imp_level, &o->local};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(fields); i++)
		NTLM_TRY(nb_read_u32le(&r, fields[i]));
	NTLM_TRY(get_string(&r, o->client_principal, sizeof(o->client_principal)));
	NTLM_TRY(get_string(&r, o->unix_user, sizeof(o->unix_user)));
	NTLM_TRY(get_string(&r, o->server_principal, sizeof(o->server_principal)));
	return get_string(&r, o->target_name, sizeof(o->target_name));
}
