/*
 * local.c - identities on this machine: the kernel's peer credentials of a
 * Unix-domain socket, account and principal names, and the ncalrpc
 * local-call token.
 */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "text.h"
#include "try.h"

ntlm_err rpc_peer_creds(int fd, rpc_peer *out)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	/* Linux records these when the peer called connect() (or listen()), from the
	 * calling thread's credentials; effective ids, not real ones. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) != 0 || len != sizeof(uc))
		return NTLM_E_IO;
	out->pid = uc.pid;
	out->uid = uc.uid;
	out->gid = uc.gid;
	return NTLM_OK;
}

void rpc_computer_name(char *out, size_t cap)
{
	char host[256] = "LOCALHOST";
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "LOCALHOST");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (strlen(host) > 15)
		host[15] = '\0';
	for (char *c = host; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	snprintf(out, cap, "%s", host);
}

void rpc_account_name(uid_t uid, char *out, size_t cap)
{
	struct passwd pw, *found = NULL;
	char buf[2048];
	out[0] = '\0';
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(out, cap, "%s", found->pw_name);
}

void rpc_local_principal(uid_t uid, char *out, size_t cap)
{
	char computer[16], name[128];
	rpc_computer_name(computer, sizeof(computer));
	rpc_account_name(uid, name, sizeof(name));
	if (name[0])
		snprintf(out, cap, "%s\\%s", computer, name);
	else
		snprintf(out, cap, "%s\\%u", computer, (unsigned)uid);
}

/* Splits "DOMAIN\\user" (or "user") into its two parts, in place of out buffers. */
static void split_principal(const char *p, char *domain, size_t dcap, const char **user)
{
	const char *bs = strchr(p, '\\');
	domain[0] = '\0';
	*user = p;
	if (bs) {
		size_t n = (size_t)(bs - p);
		snprintf(domain, dcap, "%.*s", (int)(n < dcap ? n : dcap - 1), p);
		*user = bs + 1;
	}
}

int rpc_principal_matches(const char *expected, const char *actual)
{
	char edom[256], adom[256], computer[16];
	const char *euser, *auser;
	split_principal(expected, edom, sizeof(edom), &euser);
	split_principal(actual, adom, sizeof(adom), &auser);
	if (ntlm_strcasecmp_utf8(euser, auser) != 0)
		return 0;
	if (!edom[0] || strcmp(edom, ".") == 0) {
		/* "." and no domain name this machine, as Windows' ".\\user" does. */
		rpc_computer_name(computer, sizeof(computer));
		return !adom[0] || ntlm_strcasecmp_utf8(adom, computer) == 0;
	}
	return ntlm_strcasecmp_utf8(edom, adom) == 0;
}

/* ---------------------------------------------------- local-call token */

static const uint8_t local_magic[8] = {'N', 'T', 'L', 'M', 'L', 'C', 'L', 0};
#define LOCAL_TOKEN_VERSION 1u

int rpc_is_local_token(const uint8_t *p, size_t n)
{
	return p && n >= sizeof(local_magic) && memcmp(p, local_magic, sizeof(local_magic)) == 0;
}

void rpc_local_token(uint32_t value, uint8_t out[RPC_LOCAL_TOKEN_LEN])
{
	memcpy(out, local_magic, sizeof(local_magic));
	nb_store_u32le(out + 8, LOCAL_TOKEN_VERSION);
	nb_store_u32le(out + 12, value);
}

ntlm_err rpc_local_token_parse(const uint8_t *p, size_t n, uint32_t *value)
{
	nb_reader r;
	uint32_t version;
	nb_reader_init(&r, p, n);
	NTLM_TRY(nb_expect(&r, local_magic, sizeof(local_magic), NTLM_E_BAD_SIGNATURE_HEADER));
	NTLM_TRY(nb_read_u32le(&r, &version));
	if (version != LOCAL_TOKEN_VERSION)
		return NTLM_E_UNSUPPORTED;
	NTLM_TRY(nb_read_u32le(&r, value));
	return nb_remaining(&r) ? NTLM_E_FIELD_RANGE : NTLM_OK;
}
