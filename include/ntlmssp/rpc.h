/*
 * rpc.h - NTLMSSP as the DCE/RPC authentication service RPC_C_AUTHN_WINNT
 * (10), for connection-oriented RPC ([C706] chapter 12, [MS-RPCE] 2.2.2).
 *
 * Three layers, each usable without the ones above it:
 *
 *   1. The security layer (ntlm_rpc_sec_*): builds and checks the auth
 *      verifier (sec_trailer + token) of bind, bind_ack, alter_context,
 *      alter_context_resp and rpc_auth_3, and signs / seals request and
 *      response PDUs at each authentication level. Any connection-oriented
 *      runtime can drive it with whole PDUs.
 *   2. A small runtime (ntlm_rpc_client_*, ntlm_rpc_server_*) over
 *      ncacn_ip_tcp and ncalrpc (a Unix-domain socket).
 *   3. COM-style security calls for servers (query client blanket,
 *      impersonate, revert) and clients (set blanket).
 *
 * See docs/rpc.md for what is and is not verified at each level.
 *
 * One error type: every function that can fail returns an ntlm_rpc_status,
 * 0 (NTLM_RPC_S_OK) or the Windows RPC_STATUS / SEC_E_* number for the same
 * condition (ntlm_rpc_strerror() says it in words). A fault received from a
 * server is reported with the matching RPC_S_* value and, raw, by
 * ntlm_rpc_client_fault(). A failure of the NTLM package itself (an
 * ntlm_err of libntlmssp) is reported as the SEC_E_* value
 * ntlm_err_sec_status() gives for it, except NTLM_E_INVALID_PARAMETER,
 * NTLM_E_NO_MEMORY and NTLM_E_UNSUPPORTED, which are NTLM_RPC_S_INVALID_ARG,
 * NTLM_RPC_S_OUT_OF_MEMORY and NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE. Every
 * failure also leaves a sentence in ntlm_rpc_client_message(),
 * ntlm_rpc_call_message() or ntlm_rpc_sec_message(). Every function that
 * returns an ntlm_rpc_status is NTLM_MUST_CHECK, as in ntlmssp.h.
 */
#ifndef NTLMSSP_RPC_H
#define NTLMSSP_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ constants */

/* Authentication and authorization services ([MS-RPCE] 2.2.1.1.7). */
#define NTLM_RPC_AUTHN_NONE  0u
#define NTLM_RPC_AUTHN_WINNT 10u
#define NTLM_RPC_AUTHZ_NONE  0u

/* Authentication levels ([MS-RPCE] 2.2.1.1.8). */
#define NTLM_RPC_LEVEL_DEFAULT       0u /* = PKT_INTEGRITY; CONNECT only when named */
#define NTLM_RPC_LEVEL_NONE          1u
#define NTLM_RPC_LEVEL_CONNECT       2u
#define NTLM_RPC_LEVEL_CALL          3u /* upgraded to PKT on connection-oriented transports */
#define NTLM_RPC_LEVEL_PKT           4u
#define NTLM_RPC_LEVEL_PKT_INTEGRITY 5u
#define NTLM_RPC_LEVEL_PKT_PRIVACY   6u

/* Impersonation levels (COM's RPC_C_IMP_LEVEL_*). */
#define NTLM_RPC_IMP_DEFAULT     0u /* = IMPERSONATE */
#define NTLM_RPC_IMP_ANONYMOUS   1u
#define NTLM_RPC_IMP_IDENTIFY    2u
#define NTLM_RPC_IMP_IMPERSONATE 3u
#define NTLM_RPC_IMP_DELEGATE    4u

/* Fault statuses carried in fault PDUs ([C706] appendix E, [MS-RPCE] 2.2.2.7). */
#define NTLM_RPC_FAULT_ACCESS_DENIED    0x00000005u /* nca_s_fault_access_denied */
#define NTLM_RPC_FAULT_NDR              0x000006F7u /* nca_s_fault_ndr */
#define NTLM_RPC_FAULT_SEC_PKG_ERROR    0x00000721u /* nca_s_fault_sec_pkg_error */
#define NTLM_RPC_FAULT_OP_RNG_ERROR     0x1C010002u /* nca_s_op_rng_error */
#define NTLM_RPC_FAULT_UNKNOWN_IF       0x1C010003u /* nca_s_unknown_if */
#define NTLM_RPC_FAULT_PROTO_ERROR      0x1C01000Bu /* nca_s_proto_error */
#define NTLM_RPC_FAULT_CONTEXT_MISMATCH 0x1C00001Au /* nca_s_fault_context_mismatch */
#define NTLM_RPC_FAULT_REMOTE_NO_MEMORY 0x1C00001Bu /* nca_s_fault_remote_no_memory */

/* bind_nak provider_reject_reason ([MS-RPCE] 2.2.2.5). */
#define NTLM_RPC_NAK_NOT_SPECIFIED             0u
#define NTLM_RPC_NAK_LOCAL_LIMIT_EXCEEDED      2u
#define NTLM_RPC_NAK_PROTOCOL_ERROR            4u
#define NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED 8u
#define NTLM_RPC_NAK_INVALID_CHECKSUM          9u

/* RPC statuses (Windows values): what every function of this library that can fail returns. */
typedef uint32_t ntlm_rpc_status;

#define NTLM_RPC_S_OK                      0u
#define NTLM_RPC_S_CONTINUE_NEEDED         0x00090312u /* SEC_I_CONTINUE_NEEDED: a handshake leg to send */
#define NTLM_RPC_S_ACCESS_DENIED           5u
#define NTLM_RPC_S_OUT_OF_MEMORY           14u
#define NTLM_RPC_S_INVALID_ARG             87u
#define NTLM_RPC_S_BAD_IMPERSONATION_LEVEL 1346u /* ERROR_BAD_IMPERSONATION_LEVEL */
#define NTLM_RPC_S_CANT_OPEN_ANONYMOUS     1347u /* ERROR_CANT_OPEN_ANONYMOUS */
#define NTLM_RPC_S_INVALID_BINDING         1702u
#define NTLM_RPC_S_UNKNOWN_IF              1717u
#define NTLM_RPC_S_SERVER_UNAVAILABLE      1722u
#define NTLM_RPC_S_DUPLICATE_ENDPOINT      1740u /* the endpoint is in use by a live server */
#define NTLM_RPC_S_CALL_FAILED             1726u
#define NTLM_RPC_S_PROTOCOL_ERROR          1728u
#define NTLM_RPC_S_PROCNUM_OUT_OF_RANGE    1745u
#define NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE   1747u
#define NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL     1748u
#define NTLM_RPC_S_NO_CONTEXT_AVAILABLE    1751u       /* not an authenticated call */
#define NTLM_RPC_S_BAD_STUB_DATA           1783u       /* RPC_X_BAD_STUB_DATA (= nca_s_fault_ndr) */
#define NTLM_RPC_S_SEC_PKG_ERROR           1825u       /* = nca_s_fault_sec_pkg_error */
#define NTLM_RPC_S_LOGON_DENIED            0x8009030Cu /* SEC_E_LOGON_DENIED */
#define NTLM_RPC_S_NO_CREDENTIALS          0x8009030Eu /* SEC_E_NO_CREDENTIALS */
#define NTLM_RPC_S_WRONG_PRINCIPAL         0x80090322u /* SEC_E_WRONG_PRINCIPAL */

/* Symbolic name of a status, fault or SEC_E value ("NTLM_RPC_S_ACCESS_DENIED"); never NULL. */
NTLM_API const char *ntlm_rpc_status_name(ntlm_rpc_status status);
/* A fixed sentence for a status ("access denied"); never NULL. */
NTLM_API const char *ntlm_rpc_strerror(ntlm_rpc_status status);
/* The RPC status a client reports for a fault status it received. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_status_from_fault(uint32_t fault);

/* ------------------------------------------------------------ syntaxes */

/* An interface or transfer syntax: UUID (in its little-endian NDR wire form) and version. */
typedef struct ntlm_rpc_syntax {
	uint8_t uuid[16];
	uint16_t major, minor;
} ntlm_rpc_syntax;

/* "8a885d04-1ceb-11c9-9fe8-08002b104860" -> wire form. NTLM_RPC_S_INVALID_ARG if malformed. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_uuid_parse(const char *text, uint8_t wire[16]);
/* Wire form -> lower-case text (37 bytes with the NUL). */
NTLM_API void ntlm_rpc_uuid_format(const uint8_t wire[16], char out[37]);

/* ------------------------------------------------ 1. the security layer */

/*
 * One NTLMSSP security context of one association (its auth_context_id).
 * PDUs are passed whole (common header included, little-endian data
 * representation); "bare" means complete with auth_length 0 and
 * frag_length equal to its size.
 */
typedef struct ntlm_rpc_sec ntlm_rpc_sec;

/*
 * Client. level is NTLM_RPC_LEVEL_CONNECT..PKT_PRIVACY (CALL becomes PKT,
 * DEFAULT becomes PKT_INTEGRITY); imp_level NTLM_RPC_IMP_ANONYMOUS or IDENTIFY sets
 * NTLMSSP_NEGOTIATE_IDENTIFY, the only impersonation limit NTLM can carry.
 * cred and cfg (cfg may be NULL) are used during the call only.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_sec_client_new(ntlm_rpc_sec **out,
                                                                 const ntlm_cred *cred,
                                                                 const ntlm_client_config *cfg,
                                                                 uint32_t level,
                                                                 uint32_t imp_level);
/*
 * Server; the level is the one the client's bind asks for (a level of 0 or 1
 * in a bind's verifier is refused). A runtime must refuse calls below the
 * level it requires (ntlm_rpc_sec_level): at CONNECT ntlm_rpc_sec_unprotect
 * checks nothing, so anyone on the path can send such calls.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_sec_server_new(ntlm_rpc_sec **out,
                                                                 const ntlm_server_config *cfg);
NTLM_API void ntlm_rpc_sec_free(ntlm_rpc_sec *sec);

/*
 * One leg of the handshake. in_pdu: the peer's bind, bind_ack, alter_context,
 * alter_context_resp or rpc_auth_3 (NULL for the client's first leg). Its
 * verifier is checked (auth type, level, context id, layout) and its token
 * goes through ntlm_step(). If that produces a token, out_pdu must hold the
 * bare PDU to answer with (bind / alter_context, bind_ack /
 * alter_context_resp, rpc_auth_3): the verifier is appended, the lengths are
 * patched, and PFC_SUPPORT_HEADER_SIGN is offered (client bind) or echoed
 * (server ack) there. Returns NTLM_RPC_S_CONTINUE_NEEDED, NTLM_RPC_S_OK or
 * an error; on an error *fault (if not NULL) receives the fault status that
 * describes it (proto error, sec pkg error or access denied).
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_sec_step(ntlm_rpc_sec *sec, const uint8_t *in_pdu,
                                                           size_t in_len, ntlm_buffer *out_pdu,
                                                           uint32_t *fault);

/*
 * Protects a bare request or response PDU in *pdu for sending: at PKT and
 * above it adds the auth padding (stub padded to 16 bytes), the sec_trailer
 * and the NTLM signature, sealing the stub at PKT_PRIVACY; at CONNECT it
 * adds nothing. With NTLMv2 session security the signature covers the
 * whole PDU, header included (what Windows and Samba do for NTLMSSP).
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_sec_protect(ntlm_rpc_sec *sec, ntlm_buffer *pdu);
/*
 * Checks a received request or response PDU in place (unsealing at
 * PKT_PRIVACY) and locates its plaintext stub: pdu[*stub_off, +*stub_len).
 * On failure *fault receives the fault status to answer with.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_sec_unprotect(ntlm_rpc_sec *sec, uint8_t *pdu,
                                                                size_t len, size_t *stub_off,
                                                                size_t *stub_len, uint32_t *fault);
/* The NTLM package's sentence for the last failure of sec ("" if none). */
NTLM_API const char *ntlm_rpc_sec_message(const ntlm_rpc_sec *sec);

/* The NTLM context (principal, unix user, flags...); NULL before the first step. */
NTLM_API ntlm_ctx *ntlm_rpc_sec_context(const ntlm_rpc_sec *sec);
/* Effective level (after CALL->PKT); server: 0 until the bind was read. */
NTLM_API uint32_t ntlm_rpc_sec_level(const ntlm_rpc_sec *sec);
/* 1 if both sides announced PFC_SUPPORT_HEADER_SIGN. */
NTLM_API int ntlm_rpc_sec_header_signing(const ntlm_rpc_sec *sec);
/* Server: IDENTIFY if the client set NTLMSSP_NEGOTIATE_IDENTIFY, else IMPERSONATE. */
NTLM_API uint32_t ntlm_rpc_sec_imp_level(const ntlm_rpc_sec *sec);
/* The bind_nak reason for a failed server leg (status and fault as ntlm_rpc_sec_step gave them). */
NTLM_API uint16_t ntlm_rpc_nak_reason(ntlm_rpc_status status, uint32_t fault);

/* ---------------------------------------------------------- 2. runtime */

/* Server-side view of one call, valid inside a handler only. */
typedef struct ntlm_rpc_call ntlm_rpc_call;

/*
 * An operation: in/in_len is the request's NDR stub; put the response stub in
 * *out (malloc'd; the runtime frees it). Return 0, or a fault status
 * (e.g. NTLM_RPC_FAULT_ACCESS_DENIED) to answer with a fault PDU.
 */
typedef uint32_t (*ntlm_rpc_op)(ntlm_rpc_call *call, const uint8_t *in, size_t in_len,
                                ntlm_buffer *out, void *arg);

/* Structures with struct_size follow the ABI rule of ntlmssp.h (their _INIT macros). */
typedef struct ntlm_rpc_interface {
	size_t struct_size;     /* NTLM_RPC_INTERFACE_INIT */
	ntlm_rpc_syntax id;     /* interface UUID and version */
	const ntlm_rpc_op *ops; /* indexed by opnum */
	size_t n_ops;
	void *arg;          /* passed to every op */
	uint32_t min_level; /* calls below are refused with access denied (0: the server's) */
} ntlm_rpc_interface;
#define NTLM_RPC_INTERFACE_INIT NTLM_STRUCT_INIT_(ntlm_rpc_interface)

typedef struct ntlm_rpc_server_config {
	size_t struct_size; /* NTLM_RPC_SERVER_CONFIG_INIT */
	/* NTLM acceptor settings for ncacn_ip_tcp (store required there); not
	 * needed for ncalrpc, whose clients are identified by the kernel. Copied;
	 * the store, policy and names it points to must outlive the server. */
	const ntlm_server_config *ntlm;
	const char *principal; /* reported as the server principal; NULL: "COMPUTER\\account" */
	/* Every interface's floor. 0: PKT_INTEGRITY. Below it a man in the middle
	 * can inject calls that run as the client: NTLM_RPC_LEVEL_CONNECT (or NONE,
	 * unauthenticated calls too) only if set here explicitly. */
	uint32_t min_level;
	unsigned max_connections; /* 0: 64; beyond it connections wait in the accept queue */
	/* 1: a signed or sealed call on a presentation context no verification
	 * trailer has vouched for yet is refused ([MS-RPCE] 2.2.2.13; also the
	 * header2 command when the signature does not cover the header). Our
	 * client, Windows and Samba send one; impacket does not. A trailer that
	 * is present is always checked. */
	int require_verification_trailer;
	/* Idle connections must not hold every slot (docs/rpc.md, "Connections"). */
	unsigned max_connections_per_peer; /* per IP address (ncalrpc: per uid); 0: 16 */
	unsigned handshake_timeout_ms;     /* until authenticated, the most a PDU may take; 0: 10000 */
	/* 1: a client mapped to uid 0 may be impersonated (default: refused). */
	int allow_root_impersonation;
	/* 1: on an authenticated association, an alter_context whose verifier
	 * names a new auth_context_id starts a new NTLM handshake; once its
	 * rpc_auth_3 is accepted, that context (and its identity and level)
	 * replaces the association's. impacket's DCOM client does this on every
	 * alter_context. Default 0: such an alter_context is refused. */
	int allow_reauthentication;
} ntlm_rpc_server_config;
#define NTLM_RPC_SERVER_CONFIG_INIT NTLM_STRUCT_INIT_(ntlm_rpc_server_config)

typedef struct ntlm_rpc_server ntlm_rpc_server;

NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_server_new(ntlm_rpc_server **out,
                                                             const ntlm_rpc_server_config *cfg);
/* Before ntlm_rpc_server_run(); iface is copied (ops must outlive the server). */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_server_register(ntlm_rpc_server *srv,
                                                                  const ntlm_rpc_interface *iface);
/*
 * "ncacn_ip_tcp:127.0.0.1[0]" (port 0: the kernel chooses; *port gets it) or
 * "ncalrpc:[/path/to/socket]" (the socket file is created, mode 0666, and
 * removed when the server is freed if it is still the one created; a socket
 * file nobody listens on is replaced). Up to 8 endpoints.
 * NTLM_RPC_S_DUPLICATE_ENDPOINT when another server listens there already.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_server_listen(ntlm_rpc_server *srv,
                                                                const char *endpoint,
                                                                uint16_t *port);
/* Accepts and serves (one thread per connection) until ntlm_rpc_server_stop(). */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_server_run(ntlm_rpc_server *srv);
/* From any thread or a signal handler. */
NTLM_API void ntlm_rpc_server_stop(ntlm_rpc_server *srv);
/* Stops, closes every connection, waits for their threads, frees. */
NTLM_API void ntlm_rpc_server_free(ntlm_rpc_server *srv);

typedef struct ntlm_rpc_client ntlm_rpc_client;

/* "ncacn_ip_tcp:HOST[PORT]" or "ncalrpc:[PATH]". Nothing is connected yet. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_new(ntlm_rpc_client **out,
                                                             const char *binding);
/*
 * authn_svc NTLM_RPC_AUTHN_WINNT or NONE; authn_level as above (NONE: no
 * security context; DEFAULT: PKT_INTEGRITY; a new client starts at
 * PKT_PRIVACY); imp_level NTLM_RPC_IMP_*; server_principal
 * "DOMAIN\\user" or NULL (not checked). Over ncalrpc the principal is
 * compared with the server process's account from the kernel; over
 * ncacn_ip_tcp it is sent as the NTLM target name and cannot be verified.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_set_blanket(ntlm_rpc_client *cli,
                                                                     uint32_t authn_svc,
                                                                     uint32_t authn_level,
                                                                     uint32_t imp_level,
                                                                     const char *server_principal);
/*
 * NTLM credentials for ncacn_ip_tcp (not owned; must outlive the binding).
 * NULL (the default) means the calling thread's own identity: over ncalrpc
 * the kernel's, over ncacn_ip_tcp the credential file of ntlm_cred_from_file
 * ($NTLM_USER_FILE) unless the thread is impersonating a client, which NTLM
 * cannot carry to another machine (NTLM_RPC_S_NO_CREDENTIALS).
 * With explicit credentials ncalrpc runs NTLM too instead of the local call.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_set_credentials(ntlm_rpc_client *cli,
                                                                         const ntlm_cred *cred);
/* NTLM client settings (workstation, policy, hooks...); copied; target_name is ignored. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status
ntlm_rpc_client_set_ntlm_config(ntlm_rpc_client *cli, const ntlm_client_config *cfg);
/* Connects (if needed), checks the server principal (ncalrpc) and binds with the blanket. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_bind(ntlm_rpc_client *cli,
                                                              const ntlm_rpc_syntax *iface);
/*
 * One call on the bound interface; *out gets the response stub
 * (ntlm_buffer_free). At PKT and above the request carries the
 * verification trailer ([MS-RPCE] 2.2.2.13) naming the interface and the
 * header, so that a server can tell a bind renamed on the way.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_call(ntlm_rpc_client *cli, uint16_t opnum,
                                                              const uint8_t *in, size_t in_len,
                                                              ntlm_buffer *out);

/*
 * Several interfaces on one association, and calls on an object (what DCOM
 * needs: one connection to an object exporter carries IRemUnknown2 and the
 * object's interfaces, and each call names its IPID).
 *
 * ntlm_rpc_client_alter_context adds iface as a new presentation context on
 * the bound association (alter_context, no verifier: the association keeps
 * its one security context and blanket). An interface the association has
 * already is not added again. NTLM_RPC_S_UNKNOWN_IF when the server refuses
 * the interface (the association stays usable); up to 8 interfaces.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status
ntlm_rpc_client_alter_context(ntlm_rpc_client *cli, const ntlm_rpc_syntax *iface);
/*
 * One call on iface (NULL: the interface of ntlm_rpc_client_bind; one not on
 * the association yet is added first with alter_context) with the object
 * UUID object (wire form; NULL: none) in every request fragment's header
 * (PFC_OBJECT_UUID, [C706] 12.6.4.9): DCOM's IPID. The verification trailer
 * names iface and its presentation context. Otherwise as ntlm_rpc_client_call.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_client_call_object(
	ntlm_rpc_client *cli, const ntlm_rpc_syntax *iface, const uint8_t object[16], uint16_t opnum,
	const uint8_t *in, size_t in_len, ntlm_buffer *out);
/* The fault status or bind_nak reason of the last failure (0 if none came from the server). */
NTLM_API uint32_t ntlm_rpc_client_fault(const ntlm_rpc_client *cli);
/* A sentence describing the last failure ("" if none). */
NTLM_API const char *ntlm_rpc_client_message(const ntlm_rpc_client *cli);
/* 1 if PFC_SUPPORT_HEADER_SIGN was negotiated on the bound association. */
NTLM_API int ntlm_rpc_client_header_signing(const ntlm_rpc_client *cli);
NTLM_API void ntlm_rpc_client_free(ntlm_rpc_client *cli);

/*
 * What an object runtime (DCOM) needs of a call, inside a handler only.
 *
 * ntlm_rpc_call_object: the request's object UUID (PFC_OBJECT_UUID; DCOM's
 * IPID) in wire form; 1 if the request carried one, else 0 and out zeroed.
 * ntlm_rpc_call_opnum: the request's operation number, so that one handler
 * may serve every opnum of an interface.
 * ntlm_rpc_call_ntlm_context: the NTLM context of the association (its
 * SIDs: ntlm_ctx_sid, ntlm_ctx_group_sids); NULL for the ncalrpc local call
 * and for an unauthenticated association.
 * ntlm_rpc_call_endpoint: how the client reached this server: over
 * ncacn_ip_tcp the local address it connected to (numeric, "127.0.0.1") and
 * the port; over ncalrpc the socket path and port 0.
 */
NTLM_API int ntlm_rpc_call_object(const ntlm_rpc_call *call, uint8_t out[16]);
NTLM_API uint16_t ntlm_rpc_call_opnum(const ntlm_rpc_call *call);
NTLM_API const ntlm_ctx *ntlm_rpc_call_ntlm_context(const ntlm_rpc_call *call);
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_call_endpoint(const ntlm_rpc_call *call,
                                                                char *host, size_t cap,
                                                                uint16_t *port);

/* ------------------------------------------- 3. server-side security */

/* Filled by the library: the caller sets only struct_size (NTLM_RPC_BLANKET_INIT). */
typedef struct ntlm_rpc_blanket {
	size_t struct_size;
	uint32_t authn_svc;           /* NTLM_RPC_AUTHN_WINNT, or NONE when unauthenticated */
	uint32_t authz_svc;           /* NTLM_RPC_AUTHZ_NONE */
	const char *server_principal; /* this server's principal */
	uint32_t authn_level;         /* ncalrpc: always PKT_PRIVACY (the kernel's channel) */
	uint32_t imp_level;           /* what the client granted (see docs/rpc.md) */
	const char *client_principal; /* "DOMAIN\\user"; "" when unauthenticated */
	const char *unix_user;        /* the mapped local account ("" if none) */
	int local;                    /* 1: ncalrpc local call, identity from SO_PEERCRED */
	const char *target_name;      /* ncacn_ip_tcp: the NTLM target name the client sent */
} ntlm_rpc_blanket;
#define NTLM_RPC_BLANKET_INIT NTLM_STRUCT_INIT_(ntlm_rpc_blanket)

/* CoQueryClientBlanket: strings stay valid until the handler returns. */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_query_client_blanket(ntlm_rpc_call *call,
                                                                       ntlm_rpc_blanket *out);
/*
 * CoImpersonateClient: the calling thread (only it: per-thread credentials)
 * takes the client's mapped account: uid, gid and supplementary groups.
 * Refused (NTLM_RPC_S_BAD_IMPERSONATION_LEVEL / CANT_OPEN_ANONYMOUS) when
 * the client granted only IDENTIFY or ANONYMOUS, NTLM_RPC_S_NO_CONTEXT_AVAILABLE
 * for an unauthenticated call, NTLM_RPC_S_ACCESS_DENIED when the server may
 * not change identity (not root), the client maps to no local account, or
 * it maps to uid 0 and allow_root_impersonation is not set.
 * The runtime reverts when the handler returns. A thread the handler starts
 * while impersonating keeps the client's identity (docs/rpc.md).
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_impersonate_client(ntlm_rpc_call *call);
/*
 * CoRevertToSelf: back to the server's own uid, gid and groups. If that
 * fails the call still counts as impersonating, and the runtime ends the
 * connection's thread after the handler returns.
 */
NTLM_API NTLM_MUST_CHECK ntlm_rpc_status ntlm_rpc_revert_to_self(ntlm_rpc_call *call);
/* A sentence describing the last failure of a call function ("" if none). */
NTLM_API const char *ntlm_rpc_call_message(const ntlm_rpc_call *call);

#ifdef __cplusplus
}
#endif
#endif
