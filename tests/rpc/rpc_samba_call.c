/*
 * rpc_samba_call - our RPC client against Samba's own RPC server.
 *
 *   rpc_samba_call HOST USER PASSWORD DOMAIN integrity|privacy
 *
 * 1. asks the endpoint mapper (ncacn_ip_tcp:HOST[135], no authentication)
 *    where srvsvc listens: ept_map with a hand-encoded tower;
 * 2. binds srvsvc there with NTLMSSP at the given level and calls
 *    NetrServerGetInfo level 101 (NDR encoded by hand, [MS-SRVS] 3.1.4.17).
 *
 * Prints what it learns; exits 0 if the call returned WERR_OK, 1 otherwise
 * (a wrong password must exit 1), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ntlmssp/rpc.h"
#include "mem.h"
#include "text.h"
#include "try.h"

#define EPM_UUID          "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
#define SRVSVC_UUID       "4b324fc8-1670-01d3-1278-5a47bf6ee188"
#define NDR_UUID          "8a885d04-1ceb-11c9-9fe8-08002b104860"
#define EPM_OP_MAP        3
#define SRVSVC_OP_GETINFO 21

/* Tower protocol identifiers ([C706] appendix I). */
#define TWR_UUID  0x0d
#define TWR_NCACN 0x0b
#define TWR_TCP   0x07
#define TWR_IP    0x09

static ntlm_rpc_syntax syntax(const char *uuid, uint16_t major, uint16_t minor)
{
	ntlm_rpc_syntax s;
	memset(&s, 0, sizeof(s));
	/* the callers pass constants that parse */
	NTLM_IGNORE_RESULT(ntlm_rpc_uuid_parse(uuid, s.uuid));
	s.major = major;
	s.minor = minor;
	return s;
}

static void floor_uuid(nb_writer *w, const ntlm_rpc_syntax *s)
{
	nb_write_u16le(w, 19);
	nb_write_u8(w, TWR_UUID);
	nb_write_bytes(w, s->uuid, 16);
	nb_write_u16le(w, s->major);
	nb_write_u16le(w, 2);
	nb_write_u16le(w, s->minor);
}

static void floor_simple(nb_writer *w, uint8_t proto, const uint8_t *rhs, uint16_t rhs_len)
{
	nb_write_u16le(w, 1);
	nb_write_u8(w, proto);
	nb_write_u16le(w, rhs_len);
	nb_write_bytes(w, rhs, rhs_len);
}

/* The tower "srvsvc over NDR over ncacn_ip_tcp, any port, any host". */
static ntlm_err srvsvc_tower(ntlm_buffer *out)
{
	static const uint8_t zero[4];
	ntlm_rpc_syntax iface = syntax(SRVSVC_UUID, 3, 0), ndr = syntax(NDR_UUID, 2, 0);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_u16le(&w, 5);
	floor_uuid(&w, &iface);
	floor_uuid(&w, &ndr);
	floor_simple(&w, TWR_NCACN, zero, 2);
	floor_simple(&w, TWR_TCP, zero, 2);
	floor_simple(&w, TWR_IP, zero, 4);
	ntlm_err rc = nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc;
}

static void put_tower(nb_writer *w, const ntlm_buffer *tower)
{
	nb_write_u32le(w, (uint32_t)tower->len); /* conformance of the struct's array */
	nb_write_u32le(w, (uint32_t)tower->len); /* tower_length */
	nb_write_bytes(w, tower->data, tower->len);
	nb_write_zeros(w, (4 - tower->len % 4) % 4);
}

static ntlm_err epm_map_request(nb_writer *w)
{
	static const uint8_t nil[16];
	ntlm_buffer tower = {NULL, 0};
	NTLM_TRY(srvsvc_tower(&tower));
	nb_write_u32le(w, 1); /* object: full pointer to the nil UUID */
	nb_write_bytes(w, nil, 16);
	nb_write_u32le(w, 2); /* map_tower: full pointer */
	put_tower(w, &tower);
	nb_write_zeros(w, 20); /* entry_handle: a nil context handle */
	nb_write_u32le(w, 4);  /* max_towers */
	ntlm_buffer_free(&tower);
	return w->err;
}

/* The TCP port in one tower's floors (big-endian in the right-hand side); 0 if none. */
static uint16_t tower_port(const uint8_t *p, size_t n)
{
	nb_reader r;
	uint16_t floors = 0, lhs_len, rhs_len;
	const uint8_t *lhs, *rhs;
	nb_reader_init(&r, p, n);
	if (nb_read_u16le(&r, &floors) != NTLM_OK)
		return 0;
	for (uint16_t i = 0; i < floors; i++) {
		if (nb_read_u16le(&r, &lhs_len) != NTLM_OK || nb_read_view(&r, lhs_len, &lhs) != NTLM_OK ||
		    nb_read_u16le(&r, &rhs_len) != NTLM_OK || nb_read_view(&r, rhs_len, &rhs) != NTLM_OK)
			return 0;
		if (lhs_len == 1 && lhs[0] == TWR_TCP && rhs_len == 2)
			return (uint16_t)(rhs[0] << 8 | rhs[1]);
	}
	return 0;
}

/* entry_handle, num_towers, towers (conformant varying array of pointers), status. */
static uint16_t epm_map_port(const ntlm_buffer *resp)
{
	nb_reader r;
	uint32_t num, max, offset, actual, ref, status, conf, len;
	nb_reader_init(&r, resp->data, resp->len);
	if (nb_skip(&r, 20) != NTLM_OK || nb_read_u32le(&r, &num) != NTLM_OK ||
	    nb_read_u32le(&r, &max) != NTLM_OK || nb_read_u32le(&r, &offset) != NTLM_OK ||
	    nb_read_u32le(&r, &actual) != NTLM_OK || actual > max)
		return 0;
	for (uint32_t i = 0; i < actual; i++)
		if (nb_read_u32le(&r, &ref) != NTLM_OK)
			return 0;
	uint16_t port = 0;
	for (uint32_t i = 0; i < actual && !port; i++) {
		const uint8_t *tw;
		if (nb_read_u32le(&r, &conf) != NTLM_OK || nb_read_u32le(&r, &len) != NTLM_OK ||
		    nb_read_view(&r, len, &tw) != NTLM_OK || nb_skip(&r, (4 - len % 4) % 4) != NTLM_OK)
			return 0;
		port = tower_port(tw, len);
	}
	if (nb_read_u32le(&r, &status) == NTLM_OK && status != 0)
		return 0;
	return port;
}

static uint32_t call_once(const char *binding, const ntlm_rpc_syntax *iface, uint32_t level,
                          const ntlm_cred *cred, uint16_t opnum, const nb_writer *req,
                          ntlm_buffer *resp)
{
	ntlm_rpc_client *cli = NULL;
	uint32_t st = ntlm_rpc_client_new(&cli, binding);
	uint32_t svc = level == NTLM_RPC_LEVEL_NONE ? NTLM_RPC_AUTHN_NONE : NTLM_RPC_AUTHN_WINNT;
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(cli, svc, level, NTLM_RPC_IMP_IMPERSONATE, NULL);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(cli, cred);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_bind(cli, iface);
	if (st == NTLM_RPC_S_OK && svc == NTLM_RPC_AUTHN_WINNT)
		printf("samba: bound with NTLMSSP, header signing %s\n",
		       ntlm_rpc_client_header_signing(cli) ? "negotiated" : "not negotiated");
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_call(cli, opnum, req->data, req->len, resp);
	if (st != NTLM_RPC_S_OK)
		printf("samba: %s: %s (0x%08x): %s\n", binding, ntlm_rpc_status_name(st), st,
		       cli ? ntlm_rpc_client_message(cli) : "");
	ntlm_rpc_client_free(cli);
	return st;
}

static uint16_t find_srvsvc(const char *host)
{
	char binding[300];
	nb_writer req;
	ntlm_buffer resp = {NULL, 0};
	ntlm_rpc_syntax epm = syntax(EPM_UUID, 3, 0);
	snprintf(binding, sizeof(binding), "ncacn_ip_tcp:%s[135]", host);
	nb_writer_init(&req);
	uint16_t port = 0;
	if (epm_map_request(&req) == NTLM_OK &&
	    call_once(binding, &epm, NTLM_RPC_LEVEL_NONE, NULL, EPM_OP_MAP, &req, &resp) == 0)
		port = epm_map_port(&resp);
	nb_writer_free(&req);
	ntlm_buffer_free(&resp);
	return port;
}

/* [string] wchar_t*: max_count, offset, actual_count, UTF-16LE with its NUL, pad to 4. */
static void put_wstring(nb_writer *w, const char *ascii)
{
	uint32_t n = (uint32_t)strlen(ascii) + 1;
	nb_write_u32le(w, n);
	nb_write_u32le(w, 0);
	nb_write_u32le(w, n);
	for (uint32_t i = 0; i < n; i++)
		nb_write_u16le(w, (uint8_t)ascii[i]);
	nb_write_zeros(w, (4 - (n * 2) % 4) % 4);
}

static ntlm_err get_wstring(nb_reader *r, char **out)
{
	uint32_t max, off, actual;
	const uint8_t *p;
	NTLM_TRY(nb_read_u32le(r, &max));
	NTLM_TRY(nb_read_u32le(r, &off));
	NTLM_TRY(nb_read_u32le(r, &actual));
	if (actual == 0 || actual > max || actual > 4096)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(nb_read_view(r, (size_t)actual * 2, &p));
	NTLM_TRY(nb_skip(r, (4 - (actual * 2) % 4) % 4));
	return ntlm_utf16le_to_utf8(p, (size_t)(actual - 1) * 2, out); /* without the NUL */
}

/* InfoStruct (union arm 101: pointer to SERVER_INFO_101), then the WERROR. */
static int print_info101(const ntlm_buffer *resp)
{
	nb_reader r;
	uint32_t level, ref, platform, name_ref, major, minor, type, comment_ref, werr = 1;
	char *name = NULL, *comment = NULL;
	nb_reader_init(&r, resp->data, resp->len);
	int ok = nb_read_u32le(&r, &level) == NTLM_OK && level == 101 &&
	         nb_read_u32le(&r, &ref) == NTLM_OK && ref != 0 &&
	         nb_read_u32le(&r, &platform) == NTLM_OK && nb_read_u32le(&r, &name_ref) == NTLM_OK &&
	         nb_read_u32le(&r, &major) == NTLM_OK && nb_read_u32le(&r, &minor) == NTLM_OK &&
	         nb_read_u32le(&r, &type) == NTLM_OK && nb_read_u32le(&r, &comment_ref) == NTLM_OK &&
	         (!name_ref || get_wstring(&r, &name) == NTLM_OK) &&
	         (!comment_ref || get_wstring(&r, &comment) == NTLM_OK) &&
	         nb_read_u32le(&r, &werr) == NTLM_OK;
	if (ok)
		printf("samba: NetrServerGetInfo 101: platform %u name %s version %u.%u type 0x%x "
		       "comment \"%s\" WERROR 0x%x\n",
		       platform, name ? name : "", major, minor, type, comment ? comment : "", werr);
	else
		printf("samba: malformed NetrServerGetInfo answer (%zu bytes)\n", resp->len);
	ntlm_free_string(name);
	ntlm_free_string(comment);
	return ok && werr == 0 && platform == 500 ? 0 : 1;
}

static int get_info(const char *host, uint16_t port, uint32_t level, const ntlm_cred *cred)
{
	char binding[300], server[300];
	nb_writer req;
	ntlm_buffer resp = {NULL, 0};
	ntlm_rpc_syntax srvsvc = syntax(SRVSVC_UUID, 3, 0);
	snprintf(binding, sizeof(binding), "ncacn_ip_tcp:%s[%u]", host, port);
	snprintf(server, sizeof(server), "\\\\%s", host);
	nb_writer_init(&req);
	nb_write_u32le(&req, 0x00020000); /* ServerName: unique pointer */
	put_wstring(&req, server);
	nb_write_u32le(&req, 101); /* Level */
	int rc = 1;
	if (call_once(binding, &srvsvc, level, cred, SRVSVC_OP_GETINFO, &req, &resp) == 0)
		rc = print_info101(&resp);
	nb_writer_free(&req);
	ntlm_buffer_free(&resp);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 6 || (strcmp(argv[5], "integrity") && strcmp(argv[5], "privacy"))) {
		fprintf(stderr, "usage: rpc_samba_call HOST USER PASSWORD DOMAIN integrity|privacy\n");
		return 2;
	}
	uint32_t level = strcmp(argv[5], "privacy") == 0 ? NTLM_RPC_LEVEL_PKT_PRIVACY
	                                                 : NTLM_RPC_LEVEL_PKT_INTEGRITY;
	uint16_t port = find_srvsvc(argv[1]);
	if (!port) {
		printf("samba: the endpoint mapper of %s does not know srvsvc over ncacn_ip_tcp\n",
		       argv[1]);
		return 1;
	}
	printf("samba: endpoint mapper: srvsvc on port %u\n", port);
	ntlm_cred *cred = NULL;
	if (ntlm_cred_password(&cred, argv[4], argv[2], argv[3]) != NTLM_OK)
		return 2;
	int rc = get_info(argv[1], port, level, cred);
	ntlm_cred_free(cred);
	return rc;
}
