/*
 * dcom.h - DCOM (ORPC) with NTLMSSP: the public API of libdcomntlm.so.
 *
 * A minimal ORPC runtime over librpcntlm ([MS-DCOM]): activation, the object
 * exporter, IRemUnknown(2), and the COM security calls. One error type for
 * the whole library: ntlm_hresult, the HRESULT of COM (negative = failure).
 * RPC statuses map into it in one function, ntlm_hresult_from_rpc_status().
 *
 * GUIDs are kept in their NDR wire order (the first three fields little
 * endian), the same bytes ntlm_rpc_uuid_parse() produces, so a GUID read from
 * a packet is compared with memcmp (ntlm_guid_equal) and never converted.
 */
#ifndef NTLMSSP_DCOM_H
#define NTLMSSP_DCOM_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"
#include "ntlmssp/rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ HRESULT */

typedef int32_t ntlm_hresult;

#define NTLM_DCOM_SUCCEEDED(hr) ((ntlm_hresult)(hr) >= 0)
#define NTLM_DCOM_FAILED(hr)    ((ntlm_hresult)(hr) < 0)
/* HRESULT_FROM_WIN32: a Win32 error code as a failure HRESULT (0 stays 0). */
#define NTLM_DCOM_HRESULT_FROM_WIN32(e)                                                            \
	((uint32_t)(e) == 0 ? (ntlm_hresult)0                                                          \
	                    : (ntlm_hresult)(int32_t)(((uint32_t)(e)&0xFFFFu) | 0x80070000u))

/*
 * The HRESULTs the library returns or sends, with their COM names (the name
 * after NTLM_DCOM_ is the seed's: NTLM_DCOM_E_NOINTERFACE is E_NOINTERFACE).
 * X(name, value, sentence).
 */
/* clang-format off */
#define NTLM_DCOM_HRESULT_LIST(X) \
	X(NTLM_DCOM_S_OK, 0x00000000u, "success") \
	X(NTLM_DCOM_S_FALSE, 0x00000001u, "success (false)") \
	X(NTLM_DCOM_E_NOTIMPL, 0x80004001u, "not implemented") \
	X(NTLM_DCOM_E_NOINTERFACE, 0x80004002u, "no such interface supported") \
	X(NTLM_DCOM_E_POINTER, 0x80004003u, "invalid pointer") \
	X(NTLM_DCOM_E_FAIL, 0x80004005u, "unspecified failure") \
	X(NTLM_DCOM_E_UNEXPECTED, 0x8000FFFFu, "unexpected failure") \
	X(NTLM_DCOM_E_ACCESSDENIED, 0x80070005u, "access denied") \
	X(NTLM_DCOM_E_OUTOFMEMORY, 0x8007000Eu, "out of memory") \
	X(NTLM_DCOM_E_INVALIDARG, 0x80070057u, "invalid argument") \
	X(NTLM_DCOM_RPC_X_BAD_STUB_DATA, 0x800706F7u, "malformed call arguments (bad stub data)") \
	X(NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE, 0x800706BAu, "the RPC server is unavailable") \
	X(NTLM_DCOM_CO_E_BAD_SERVER_NAME, 0x80004014u, "bad server name") \
	X(NTLM_DCOM_CO_E_WRONG_SERVER_IDENTITY, 0x80004015u, "the server is not who the client expected") \
	X(NTLM_DCOM_CO_E_RUNAS_LOGON_FAILURE, 0x8000401Au, "the server's identity could not log on") \
	X(NTLM_DCOM_CO_E_LAUNCH_PERMSSION_DENIED, 0x8000401Bu, "launch permission denied") \
	X(NTLM_DCOM_CO_E_REMOTE_COMMUNICATION_FAILURE, 0x8000401Du, "remote communication failed") \
	X(NTLM_DCOM_CLASS_E_NOAGGREGATION, 0x80040110u, "the class does not support aggregation") \
	X(NTLM_DCOM_CLASS_E_CLASSNOTAVAILABLE, 0x80040111u, "the class is not available") \
	X(NTLM_DCOM_REGDB_E_CLASSNOTREG, 0x80040154u, "class not registered") \
	X(NTLM_DCOM_CO_E_NOTINITIALIZED, 0x800401F0u, "COM is not initialized") \
	X(NTLM_DCOM_CO_E_OBJNOTREG, 0x800401FBu, "object not registered") \
	X(NTLM_DCOM_CO_E_OBJNOTCONNECTED, 0x800401FDu, "the object is not connected to the server") \
	X(NTLM_DCOM_CO_E_SERVER_EXEC_FAILURE, 0x80080005u, "the server failed to run") \
	X(NTLM_DCOM_CO_E_SERVER_STOPPING, 0x80080008u, "the server is stopping") \
	X(NTLM_DCOM_RPC_E_DISCONNECTED, 0x80010108u, "the object has disconnected from its clients") \
	X(NTLM_DCOM_RPC_E_SERVERFAULT, 0x80010105u, "the server raised an exception") \
	X(NTLM_DCOM_RPC_E_INVALIDMETHOD, 0x80010107u, "no such method") \
	X(NTLM_DCOM_RPC_E_INVALID_DATA, 0x8001000Fu, "invalid data in the call") \
	X(NTLM_DCOM_RPC_E_VERSION_MISMATCH, 0x80010110u, "unsupported DCOM version") \
	X(NTLM_DCOM_RPC_E_INVALID_HEADER, 0x80010111u, "invalid ORPC header") \
	X(NTLM_DCOM_RPC_E_INVALID_EXTENSION, 0x80010112u, "invalid ORPC extension") \
	X(NTLM_DCOM_RPC_E_INVALID_IPID, 0x80010113u, "no such interface pointer (IPID)") \
	X(NTLM_DCOM_RPC_E_INVALID_OBJECT, 0x80010114u, "no such object") \
	X(NTLM_DCOM_RPC_E_UNSECURE_CALL, 0x80010118u, "the call is below the required security") \
	X(NTLM_DCOM_RPC_E_TOO_LATE, 0x80010119u, "security was already initialized") \
	X(NTLM_DCOM_RPC_E_NO_GOOD_SECURITY_PACKAGES, 0x8001011Au, "no usable security package") \
	X(NTLM_DCOM_RPC_E_ACCESS_DENIED, 0x8001011Bu, "access denied by the object's security") \
	X(NTLM_DCOM_RPC_E_INVALID_OBJREF, 0x8001011Du, "invalid object reference (OBJREF)") \
	X(NTLM_DCOM_RPC_E_NO_CONTEXT, 0x8001011Eu, "no client context (not inside a call)") \
	X(NTLM_DCOM_RPC_E_TIMEOUT, 0x8001011Fu, "the call timed out") \
	X(NTLM_DCOM_SEC_E_WRONG_PRINCIPAL, 0x80090322u, "the server principal does not match") \
	X(NTLM_DCOM_SEC_E_LOGON_DENIED, 0x8009030Cu, "logon denied")
/* clang-format on */

#define NTLM_DCOM_HR_ENUM_(name, value, msg) name = (ntlm_hresult)(int32_t)(value),
enum { NTLM_DCOM_HRESULT_LIST(NTLM_DCOM_HR_ENUM_) };
#undef NTLM_DCOM_HR_ENUM_

/* The COM name ("E_NOINTERFACE"), or "HRESULT" for a value not in the list; never NULL. */
NTLM_API const char *ntlm_hresult_name(ntlm_hresult hr);
/* A sentence for hr (a Win32 code wrapped by HRESULT_FROM_WIN32 gets the RPC one); never NULL. */
NTLM_API const char *ntlm_hresult_strerror(ntlm_hresult hr);
/*
 * The one map from the RPC layer: 0 -> S_OK, a SEC_E_* value as it is,
 * RPC_S_ACCESS_DENIED -> E_ACCESSDENIED, out of memory -> E_OUTOFMEMORY,
 * invalid argument -> E_INVALIDARG, any other Win32 code -> HRESULT_FROM_WIN32.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_hresult_from_rpc_status(ntlm_rpc_status status);

/* --------------------------------------------------------------- GUID */

typedef struct ntlm_guid {
	uint8_t bytes[16]; /* NDR wire order (as ntlm_rpc_uuid_parse gives) */
} ntlm_guid;

/* An initializer from the textual form d1-d2-d3-b0b1-b2..b7: NTLM_GUID_INIT(0x00000131, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46). */
#define NTLM_GUID_INIT(d1, d2, d3, b0, b1, b2, b3, b4, b5, b6, b7)                                 \
	{                                                                                              \
		{                                                                                          \
			(uint8_t)((d1)&0xFF), (uint8_t)(((d1) >> 8) & 0xFF), (uint8_t)(((d1) >> 16) & 0xFF),   \
				(uint8_t)(((d1) >> 24) & 0xFF), (uint8_t)((d2)&0xFF),                              \
				(uint8_t)(((d2) >> 8) & 0xFF), (uint8_t)((d3)&0xFF),                               \
				(uint8_t)(((d3) >> 8) & 0xFF), (b0), (b1), (b2), (b3), (b4), (b5), (b6), (b7)      \
		}                                                                                          \
	}
/* The COM base GUID xxxxxxxx-0000-0000-C000-000000000046 of the system interfaces and classes. */
#define NTLM_GUID_COM_(d1) NTLM_GUID_INIT(d1, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46)

/* 1 if equal, else 0. */
NTLM_API int ntlm_guid_equal(const ntlm_guid *a, const ntlm_guid *b);

/* Well-known interfaces and classes ([MS-DCOM] 1.9). */
#define NTLM_DCOM_IID_IUNKNOWN             NTLM_GUID_COM_(0x00000000)
#define NTLM_DCOM_IID_ICLASSFACTORY        NTLM_GUID_COM_(0x00000001)
#define NTLM_DCOM_IID_IREMUNKNOWN          NTLM_GUID_COM_(0x00000131)
#define NTLM_DCOM_IID_IREMUNKNOWN2         NTLM_GUID_COM_(0x00000143)
#define NTLM_DCOM_IID_IREMOTESCMACTIVATOR  NTLM_GUID_COM_(0x000001A0) /* = ISystemActivator */
#define NTLM_DCOM_IID_ISYSTEMACTIVATOR     NTLM_GUID_COM_(0x000001A0)
#define NTLM_DCOM_IID_IACTIVATIONPROPSIN   NTLM_GUID_COM_(0x000001A2)
#define NTLM_DCOM_IID_IACTIVATIONPROPSOUT  NTLM_GUID_COM_(0x000001A3)
#define NTLM_DCOM_CLSID_ACTIVATIONPROPSIN  NTLM_GUID_COM_(0x00000338)
#define NTLM_DCOM_CLSID_ACTIVATIONPROPSOUT NTLM_GUID_COM_(0x00000339)
#define NTLM_DCOM_IID_IACTIVATION                                                                  \
	NTLM_GUID_INIT(0x4d9f4ab8, 0x7d1c, 0x11cf, 0x86, 0x1e, 0x00, 0x20, 0xaf, 0x6e, 0x7c, 0x57)
#define NTLM_DCOM_IID_IOBJECTEXPORTER                                                              \
	NTLM_GUID_INIT(0x99fcfec4, 0x5260, 0x101b, 0xbb, 0xcb, 0x00, 0xaa, 0x00, 0x21, 0x34, 0x7a)

/* The demo class every test can use (a contract: docs/dcom.md). */
#define NTLM_DCOM_CLSID_NTLMDEMO                                                                   \
	NTLM_GUID_INIT(0x6c3c2d6e, 0x1f0b, 0x4b7e, 0x9a, 0x51, 0x5a, 0x2e, 0x0f, 0x1d, 0x7c, 0x01)
#define NTLM_DCOM_IID_INTLMDEMO                                                                    \
	NTLM_GUID_INIT(0x6c3c2d6e, 0x1f0b, 0x4b7e, 0x9a, 0x51, 0x5a, 0x2e, 0x0f, 0x1d, 0x7c, 0x02)
#define NTLM_DCOM_DEMO_OP_WHOAMI              3u
#define NTLM_DCOM_DEMO_OP_ADD                 4u
#define NTLM_DCOM_DEMO_OP_WHOAMI_IMPERSONATED 5u

/* ---- server ---- */

/*
 * The server runtime ([MS-DCOM] 3.1): classes registered with their
 * interfaces, activation (IRemoteSCMActivator / ISystemActivator, IActivation),
 * the OXID resolver (IObjectExporter) and one object exporter (IRemUnknown,
 * IRemUnknown2, the classes' interfaces, dispatched by the IPID each request
 * carries as its object UUID). One ntlm_dcom_server is one process's COM
 * server: its configuration is what CoInitializeSecurity sets.
 */
typedef struct ntlm_dcom_server ntlm_dcom_server;
/* One ORPC call being served: valid inside a method only. */
typedef struct ntlm_dcom_call ntlm_dcom_call;

/*
 * A method of a served interface. in/in_len is the request stub, ORPCTHIS
 * first (already checked by the runtime); object is what the class's factory
 * made. Write the whole response stub to *out (ORPCTHAT first, the HRESULT
 * last) and return its HRESULT. A method that leaves *out empty and returns a
 * failure makes the client receive a fault carrying that HRESULT; empty and
 * S_OK, a response of ORPCTHAT and S_OK.
 */
typedef ntlm_hresult (*ntlm_dcom_method)(ntlm_dcom_call *call, void *object, const uint8_t *in,
                                         size_t in_len, ntlm_buffer *out);

typedef struct ntlm_dcom_interface {
	size_t struct_size; /* NTLM_DCOM_INTERFACE_INIT */
	ntlm_guid iid;
	/* Indexed by opnum; 0..2 are IUnknown's, served by IRemUnknown: leave them NULL. */
	const ntlm_dcom_method *methods;
	size_t n_methods;
} ntlm_dcom_interface;
#define NTLM_DCOM_INTERFACE_INIT NTLM_STRUCT_INIT_(ntlm_dcom_interface)

typedef struct ntlm_dcom_class {
	size_t struct_size; /* NTLM_DCOM_CLASS_INIT */
	ntlm_guid clsid;
	const char *name; /* for the log ("NtlmDemo") */
	/* What QueryInterface finds besides IUnknown (copied; methods must outlive the server). */
	const ntlm_dcom_interface *interfaces;
	size_t n_interfaces;
	/* The factory: one new instance per activation (*object may stay NULL). */
	ntlm_hresult (*create)(void *class_arg, void **object);
	/* Once per created object, after its last reference went (released or
	 * collected) and no call runs on it any more. NULL: nothing to free. */
	void (*destroy)(void *class_arg, void *object);
	void *class_arg;
	/*
	 * Launch permission (checked at activation) and access permission (checked
	 * on every call on the class's objects, IRemUnknown's included):
	 * NULL-terminated lists of "DOMAIN\\user", "DOMAIN\\group" (a Unix group
	 * the client's mapped account belongs to), "user" or ".\\user" (this
	 * server's accounts), or a SID "S-1-5-21-..." (ntlm_ctx_sid and
	 * ntlm_ctx_group_sids of a domain logon; S-1-1-0 Everyone and S-1-5-11
	 * Authenticated Users take any authenticated, non-anonymous client).
	 * NULL or empty: nobody. Copied.
	 */
	const char *const *launch_permission;
	const char *const *access_permission;
} ntlm_dcom_class;
#define NTLM_DCOM_CLASS_INIT NTLM_STRUCT_INIT_(ntlm_dcom_class)

/* CoInitializeSecurity's process-wide defaults, and the server's settings. */
typedef struct ntlm_dcom_server_config {
	size_t struct_size; /* NTLM_DCOM_SERVER_CONFIG_INIT */
	/* NTLM acceptor for ncacn_ip_tcp (store required there); copied, but the
	 * store, policy and names it points to must outlive the server. */
	const ntlm_server_config *ntlm;
	const char *principal; /* this server's principal; NULL: "COMPUTER\\account" */
	/* dwAuthnLevel: activation and every call below it are refused (access
	 * denied). 0: PKT_INTEGRITY, as Windows since its DCOM hardening; CONNECT
	 * (or NONE) only when named here. */
	uint32_t authn_level;
	/* asAuthSvc: 0 or NTLM_RPC_AUTHN_WINNT, the only service there is. */
	uint32_t authn_svc;
	/* Ping-based garbage collection ([MS-DCOM] 3.2.6.1): an object whose
	 * OID no client pinged for ping_period_ms * ping_count is collected. */
	unsigned ping_period_ms;      /* 0: 120000 */
	unsigned ping_count;          /* 0: 3 */
	int allow_root_impersonation; /* 1: a client mapped to uid 0 may be impersonated */
	/* Activations, releases and collections, one line each (NULL: silent). */
	void (*log)(void *log_arg, const char *line);
	void *log_arg;
} ntlm_dcom_server_config;
#define NTLM_DCOM_SERVER_CONFIG_INIT NTLM_STRUCT_INIT_(ntlm_dcom_server_config)

NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_new(ntlm_dcom_server **out,
                                                           const ntlm_dcom_server_config *cfg);
/* Before ntlm_dcom_server_run(). E_INVALIDARG for a CLSID registered already. */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_register_class(ntlm_dcom_server *srv,
                                                                      const ntlm_dcom_class *cls);
/*
 * ncacn_ip_tcp on host (a numeric address, "0.0.0.0" for all): activation
 * and the OXID resolver on port (135 where a Windows client looks; 0: any),
 * the object exporter on a port the kernel picks. *activation_port and
 * *exporter_port (may be NULL) get both.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_listen_tcp(ntlm_dcom_server *srv,
                                                                  const char *host, uint16_t port,
                                                                  uint16_t *activation_port,
                                                                  uint16_t *exporter_port);
/* ncalrpc: activation, resolver and objects on one Unix socket (rpc.h says how it is made). */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_listen_local(ntlm_dcom_server *srv,
                                                                    const char *path);
/* Serves until ntlm_dcom_server_stop() (with the collector thread). */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_run(ntlm_dcom_server *srv);
/* From any thread or a signal handler. */
NTLM_API void ntlm_dcom_server_stop(ntlm_dcom_server *srv);
/* Stops, then destroys every object left. */
NTLM_API void ntlm_dcom_server_free(ntlm_dcom_server *srv);

/* What the server holds and has done (a debug and test view). */
typedef struct ntlm_dcom_server_stats {
	size_t struct_size;         /* NTLM_DCOM_SERVER_STATS_INIT */
	uint64_t objects_live;      /* objects now exported */
	uint64_t objects_created;   /* by activation */
	uint64_t objects_released;  /* their last reference released by a client */
	uint64_t objects_collected; /* by the ping timeout */
	uint64_t ping_sets;         /* ping sets now held */
	uint64_t pings;             /* SimplePing and ComplexPing calls served */
} ntlm_dcom_server_stats;
#define NTLM_DCOM_SERVER_STATS_INIT NTLM_STRUCT_INIT_(ntlm_dcom_server_stats)
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_server_get_stats(ntlm_dcom_server *srv,
                                                                 ntlm_dcom_server_stats *out);

/* CoQueryClientBlanket: service 10, level, impersonation level, "DOMAIN\\user" (rpc.h). */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_query_client_blanket(ntlm_dcom_call *call,
                                                                     ntlm_rpc_blanket *out);
/* CoImpersonateClient / CoRevertToSelf: ntlm_rpc_impersonate_client's rules (docs/rpc.md). */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_impersonate_client(ntlm_dcom_call *call);
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_revert_to_self(ntlm_dcom_call *call);
/* The RPC call underneath (ntlm_rpc_call_message, ntlm_rpc_call_ntlm_context...). */
NTLM_API ntlm_rpc_call *ntlm_dcom_call_rpc(ntlm_dcom_call *call);

/* ---- client ---- */

/*
 * The client runtime ([MS-DCOM] 3.2): activation on a host, OXID resolution,
 * proxies (one interface of one remote object each) with their own security
 * blanket, QueryInterface, method calls, reference counting and pinging.
 * docs/dcom.md maps each COM call to these.
 *
 * One ntlm_dcom_client is one process's COM client: what CoInitializeSecurity
 * sets (there is no global state: make one and pass it around), the OXIDs it
 * has resolved, the objects it holds and the thread that pings them. A
 * client and its proxies may be used from several threads. With the
 * thread's identity (NULL credentials) an association serves the identity
 * that made it: a proxy refuses (E_ACCESSDENIED) a thread of another real
 * or effective uid, and an impersonating thread activates with its own
 * associations, under the RPC layer's delegation rules (docs/rpc.md).
 */
typedef struct ntlm_dcom_client ntlm_dcom_client;
/* An interface pointer on a remote object: a proxy. */
typedef struct ntlm_dcom_proxy ntlm_dcom_proxy;

/* CoInitializeSecurity's client side: the defaults every activation and proxy starts from. */
typedef struct ntlm_dcom_client_config {
	size_t struct_size; /* NTLM_DCOM_CLIENT_CONFIG_INIT */
	/* dwAuthnLevel. 0: PKT_INTEGRITY (servers refuse less by default); CONNECT
	 * and NONE only when named. */
	uint32_t authn_level;
	/* dwImpLevel: what servers may do with the identity. 0: IMPERSONATE. */
	uint32_t imp_level;
	/* asAuthSvc: NTLM_RPC_AUTHN_WINNT (10) and NTLM_RPC_AUTHN_NONE are the only
	 * services; WINNT is used when listed, else NONE (unauthenticated, level
	 * NONE). NULL / 0 entries: {WINNT}. Any other service:
	 * RPC_E_NO_GOOD_SECURITY_PACKAGES. */
	const uint32_t *authn_svcs;
	size_t n_authn_svcs;
	/* How often the OIDs of the objects held are pinged ([MS-DCOM] 3.2.6.1);
	 * set it to the server's period (ntlm_dcom_server_config.ping_period_ms).
	 * 0: 120000, the protocol's. */
	unsigned ping_period_ms;
} ntlm_dcom_client_config;
#define NTLM_DCOM_CLIENT_CONFIG_INIT NTLM_STRUCT_INIT_(ntlm_dcom_client_config)

/* Starts the ping thread. cfg NULL: the defaults. */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_client_new(ntlm_dcom_client **out,
                                                           const ntlm_dcom_client_config *cfg);
/*
 * CoUninitialize: releases every proxy still held (RemRelease, best effort),
 * stops the ping thread (the servers collect whatever is left after their
 * ping timeout) and frees. The proxies are invalid afterwards.
 */
NTLM_API void ntlm_dcom_client_free(ntlm_dcom_client *cli);
/* A sentence describing the client's last failed activation ("" if none; one for all threads). */
NTLM_API const char *ntlm_dcom_client_message(const ntlm_dcom_client *cli);

/* COSERVERINFO and its COAUTHINFO: where to activate, as whom, how. */
typedef struct ntlm_dcom_server_info {
	size_t struct_size; /* NTLM_DCOM_SERVER_INFO_INIT */
	/* The activation endpoint (and OXID resolver): "ncacn_ip_tcp:HOST[PORT]"
	 * ("ncacn_ip_tcp:HOST": port 135) or "ncalrpc:[PATH]". */
	const char *binding;
	/* NULL: the calling thread's identity, as rpc.h defines it (over ncalrpc
	 * the kernel's, over ncacn_ip_tcp $NTLM_USER_FILE). Not copied: it must
	 * outlive every proxy made with it. */
	const ntlm_cred *cred;
	uint32_t authn_level; /* 0: the client's default */
	uint32_t imp_level;   /* 0: the client's default */
	/* "DOMAIN\\user" the server must run as (ncalrpc: checked against the
	 * kernel's identity of the server process; ncacn_ip_tcp: sent as the NTLM
	 * target name, which NTLM cannot verify, docs/rpc.md). NULL: unchecked. */
	const char *server_principal;
} ntlm_dcom_server_info;
#define NTLM_DCOM_SERVER_INFO_INIT NTLM_STRUCT_INIT_(ntlm_dcom_server_info)

/*
 * CoCreateInstanceEx: activates clsid where server says
 * (IRemoteSCMActivator::RemoteCreateInstance), resolves the object's OXID
 * (IObjectExporter::ResolveOxid2 on the same endpoint) and returns a proxy
 * for iid with one reference, its blanket the server info's. The object is
 * pinged until released. E_NOINTERFACE when the object lacks iid,
 * E_ACCESSDENIED when the server refuses the caller, SEC_E_WRONG_PRINCIPAL
 * when the server is not server_principal.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_create_instance(ntlm_dcom_client *cli,
                                                                const ntlm_dcom_server_info *server,
                                                                const ntlm_guid *clsid,
                                                                const ntlm_guid *iid,
                                                                ntlm_dcom_proxy **out);
/*
 * IUnknown::QueryInterface through the object exporter's IRemUnknown2
 * (RemQueryInterface; IRemUnknown when the exporter has no IRemUnknown2). The
 * new proxy starts with the blanket the object was activated with (not this
 * proxy's SetBlanket: COM gives a new proxy the process defaults; here it
 * gets the credentials that reached the server). E_NOINTERFACE if the
 * object lacks iid.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_query_interface(ntlm_dcom_proxy *proxy,
                                                                const ntlm_guid *iid,
                                                                ntlm_dcom_proxy **out);
/* IUnknown::AddRef: one more local reference; the count after it. */
NTLM_API uint32_t ntlm_dcom_add_ref(ntlm_dcom_proxy *proxy);
/*
 * IUnknown::Release. The last reference releases the proxy's references on
 * the server (IRemUnknown::RemRelease), stops pinging its OID when no other
 * proxy holds the object, and frees the proxy whatever the server answers:
 * that answer is returned (S_OK for a reference that was not the last).
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_release(ntlm_dcom_proxy *proxy);

/*
 * A method by opnum (3 and above; 0..2 are IUnknown's). args: the method's
 * [in] arguments, NDR, as they follow ORPCTHIS (the runtime writes ORPCTHIS,
 * 8-aligned, so encode them from an 8-aligned start). *out receives the
 * whole response stub (ntlm_buffer_free) and *args_off where its [out]
 * arguments start after ORPCTHAT (extensions skipped); NDR alignment counts
 * from out->data. Returns the method's HRESULT (the stub's last four bytes,
 * as every ORPC method ends), or the failure of the call: a fault carrying an
 * HRESULT is that HRESULT, an RPC status is mapped by
 * ntlm_hresult_from_rpc_status.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_proxy_call(ntlm_dcom_proxy *proxy, uint16_t opnum,
                                                           const uint8_t *args, size_t args_len,
                                                           ntlm_buffer *out, size_t *args_off);

/*
 * IClientSecurity::SetBlanket / CoSetProxyBlanket for this proxy only:
 * authn_svc NTLM_RPC_AUTHN_WINNT or NONE, authn_level and imp_level as in
 * rpc.h (0: the client's default), server_principal "DOMAIN\\user" or NULL
 * (not checked; see ntlm_dcom_server_info). The next call opens a new
 * association with it. RPC_E_NO_GOOD_SECURITY_PACKAGES for another service.
 */
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_set_blanket(ntlm_dcom_proxy *proxy,
                                                            uint32_t authn_svc,
                                                            uint32_t authn_level,
                                                            uint32_t imp_level,
                                                            const char *server_principal);

/* What a proxy is and how it calls (IClientSecurity::QueryBlanket, and the object's identity). */
typedef struct ntlm_dcom_proxy_info {
	size_t struct_size; /* NTLM_DCOM_PROXY_INFO_INIT; the library fills the rest */
	ntlm_guid iid;
	ntlm_guid ipid;
	uint64_t oxid, oid;
	uint32_t public_refs; /* held on the server for this proxy */
	uint32_t authn_svc, authn_level, imp_level;
	const char *server_principal; /* NULL: unchecked; valid until the next set_blanket */
	const char *exporter;         /* the object exporter's binding */
} ntlm_dcom_proxy_info;
#define NTLM_DCOM_PROXY_INFO_INIT NTLM_STRUCT_INIT_(ntlm_dcom_proxy_info)
NTLM_API NTLM_MUST_CHECK ntlm_hresult ntlm_dcom_proxy_get_info(ntlm_dcom_proxy *proxy,
                                                               ntlm_dcom_proxy_info *out);
/* A sentence describing the last failure on this proxy ("" if none). */
NTLM_API const char *ntlm_dcom_proxy_message(const ntlm_dcom_proxy *proxy);

#ifdef __cplusplus
}
#endif

#endif
