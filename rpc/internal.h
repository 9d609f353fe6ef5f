/*
 * internal.h - what the runtime's files share: endpoints and framing
 * (transport.c), local identities and the ncalrpc local-call token
 * (local.c), per-thread impersonation (imp.c).
 */
#ifndef NTLM_RPC_INTERNAL_H
#define NTLM_RPC_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "sized.h"
#include "ntlmssp/rpc.h"

#define RPC_MSG_CAP 320

/* printf into a fixed message buffer (always terminated). */
void rpc_msg(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Inside the library the codec, the transport and the security layer speak
 * ntlm_err (the NTLM package's type, and the bounded reader's); a public
 * function turns one into its ntlm_rpc_status here and nowhere else.
 */
ntlm_rpc_status rpc_status(ntlm_err err);

/* ------------------------------------------------------- security layer */

/* ntlm_rpc_sec_*, with the NTLM package's own error (the runtime's messages name it). */
ntlm_err rpc_sec_client_new(ntlm_rpc_sec **out, const ntlm_cred *cred,
                            const ntlm_client_config *cfg, uint32_t level, uint32_t imp_level);
ntlm_err rpc_sec_server_new(ntlm_rpc_sec **out, const ntlm_server_config *cfg);
ntlm_err rpc_sec_step(ntlm_rpc_sec *sec, const uint8_t *in_pdu, size_t in_len, ntlm_buffer *out_pdu,
                      uint32_t *fault);
ntlm_err rpc_sec_protect(ntlm_rpc_sec *sec, ntlm_buffer *pdu);
ntlm_err rpc_sec_unprotect(ntlm_rpc_sec *sec, uint8_t *pdu, size_t len, size_t *stub_off,
                           size_t *stub_len, uint32_t *fault);

/* ------------------------------------------------------------ transport */

typedef enum rpc_transport { RPC_TR_TCP = 1, RPC_TR_LOCAL = 2 } rpc_transport;

typedef struct rpc_endpoint {
	rpc_transport kind;
	char host[256]; /* tcp */
	uint16_t port;  /* tcp */
	char path[108]; /* ncalrpc: the socket file */
} rpc_endpoint;

/* Parses "ncacn_ip_tcp:HOST[PORT]" or "ncalrpc:[PATH]"; NTLM_RPC_S_INVALID_BINDING if neither. */
uint32_t rpc_endpoint_parse(const char *binding, rpc_endpoint *ep);
/* A connected socket, or -1 with errno set. */
int rpc_connect(const rpc_endpoint *ep);
/* The socket file an ncalrpc listener created, so that only that one is ever removed. */
typedef struct rpc_sockfile {
	dev_t dev;
	ino_t ino;
} rpc_sockfile;

/*
 * A listening socket (tcp: *port gets the bound port; ncalrpc: *file the
 * socket file, replacing one nobody listens on), or -1 with errno set
 * (EADDRINUSE: a live server listens there, or the path is not a socket).
 */
int rpc_listen(const rpc_endpoint *ep, uint16_t *port, rpc_sockfile *file);
/* Removes an ncalrpc listener's socket file if it is still the one rpc_listen created. */
void rpc_unlink_sockfile(const rpc_endpoint *ep, const rpc_sockfile *file);
/* Writes all of p (no SIGPIPE). */
ntlm_err rpc_send_all(int fd, const uint8_t *p, size_t n);
/* Reads one PDU (header, then frag_length - 16 bytes): *pdu is malloc'd. NTLM_E_IO on EOF. */
ntlm_err rpc_recv_pdu(int fd, size_t max, uint8_t **pdu, size_t *len);
/* The same, but the whole PDU must arrive within ms milliseconds (else NTLM_E_IO, ETIMEDOUT). */
ntlm_err rpc_recv_pdu_within(int fd, size_t max, unsigned ms, uint8_t **pdu, size_t *len);
/* Gives up on a peer silent for that long (a bound on every test and call). */
void rpc_set_timeouts(int fd, unsigned seconds);
void rpc_set_timeouts_ms(int fd, unsigned ms);

/* ------------------------------------------------------ local identities */

/* The kernel's credentials of the peer of a Unix-domain socket (SO_PEERCRED). */
typedef struct rpc_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
} rpc_peer;

ntlm_err rpc_peer_creds(int fd, rpc_peer *out);
/* This machine's NetBIOS-style name: short host name, upper case, at most 15 characters. */
void rpc_computer_name(char *out, size_t cap);
/* The account name of uid ("" if none), and "COMPUTER\\name" (the uid in decimal if nameless). */
void rpc_account_name(uid_t uid, char *out, size_t cap);
void rpc_local_principal(uid_t uid, char *out, size_t cap);
/* Principal comparison: user part case-insensitive; a domain of "" or "." means this machine. */
int rpc_principal_matches(const char *expected, const char *actual);

/*
 * The ncalrpc local-call token that stands in for NTLMSSP in the bind's
 * verifier: the identity comes from the kernel, so it only carries the
 * impersonation level (request) or a status (answer).
 */
#define RPC_LOCAL_TOKEN_LEN 16u
int rpc_is_local_token(const uint8_t *p, size_t n);
void rpc_local_token(uint32_t value, uint8_t out[RPC_LOCAL_TOKEN_LEN]);
ntlm_err rpc_local_token_parse(const uint8_t *p, size_t n, uint32_t *value);

/* --------------------------------------------------------- impersonation */

/* The calling thread's own credentials, saved while it impersonates. */
typedef struct rpc_creds {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t *groups;
	int ngroups;
} rpc_creds;

/*
 * The calling thread (only it) takes uid, gid and name's supplementary
 * groups. With delegate the real ids change too, which is how a later
 * outgoing call from this thread knows delegation was granted (see
 * rpc_thread_identity). NTLM_RPC_S_OK, or a status with a sentence in msg.
 */
uint32_t rpc_imp_enter(uid_t uid, gid_t gid, const char *name, int delegate, rpc_creds *saved,
                       char *msg);
/* Back to saved; on failure saved is kept (the thread is still someone else). */
uint32_t rpc_imp_leave(rpc_creds *saved, char *msg);
/* Frees what saved holds. */
void rpc_creds_forget(rpc_creds *saved);

typedef enum rpc_thread_id {
	RPC_ID_SELF = 0,      /* the process's own identity */
	RPC_ID_IMPERSONATING, /* someone else's, not to be passed on */
	RPC_ID_DELEGATING     /* someone else's, passable to local servers */
} rpc_thread_id;

/* What the calling thread currently is, from its real/effective/saved uids. */
rpc_thread_id rpc_thread_identity(uid_t *euid);

/* ------------------------------------------- server.c, for the fuzzer */

/*
 * One server connection without a socket: local_peer NULL for
 * ncacn_ip_tcp, else ncalrpc with that peer. serve runs one PDU through the
 * association logic (what the server sends is dropped) and returns 0 once
 * the connection would be closed. NULL if out of memory.
 */
struct conn;
struct conn *rpc_server_conn_detached(ntlm_rpc_server *s, const rpc_peer *local_peer);
int rpc_server_conn_serve(struct conn *c, uint8_t *pdu, size_t len);
void rpc_server_conn_free(struct conn *c);

/* The first published versions of rpc.h's sized structures (the ABI rule, ntlmssp.h). */
#define RPC_SERVER_CONFIG_V0_SIZE NTLM_SIZE_UPTO(ntlm_rpc_server_config, allow_root_impersonation)
#define RPC_INTERFACE_V0_SIZE     NTLM_SIZE_UPTO(ntlm_rpc_interface, min_level)
#define RPC_BLANKET_V0_SIZE       NTLM_SIZE_UPTO(ntlm_rpc_blanket, target_name)

#endif
