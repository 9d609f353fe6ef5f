/*
 * ntlmssp.h - native C API of libntlmssp, an NTLM security support provider
 * ([MS-NLMP]) for Unix.
 *
 * Model: a credential (client) or an account store (server) is bound to a
 * context; the context is driven by ntlm_step() (token in, token out) until
 * it returns NTLM_OK; then it signs, verifies, seals and unseals messages.
 * Handles are opaque. Every function that can fail returns an ntlm_err.
 * Contexts share no mutable state: distinct contexts may be used from
 * distinct threads concurrently; one context must not be used by two
 * threads at once.
 */
#ifndef NTLMSSP_NTLMSSP_H
#define NTLMSSP_NTLMSSP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NTLMSSP_BUILDING) && defined(__GNUC__)
#define NTLM_API __attribute__((visibility("default")))
#else
#define NTLM_API
#endif

/*
 * Every function returning ntlm_err is marked NTLM_MUST_CHECK: ignoring the
 * result of an authentication, a verify or an unseal is how a failure goes
 * unnoticed, so compilers that can warn about it do.
 */
#if defined(__GNUC__) || defined(__clang__)
#define NTLM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define NTLM_MUST_CHECK
#endif
/*
 * Drops a result on purpose (GCC warns even about a (void) cast). Every use
 * carries a comment saying why the result does not matter there.
 */
#define NTLM_IGNORE_RESULT(expr)                                                                   \
	do {                                                                                           \
		ntlm_err ntlm_ignored_ = (expr);                                                           \
		(void)ntlm_ignored_;                                                                       \
	} while (0)

#define NTLMSSP_VERSION_MAJOR  0
#define NTLMSSP_VERSION_MINOR  1
#define NTLMSSP_VERSION_PATCH  0
#define NTLMSSP_VERSION_STRING "0.1.0"

/* Sizes of the protocol's fixed fields, in bytes. */
#define NTLM_HASH_SIZE           16 /* an NT or LM hash (NTOWFv1, LMOWFv1) */
#define NTLM_SESSION_KEY_SIZE    16 /* session base key, exported session key */
#define NTLM_CHALLENGE_SIZE      8  /* server and client challenges */
#define NTLM_CBT_HASH_SIZE       16 /* MD5 of the channel bindings (MsvAvChannelBindings) */
#define NTLM_SIGNATURE_SIZE      16 /* a message signature (NTLMSSP_MESSAGE_SIGNATURE) */
#define NTLM_LM_SESSION_KEY_SIZE 8  /* LMOWF[0..7]: the NTLMv1 LM_KEY / NON_NT_SESSION_KEY input */

/*
 * An ABI that can grow. Every structure the caller fills and the library
 * reads (or the caller provides and the library fills) starts with
 * size_t struct_size, the structure's size as the caller's header knew it;
 * fields are only ever added at the end. Initialise with the structure's
 * _INIT macro, which zeroes every field and sets the size:
 *
 *     ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT, .store = store};
 *
 * (ntlm_policy_init() and ntlm_policy_load() set it for a policy). The
 * library reads only the fields the caller's size covers (later ones count
 * as 0, their default) and writes only those; a size of 0 (not initialised),
 * below the first version's or above the library's own (a program built
 * against a newer header than the library it runs with) is refused with
 * NTLM_E_STRUCT_SIZE. ntlm_audit_event follows the same rule (the library
 * fills it, and a caller may build one for ntlm_audit_json()). The
 * structures the library allocates and hands to a store (ntlm_auth_request,
 * ntlm_auth_result) grow at the end without a size; ntlm_buffer, ntlm_iov, ntlm_channel_bindings (RFC 2744's
 * layout) and the RPC syntax never change.
 */
#define NTLM_STRUCT_INIT_(type) .struct_size = sizeof(type)

/* Returns NTLMSSP_VERSION_STRING of the library actually linked. */
NTLM_API const char *ntlm_version(void);

/* ---------------------------------------------------------------- errors */

/*
 * X(name, value, NTSTATUS, SEC_E/SEC_I status, message)
 * The NTSTATUS and SECURITY_STATUS are what Windows would report for the
 * same condition, so callers porting Windows code can keep their mapping.
 */
#define NTLM_ERROR_LIST(X)                                                                         \
	X(NTLM_OK, 0, 0x00000000u, 0x00000000, "success")                                              \
	X(NTLM_CONTINUE, 1, 0x00000016u, 0x00090312, "continue: send the output token and wait")       \
	X(NTLM_E_INVALID_PARAMETER, 2, 0xC000000Du, (int32_t)0x8009035Du,                              \
	  "invalid parameter passed to the API")                                                       \
	X(NTLM_E_NO_MEMORY, 3, 0xC0000017u, (int32_t)0x80090300, "out of memory")                      \
	X(NTLM_E_BUFFER_TOO_SMALL, 4, 0xC0000023u, (int32_t)0x80090321, "buffer too small")            \
	X(NTLM_E_TRUNCATED, 5, 0xC000000Du, (int32_t)0x80090308,                                       \
	  "message truncated: a field extends past the end")                                           \
	X(NTLM_E_BAD_SIGNATURE_HEADER, 6, 0xC000000Du, (int32_t)0x80090308,                            \
	  "not an NTLMSSP message (bad \"NTLMSSP\\0\" signature)")                                     \
	X(NTLM_E_BAD_MESSAGE_TYPE, 7, 0xC000000Du, (int32_t)0x80090308,                                \
	  "unexpected NTLMSSP message type")                                                           \
	X(NTLM_E_FIELD_RANGE, 8, 0xC000000Du, (int32_t)0x80090308,                                     \
	  "payload field offset/length out of range")                                                  \
	X(NTLM_E_FIELD_OVERLAP, 9, 0xC000000Du, (int32_t)0x80090308,                                   \
	  "payload fields overlap each other or the fixed header")                                     \
	X(NTLM_E_FIELD_MAXLEN, 10, 0xC000000Du, (int32_t)0x80090308,                                   \
	  "payload field MaxLen is smaller than Len")                                                  \
	X(NTLM_E_BAD_STRING, 11, 0xC000000Du, (int32_t)0x80090308,                                     \
	  "invalid string (odd UTF-16 length, bad encoding or embedded NUL)")                          \
	X(NTLM_E_BAD_AV_PAIR, 12, 0xC000000Du, (int32_t)0x80090308,                                    \
	  "malformed AV_PAIR list (target info)")                                                      \
	X(NTLM_E_BAD_RESPONSE, 13, 0xC000006Du, (int32_t)0x8009030C,                                   \
	  "malformed LM/NT challenge response")                                                        \
	X(NTLM_E_WRONG_STATE, 14, 0xC0000008u, (int32_t)0x80090301,                                    \
	  "call not valid in the context's current state (wrong message order or finished)")           \
	X(NTLM_E_FAILED_CONTEXT, 15, 0xC0000008u, (int32_t)0x80090301,                                 \
	  "context failed earlier and cannot be reused")                                               \
	X(NTLM_E_FLAGS_POLICY, 16, 0xC0000388u, (int32_t)0x80090302,                                   \
	  "negotiated flags do not meet the minimum session security")                                 \
	X(NTLM_E_LOGON_FAILURE, 17, 0xC000006Du, (int32_t)0x8009030C,                                  \
	  "logon failure: wrong password or response")                                                 \
	X(NTLM_E_NO_SUCH_USER, 18, 0xC0000064u, (int32_t)0x8009030C, "no such user")                   \
	X(NTLM_E_ACCOUNT_DISABLED, 19, 0xC0000072u, (int32_t)0x8009030C, "account disabled")           \
	X(NTLM_E_NTLMV1_REFUSED, 20, 0xC0000388u, (int32_t)0x8009030C,                                 \
	  "NTLMv1 response refused by policy")                                                         \
	X(NTLM_E_LM_REFUSED, 21, 0xC0000388u, (int32_t)0x8009030C, "LM response refused by policy")    \
	X(NTLM_E_ANONYMOUS_REFUSED, 22, 0xC0000388u, (int32_t)0x8009030C,                              \
	  "anonymous authentication refused by policy")                                                \
	X(NTLM_E_MIC_MISMATCH, 23, 0xC000006Du, (int32_t)0x8009030C,                                   \
	  "message integrity code (MIC) does not match")                                               \
	X(NTLM_E_MIC_MISSING, 24, 0xC000006Du, (int32_t)0x8009030C,                                    \
	  "MIC required by policy but not sent")                                                       \
	X(NTLM_E_CBT_MISMATCH, 25, 0xC000006Du, (int32_t)0x80090346, "channel bindings do not match")  \
	X(NTLM_E_CBT_MISSING, 26, 0xC000006Du, (int32_t)0x80090346,                                    \
	  "channel bindings required by policy but not sent")                                          \
	X(NTLM_E_TARGET_MISMATCH, 27, 0xC000006Du, (int32_t)0x8009030C,                                \
	  "target name does not name this service")                                                    \
	X(NTLM_E_TARGET_MISSING, 28, 0xC000006Du, (int32_t)0x8009030C,                                 \
	  "target name required by policy but not sent")                                               \
	X(NTLM_E_TIME_SKEW, 29, 0xC0000133u, (int32_t)0x80090324,                                      \
	  "NTLMv2 timestamp outside the allowed window (clock skew)")                                  \
	X(NTLM_E_REPLAY, 30, 0xC000006Du, (int32_t)0x8009030C, "replayed authentication")              \
	X(NTLM_E_BAD_MAC, 31, 0xC000022Au, (int32_t)0x8009030F, "message signature does not verify")   \
	X(NTLM_E_OUT_OF_SEQUENCE, 32, 0xC000022Au, (int32_t)0x80090310, "message out of sequence")     \
	X(NTLM_E_NO_SESSION_KEY, 33, 0xC0000022u, (int32_t)0x80090302,                                 \
	  "no session key: neither signing nor sealing negotiated, or anonymous")                      \
	X(NTLM_E_CRYPTO, 34, 0xC0000001u, (int32_t)0x80090304, "cryptographic operation failed")       \
	X(NTLM_E_RANDOM, 35, 0xC0000001u, (int32_t)0x80090304, "no random bytes available")            \
	X(NTLM_E_IO, 36, 0xC0000001u, (int32_t)0x80090304, "file or I/O error")                        \
	X(NTLM_E_BAD_FILE, 37, 0xC0000001u, (int32_t)0x80090304,                                       \
	  "malformed account or credential file")                                                      \
	X(NTLM_E_NOT_FOUND, 38, 0xC0000225u, (int32_t)0x8009030E, "no such entry")                     \
	X(NTLM_E_NO_CREDENTIALS, 39, 0xC000005Eu, (int32_t)0x8009030E, "no credentials available")     \
	X(NTLM_E_BACKEND, 40, 0xC0000001u, (int32_t)0x80090304, "account backend failure")             \
	X(NTLM_E_UNSUPPORTED, 41, 0xC00000BBu, (int32_t)0x80090302, "not supported")                   \
	X(NTLM_E_TARGET_UNKNOWN, 42, 0xC0000063u, (int32_t)0x80090303,                                 \
	  "server principal could not be verified")                                                    \
	X(NTLM_E_INTERNAL, 43, 0xC00000E5u, (int32_t)0x80090304, "internal error")                     \
	X(NTLM_E_TARGET_INFO_MISMATCH, 44, 0xC000006Du, (int32_t)0x8009030C,                           \
	  "NTLMv2 response lacks the server's timestamp or names (CHALLENGE tampered with)")           \
	X(NTLM_E_TARGET_INFO_INCOMPLETE, 45, 0xC000006Du, (int32_t)0x8009030C,                         \
	  "signing or sealing, but the CHALLENGE lacks the server's NetBIOS computer or domain name")  \
	X(NTLM_E_DATAGRAM_MISMATCH, 46, 0xC00000BBu, (int32_t)0x80090302,                              \
	  "connectionless context, but the CHALLENGE dropped NTLMSSP_NEGOTIATE_DATAGRAM")              \
	X(NTLM_E_SEQUENCE_EXHAUSTED, 47, 0xC0000001u, (int32_t)0x80090317,                             \
	  "sequence numbers exhausted: the context expired, establish a new one")                      \
	X(NTLM_E_ACCOUNT_LOCKED, 48, 0xC0000234u, (int32_t)0x8009030C, "account locked out")           \
	X(NTLM_E_NOLOGON_INTERDOMAIN_TRUST, 49, 0xC0000198u, (int32_t)0x8009030C,                      \
	  "interdomain trust account: not for logons")                                                 \
	X(NTLM_E_NOLOGON_WORKSTATION_TRUST, 50, 0xC0000199u, (int32_t)0x8009030C,                      \
	  "workstation trust account: not for logons")                                                 \
	X(NTLM_E_NOLOGON_SERVER_TRUST, 51, 0xC000019Au, (int32_t)0x8009030C,                           \
	  "server trust account: not for logons")                                                      \
	X(NTLM_E_UNSAFE_FILE, 52, 0xC0000001u, (int32_t)0x80090304,                                    \
	  "file refused: a symbolic link, not a regular file, or writable by others")                  \
	X(NTLM_E_SEAL_NOT_NEGOTIATED, 53, 0xC00000BBu, (int32_t)0x80090302,                            \
	  "sealing not negotiated for this context (signing only)")                                    \
	X(NTLM_E_NO_LOGON_SERVERS, 54, 0xC000005Eu, (int32_t)0x80090311,                               \
	  "no logon server for the user's domain (no domain controller reachable, or no trust)")       \
	X(NTLM_E_NTLMV2_REFUSED, 55, 0xC0000388u, (int32_t)0x8009030C,                                 \
	  "NTLMv2 response refused by policy")                                                         \
	X(NTLM_E_POLICY_CONFLICT, 56, 0xC000000Du, (int32_t)0x8009035D,                                \
	  "contradictory policy settings (ntlm_policy_conflict() names them)")                         \
	X(NTLM_E_NO_COMMON_CHARSET, 57, 0xC00000BBu, (int32_t)0x80090302,                              \
	  "no character set in common: the CHALLENGE chose neither Unicode nor OEM")                   \
	X(NTLM_E_NO_LM_HASH, 58, 0xC000006Du, (int32_t)0x8009030C,                                     \
	  "the LM hash is needed (LM_KEY, or only LM allowed) but the account has none")               \
	X(NTLM_E_BAD_SESSION_KEY, 59, 0xC000000Du, (int32_t)0x80090308,                                \
	  "key exchange negotiated, but EncryptedRandomSessionKey is not 16 bytes")                    \
	X(NTLM_E_STRUCT_SIZE, 60, 0xC000000Du, (int32_t)0x8009035D,                                    \
	  "structure not initialised (struct_size unset or unknown: use its _INIT macro)")             \
	X(NTLM_E_PASSWORD_EXPIRED, 61, 0xC0000071u, (int32_t)0x8009030C,                               \
	  "the account's password has expired (the domain says so)")                                   \
	X(NTLM_E_PASSWORD_MUST_CHANGE, 62, 0xC0000224u, (int32_t)0x8009030C,                           \
	  "the account's password must be changed before it can log on")                               \
	X(NTLM_E_ACCOUNT_EXPIRED, 63, 0xC0000193u, (int32_t)0x8009030C, "account expired")             \
	X(NTLM_E_ACCOUNT_RESTRICTION, 64, 0xC000006Eu, (int32_t)0x8009030C,                            \
	  "account restriction: not at this time, from this workstation or for this logon type")       \
	X(NTLM_E_NO_SUCH_DOMAIN, 65, 0xC00000DFu, (int32_t)0x8009030C,                                 \
	  "the user's domain is neither this server's nor one it trusts")                              \
	X(NTLM_E_NOT_MEMBER, 66, 0xC000006Du, (int32_t)0x8009030C,                                     \
	  "the account is not a member of the group this service requires")

typedef enum ntlm_err {
#define NTLM_ERR_ENUM_(name, value, nt, sec, msg) name = value,
	NTLM_ERROR_LIST(NTLM_ERR_ENUM_)
#undef NTLM_ERR_ENUM_
} ntlm_err;

/* A fixed, human-readable message for every value (never NULL). */
NTLM_API const char *ntlm_strerror(ntlm_err err);
/* The symbolic name, e.g. "NTLM_E_MIC_MISMATCH" (never NULL). */
NTLM_API const char *ntlm_err_name(ntlm_err err);
/* The NTSTATUS Windows would return, e.g. 0xC000006D STATUS_LOGON_FAILURE. */
NTLM_API uint32_t ntlm_err_ntstatus(ntlm_err err);
/* The SECURITY_STATUS (SEC_E_*, SEC_I_*) Windows' SSPI would return. */
NTLM_API int32_t ntlm_err_sec_status(ntlm_err err);

/* ---------------------------------------------------- negotiate flags */
/* [MS-NLMP] 2.2.2.5 */
#define NTLMSSP_NEGOTIATE_UNICODE                  0x00000001u
#define NTLMSSP_NEGOTIATE_OEM                      0x00000002u
#define NTLMSSP_REQUEST_TARGET                     0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN                     0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL                     0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM                 0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY                   0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM                     0x00000200u
#define NTLMSSP_ANONYMOUS                          0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED      0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN              0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN                 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER                 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY                 0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY         0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO              0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION                  0x02000000u
#define NTLMSSP_NEGOTIATE_128                      0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH                 0x40000000u
#define NTLMSSP_NEGOTIATE_56                       0x80000000u

/* Name of one flag bit ("NTLMSSP_NEGOTIATE_SEAL"), or NULL if unknown. */
NTLM_API const char *ntlm_flag_name(uint32_t bit);

/* ------------------------------------------------------------- policy */

/* Response kinds, as bits of ntlm_policy.allowed_responses. */
#define NTLM_RESP_LM     0x1u /* LM (and NTLMv1 responses that carry only LM) */
#define NTLM_RESP_NTLMV1 0x2u /* NTLMv1, with or without extended session security */
#define NTLM_RESP_NTLMV2 0x4u /* NTLMv2 + LMv2 */
/*
 * Not a policy setting: a caller of ntlm_account_store_verify() or
 * ntlm_verify_response() that verifies an MS-CHAP v1 or v2 answer (RFC 2433,
 * RFC 2759) sets it in ntlm_auth_request.allowed_responses. Such an answer
 * has the form of an NTLMv1 response (24 bytes, no extended session
 * security) to an 8-byte challenge the RADIUS server derived; with this bit
 * it is classified NTLM_KIND_MSCHAP and allowed as that, whatever the NTLM
 * bits say, and a domain store tells the domain so (MSV1_0_ALLOW_MSVCHAPV2).
 * Server contexts never set it: a policy holding it does not let NTLMv1
 * into an NTLMSSP logon.
 */
#define NTLM_RESP_MSCHAP 0x8u

/* Minimum session security, as bits of ntlm_policy.min_security. */
#define NTLM_SEC_SIGN     0x1u
#define NTLM_SEC_SEAL     0x2u
#define NTLM_SEC_128BIT   0x4u
#define NTLM_SEC_KEY_EXCH 0x8u
#define NTLM_SEC_ESS      0x10u /* extended session security */

typedef enum ntlm_cbt_policy {
	NTLM_CBT_NEVER = 0,      /* ignore channel bindings */
	NTLM_CBT_IF_PRESENT = 1, /* check them when the client sent a non-zero value */
	NTLM_CBT_REQUIRED = 2    /* refuse a client that sent none */
} ntlm_cbt_policy;

/*
 * One policy object, for both roles. Initialise with ntlm_policy_init() (the
 * secure defaults) or ntlm_policy_load() (a config file), then adjust.
 */
typedef struct ntlm_policy {
	size_t struct_size;         /* set by ntlm_policy_init / ntlm_policy_load */
	uint32_t allowed_responses; /* default NTLM_RESP_NTLMV2 */
	uint32_t min_security;      /* default 128BIT | KEY_EXCH | ESS; 128BIT judges the seal
	                                key really used (LM_KEY or DATAGRAM without ESS: short) */
	int require_mic;            /* server: refuse AUTHENTICATE without MIC (default 0; a
	                                MIC that is present is always verified) */
	ntlm_cbt_policy cbt;        /* server (default IF_PRESENT; REQUIRED also refuses every
	                                response kind but NTLMv2) */
	int require_target_name;    /* server: MsvAvTargetName must name one of our services
	                                (and only NTLMv2 is accepted). Without it, a non-empty
	                                name that is none of service_names is still refused */
	uint32_t timestamp_window;  /* server: allowed |client time - server time|, seconds
	                                (default 7200; 0 = do not check) */
	int allow_anonymous;        /* server: accept anonymous (default 0) */
	int replay_cache;           /* server: entries of the replay cache shared by server
	                                contexts (default 4096, 0 = off). A server given no
	                                ntlm_server_config.replay uses one kept by its account
	                                store, so every server of that store shares it */
	uint32_t lockout_threshold; /* server: this many failed logons (wrong password or unknown
	                                user) of one user name, each within lockout_window of
	                                the first, lock that name out for lockout_window: every
	                                logon is then refused with NTLM_E_ACCOUNT_LOCKED without
	                                trying the password (default 0 = off). Kept in memory
	                                by the account store object */
	uint32_t lockout_window;    /* server: seconds (default 1800) */
} ntlm_policy;

/*
 * Fills *p with the secure defaults listed above (and its struct_size). Call
 * it as ntlm_policy_init(p): the macro passes the size of the caller's
 * structure, so a program built against an older header gets only the
 * fields it knows.
 */
NTLM_API void ntlm_policy_init_sized(ntlm_policy *p, size_t size);
#define ntlm_policy_init(p) ntlm_policy_init_sized((p), sizeof(*(p)))

typedef struct ntlm_server_config ntlm_server_config;
/*
 * NULL when the settings can all take effect together; else a fixed message
 * naming the two that contradict each other, e.g. "channel_bindings =
 * required, but allowed_responses lacks ntlmv2 ...". With server, the
 * policy as that server applies it (also against its own configuration:
 * require_target_name needs service_names, channel_bindings = required needs
 * cbt_hash); with server NULL, as a client applies it (allowed_responses
 * must allow something). ntlm_client_new() (for a non-anonymous credential)
 * and ntlm_server_new() refuse a contradictory policy with
 * NTLM_E_POLICY_CONFLICT; this call says why.
 */
NTLM_API const char *ntlm_policy_conflict(const ntlm_policy *p, const ntlm_server_config *server);
/*
 * Reads a config file (path NULL: $NTLMSSP_CONF, else /etc/ntlmssp.conf) over
 * *p, which ntlm_policy_init() has prepared (else NTLM_E_STRUCT_SIZE): the
 * settings the file names change, the others stay. A missing default file is
 * not an error. Format: "key = value"
 * lines, '#' comments; keys: allowed_responses (list of lm,ntlmv1,ntlmv2),
 * min_security (list of sign,seal,128bit,key_exch,ess or none),
 * require_mic, channel_bindings (never|if_present|required),
 * require_target_name, timestamp_window, allow_anonymous, replay_cache,
 * lockout_threshold, lockout_window. The file must be a regular file that
 * others cannot write, named without a symbolic link at its end
 * (NTLM_E_UNSAFE_FILE otherwise); $NTLMSSP_CONF is ignored in set-user-ID
 * programs.
 * A line over 4096 bytes or holding a NUL byte is malformed. On
 * NTLM_E_BAD_FILE, *line (if not NULL) gets the failing line number; on any
 * error *p is left unchanged.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_policy_load(ntlm_policy *p, const char *path,
                                                   unsigned *line);

/* ---------------------------------------------------------- buffers */

/* A buffer allocated by the library; release with ntlm_buffer_free(). */
typedef struct ntlm_buffer {
	uint8_t *data;
	size_t len;
} ntlm_buffer;

/* Wipes and frees b->data; sets it to {NULL, 0}. NULL-safe. */
NTLM_API void ntlm_buffer_free(ntlm_buffer *b);

/* ------------------------------------------------------ credentials */

typedef struct ntlm_cred ntlm_cred;

/* Strings are UTF-8. domain may be NULL or "" (no domain). */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_cred_password(ntlm_cred **out, const char *domain,
                                                     const char *user, const char *password);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_cred_nthash(ntlm_cred **out, const char *domain,
                                                   const char *user,
                                                   const uint8_t nt_hash[NTLM_HASH_SIZE]);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_cred_anonymous(ntlm_cred **out);
/*
 * An entry of a gss-ntlmssp style credential file ("DOMAIN:USER:PASSWORD"
 * per line, '#' comments; or, as gss-ntlmssp's initiator also reads them,
 * smbpasswd lines "NAME:UID:LMHASH:NTHASH:...", the name optionally
 * "DOMAIN\\user", whose NT hash is the credential). path NULL means
 * $NTLM_USER_FILE. The first entry whose user (case-insensitive) and, when
 * domain is not NULL and the line names one, domain match is taken; user
 * NULL takes the first entry. An smbpasswd line without an NT hash gives
 * NTLM_E_NO_CREDENTIALS.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_cred_from_file(ntlm_cred **out, const char *path,
                                                      const char *domain, const char *user);
/*
 * Single sign-on: the credentials winbindd keeps in memory for a domain
 * user who logged on (pam_winbind, or wbcCredentialSave / `wbinfo
 * --ccache-save`). No password or hash reaches this library: at the
 * CHALLENGE, winbindd computes the AUTHENTICATE and hands over the session
 * key; the context then signs and seals with it as usual. winbindd lets only
 * the uid that saved the entry (and root) use it. domain NULL or "":
 * winbindd's default domain. The entry is looked up now: NTLM_E_NO_CREDENTIALS
 * when there is none this uid may use, NTLM_E_BACKEND when winbindd does not
 * answer, NTLM_E_UNSUPPORTED in a build without libwbclient.
 * A client context with it refuses channel bindings and datagram mode
 * (winbindd's client has neither), and refuses winbindd's AUTHENTICATE when
 * it breaks the context's policy (response kind, minimum security) or, for
 * a CHALLENGE with a timestamp, carries no MIC that verifies over our
 * NEGOTIATE (docs/winbind.md).
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_cred_from_winbind_cache(ntlm_cred **out, const char *domain,
                                                               const char *user);
/* Wipes the secrets and frees. NULL-safe. */
NTLM_API void ntlm_cred_free(ntlm_cred *cred);

/* ------------------------------------------------------ account store */

/* What the server hands to an account store to verify. */
typedef struct ntlm_auth_request {
	const char *user;                /* UTF-8, as sent by the client */
	const char *domain;              /* UTF-8, as sent (may be "") */
	const char *workstation;         /* UTF-8, as sent (may be "") */
	const uint8_t *server_challenge; /* NTLM_CHALLENGE_SIZE bytes */
	const uint8_t *nt_response;
	size_t nt_response_len;
	const uint8_t *lm_response;
	size_t lm_response_len;
	uint32_t flags;             /* negotiated flags (ESS decides the NTLMv1 variant) */
	uint32_t allowed_responses; /* NTLM_RESP_* the policy permits */
	const char *server_name;    /* this server's NetBIOS computer name */
	const char *server_domain;  /* this server's NetBIOS domain name */
	/* The server's lockout policy (ntlm_policy) and clock (seconds since 1970):
	   ntlm_account_store_verify() applies it for every store */
	uint32_t lockout_threshold, lockout_window;
	int64_t now;
} ntlm_auth_request;

typedef enum ntlm_response_kind {
	NTLM_KIND_NONE = 0,
	NTLM_KIND_ANONYMOUS,
	NTLM_KIND_LM,
	NTLM_KIND_NTLMV1,
	NTLM_KIND_NTLMV1_ESS,
	NTLM_KIND_NTLMV2,
	NTLM_KIND_LMV2,  /* only the LMv2 response verified (NT response empty) */
	NTLM_KIND_MSCHAP /* an MS-CHAP v1/v2 answer (NTLM_RESP_MSCHAP): NTLMv1's form */
} ntlm_response_kind;

/* Returns "NTLMv2", "NTLMv1-ESS", "MS-CHAP", ... */
NTLM_API const char *ntlm_response_kind_name(ntlm_response_kind k);

/* What an account store answers when verification succeeds. */
typedef struct ntlm_auth_result {
	ntlm_response_kind kind;
	uint8_t session_base_key[NTLM_SESSION_KEY_SIZE];
	uint8_t lm_session_key[NTLM_LM_SESSION_KEY_SIZE]; /* for NTLMv1 LM_KEY / NON_NT_SESSION_KEY */
	int have_lm_session_key;
	char authority[64]; /* domain that vouches for the user, e.g. server name */
	char user[128];     /* canonical user name */
	char unix_user[64]; /* mapped local Unix account ("" if none) */
} ntlm_auth_result;

typedef struct ntlm_account_store_ops {
	size_t struct_size; /* NTLM_ACCOUNT_STORE_OPS_INIT */
	/*
	 * Verify the responses in *req. On success fill *res and return NTLM_OK;
	 * otherwise return why (NTLM_E_NO_SUCH_USER, NTLM_E_LOGON_FAILURE,
	 * NTLM_E_ACCOUNT_DISABLED, NTLM_E_NTLMV1_REFUSED, ...). Must be
	 * thread-safe if the store is shared between threads.
	 */
	ntlm_err (*verify)(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res);
	void (*free)(void *impl);
} ntlm_account_store_ops;
#define NTLM_ACCOUNT_STORE_OPS_INIT NTLM_STRUCT_INIT_(ntlm_account_store_ops)

typedef struct ntlm_account_store ntlm_account_store;

/* Wrap a custom store; impl is owned by the store and freed through ops->free. */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_new(ntlm_account_store **out,
                                                         const ntlm_account_store_ops *ops,
                                                         void *impl);
/*
 * The embedded default: a Samba smbpasswd-format file. The file is re-read
 * when it changes, so edits take effect at once. It must be a regular file
 * that others cannot write, not named through a symbolic link
 * (NTLM_E_UNSAFE_FILE). As Samba, the store refuses a locked account [L]
 * (NTLM_E_ACCOUNT_LOCKED) before trying its password, and, once the password
 * verified, a disabled one [D] and trust accounts [I] [W] [S]
 * (NTLM_E_NOLOGON_*_TRUST): their state is told only to who knows the password.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_smbpasswd(ntlm_account_store **out,
                                                               const char *path);
/*
 * A domain reached through Samba's winbindd (libwbclient): the responses go
 * to winbindd, which has the domain controller (or, on a standalone Samba,
 * its own passdb) verify them; no hash is ever seen here. The user is
 * reported as DOMAIN\\account as the domain names it, and unix_user is the
 * local account winbind maps the user's SID to ("" if none).
 * domain_filter (NetBIOS name; NULL or "" = any): only users of that domain
 * are accepted; a client that names another domain fails with
 * NTLM_E_NO_SUCH_USER without winbindd being asked. The allowed responses
 * are enforced before winbindd is asked. winbindd not answering gives
 * NTLM_E_BACKEND. The store may be shared between threads (each
 * verification uses its own winbind connection). Built without libwbclient,
 * this returns NTLM_E_UNSUPPORTED.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_winbind(ntlm_account_store **out,
                                                             const char *domain_filter);
/*
 * The winbind store answers NTLM_E_NO_SUCH_DOMAIN when the client names a
 * domain outside its filter or one winbindd does not serve (neither ours,
 * nor our own SAM, nor trusted); account states the domain enforces keep
 * their own values (NTLM_E_ACCOUNT_DISABLED, _LOCKED, _EXPIRED,
 * _RESTRICTION, NTLM_E_PASSWORD_EXPIRED, _MUST_CHANGE). A server context
 * exposes the SIDs of a domain logon (ntlm_ctx_sid, ntlm_ctx_group_sids).
 */

/*
 * The domain's own names as winbindd knows them (its primary domain): the
 * NetBIOS name into netbios[nb_cap] and the DNS name into dns[dns_cap] (""
 * for a domain without one), for ntlm_server_config.domain_name and
 * dns_domain_name, so the CHALLENGE names the domain that verifies the
 * users. NTLM_E_BACKEND when winbindd does not answer,
 * NTLM_E_BUFFER_TOO_SMALL when a name does not fit, NTLM_E_UNSUPPORTED
 * without libwbclient.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_winbind_domain_names(char *netbios, size_t nb_cap, char *dns,
                                                            size_t dns_cap);

/* ntlm_account_store_chain() options. */
#define NTLM_CHAIN_FALLBACK_UNREACHABLE 0x1u /* the domain cannot be asked: try local too */
/*
 * A domain member's store (the seed's rule): every logon goes to domain (a
 * winbind store) first. Only when it answers NTLM_E_NO_SUCH_DOMAIN (the
 * client's domain is neither ours nor trusted) is local (an smbpasswd store)
 * asked for the same user name; the principal then says who vouched for the
 * client: "DOMAIN\user" from the domain, "SERVER\user" from the local
 * account, and the audit event's account_source "domain" or "local".
 * Every other answer of the domain stands: a wrong password or a disabled,
 * locked or expired domain account never falls back. A domain that cannot
 * be asked (NTLM_E_BACKEND, NTLM_E_NO_LOGON_SERVERS for our own or a
 * trusted domain) falls back only with NTLM_CHAIN_FALLBACK_UNREACHABLE:
 * otherwise a local password could stand in for a domain one. The lockout
 * policy counts once per logon, on the chain. domain and local are not
 * owned and must outlive the chain; options: NTLM_CHAIN_* bits.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_chain(ntlm_account_store **out,
                                                           ntlm_account_store *domain,
                                                           ntlm_account_store *local,
                                                           uint32_t options);
/*
 * Only the members of one group (or one account) may log on: a logon inner
 * verifies is refused with NTLM_E_NOT_MEMBER unless sid ("S-1-5-21-...") is
 * the account's own SID or one of the group SIDs the domain listed in the
 * logon (what ntlm_ctx_sid and ntlm_ctx_group_sids report), or is an alias
 * (a domain-local group such as BUILTIN\\Users) that winbindd says those
 * SIDs belong to. A logon whose store reports no SIDs (a local account, also
 * as a chained store's fallback, or a custom store) is never a member.
 * Nested global groups are what the domain put in the logon. sid is
 * compared in its canonical decimal form; a malformed one is
 * NTLM_E_INVALID_PARAMETER. The lockout policy counts on this store; a
 * refused non-member is no password guess and is not counted. inner is not
 * owned and must outlive the store.
 * A server context tells the peer NTLM_E_LOGON_FAILURE, as Windows and
 * Samba do; the audit record keeps NTLM_E_NOT_MEMBER.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_require_member(ntlm_account_store **out,
                                                                    ntlm_account_store *inner,
                                                                    const char *sid);
/*
 * The SID winbindd gives name ("DOMAIN\\name": a user or a group) into
 * sid[cap], for ntlm_account_store_require_member(). A name without its
 * domain is NTLM_E_INVALID_PARAMETER; NTLM_E_NOT_FOUND when winbindd knows
 * no such name, NTLM_E_BACKEND when it does not answer,
 * NTLM_E_BUFFER_TOO_SMALL, NTLM_E_UNSUPPORTED without libwbclient.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_winbind_name_to_sid(const char *name, char *sid, size_t cap);
NTLM_API void ntlm_account_store_free(ntlm_account_store *store);
/*
 * Runs a store's verification directly (also what the server context does).
 * With req->lockout_threshold set, the store object counts failed logons
 * (NTLM_E_LOGON_FAILURE, NTLM_E_NO_SUCH_USER) per user name, ignoring case
 * and domain, and refuses a name that reached the threshold with
 * NTLM_E_ACCOUNT_LOCKED for lockout_window seconds; a success clears the
 * count. The table is bounded (the oldest entry makes room) and shared by
 * the threads using the store.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_verify(ntlm_account_store *store,
                                                            const ntlm_auth_request *req,
                                                            ntlm_auth_result *res);

/*
 * The verification a custom store needs once it has found the account's
 * hashes: checks the response in *req (NTLMv2, NTLMv1 with or without ESS, or
 * LM, each only if req->allowed_responses permits it) against nt_hash (and
 * lm_hash, may be NULL) and fills res->kind, the session base key and the LM
 * session key. The store fills in authority, user and unix_user itself.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_verify_response(const ntlm_auth_request *req,
                                                       const uint8_t nt_hash[NTLM_HASH_SIZE],
                                                       const uint8_t *lm_hash,
                                                       ntlm_auth_result *res);

/* NT hash (NTOWFv1 = MD4(UTF-16LE(password))). */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_nt_hash(const char *password, uint8_t out[NTLM_HASH_SIZE]);
/* LM hash (LMOWFv1); fails with NTLM_E_UNSUPPORTED for passwords over 14 bytes. */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_lm_hash(const char *password, uint8_t out[NTLM_HASH_SIZE]);

/* --------------------------------------------------------- contexts */

typedef struct ntlm_ctx ntlm_ctx;

/* Test and embedding hooks: time (seconds since 1970) and randomness. */
typedef struct ntlm_hooks {
	size_t struct_size; /* NTLM_HOOKS_INIT */
	int64_t (*now)(void *arg);
	ntlm_err (*random)(void *arg, uint8_t *buf, size_t len);
	void *arg;
} ntlm_hooks;
#define NTLM_HOOKS_INIT NTLM_STRUCT_INIT_(ntlm_hooks)

/*
 * gss_channel_bindings_struct contents; the client sends the MD5 of its
 * serialisation ([MS-NLMP] 3.1.5.2.2, RFC 2744 / RFC 5929 tls-server-end-point
 * goes in application_data).
 */
typedef struct ntlm_channel_bindings {
	uint32_t initiator_addrtype;
	const uint8_t *initiator_address;
	size_t initiator_address_len;
	uint32_t acceptor_addrtype;
	const uint8_t *acceptor_address;
	size_t acceptor_address_len;
	const uint8_t *application_data;
	size_t application_data_len;
} ntlm_channel_bindings;

/* MD5 over the serialised bindings, as sent in MsvAvChannelBindings. */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_channel_bindings_hash(const ntlm_channel_bindings *cb,
                                                             uint8_t out[NTLM_CBT_HASH_SIZE]);

/*
 * The flags a client requests when ntlm_client_config.flags is 0: Unicode
 * (OEM as fallback), target, NTLM, sign, seal, always-sign, extended session
 * security, version, 128- and 56-bit, key exchange. Exposed so a caller can
 * add a bit (e.g. NTLMSSP_NEGOTIATE_IDENTIFY) without restating the rest.
 */
#define NTLM_CLIENT_DEFAULT_FLAGS                                                                  \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET |                  \
	 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM |                    \
	 NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |                  \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |              \
	 NTLMSSP_NEGOTIATE_56)

typedef struct ntlm_client_config {
	size_t struct_size;        /* NTLM_CLIENT_CONFIG_INIT */
	const ntlm_policy *policy; /* NULL: the system policy, as ntlm_policy_load(p, NULL,
	                                 NULL) reads it; a file that does not load fails
	                                 the creation with its error */
	const char *workstation;   /* NULL: gethostname() short name, upper-case */
	const char *target_name;   /* SPN sent as MsvAvTargetName, e.g. "HOST/srv" (NULL: none) */
	const uint8_t *cbt_hash;   /* 16 bytes, MD5 of the bindings (NULL: none) */
	uint32_t flags;            /* 0: NTLM_CLIENT_DEFAULT_FLAGS;
	                                 else exactly these requested flags */
	int datagram;              /* connectionless mode (no NEGOTIATE message) */
	int omit_version;          /* 1: send no VERSION structure (default 0: send it) */
	const ntlm_hooks *hooks;   /* NULL: real clock and getrandom(2) */
} ntlm_client_config;
#define NTLM_CLIENT_CONFIG_INIT NTLM_STRUCT_INIT_(ntlm_client_config)

/*
 * Audit record handed to ntlm_server_config.audit after every authentication
 * (the library sets struct_size). A caller that builds one itself, e.g. for
 * ntlm_audit_json(), starts from NTLM_AUDIT_EVENT_INIT.
 */
typedef struct ntlm_audit_event {
	size_t struct_size; /* NTLM_AUDIT_EVENT_INIT */
	int64_t time;
	ntlm_err result;
	const char *domain, *user, *workstation; /* as sent */
	const char *authenticated;               /* "DOMAIN\\user" or NULL */
	ntlm_response_kind kind;
	uint32_t flags;
	int mic;    /* 0 absent, 1 verified */
	int cbt;    /* 0 absent, 1 matched */
	int target; /* 0 absent, 1 present (and matched when checked) */
	const char *target_name;
	uint32_t weaknesses; /* NTLM_WEAK_* */
	const char *rule;    /* the policy rule that refused, e.g. "min_security: 128bit" (or NULL) */
	/*
	 * Which kind of store vouched for the client: "domain" (winbind),
	 * "local" (an account file, also as the fallback of a chained store),
	 * or NULL (a custom store, or no logon). Added after the first version:
	 * ntlm_audit_json() reads it only from an event whose struct_size covers
	 * it, and only when not NULL.
	 */
	const char *account_source;
} ntlm_audit_event;
#define NTLM_AUDIT_EVENT_INIT NTLM_STRUCT_INIT_(ntlm_audit_event)

#define NTLM_WEAK_LM          0x1u
#define NTLM_WEAK_NTLMV1      0x2u
#define NTLM_WEAK_NO_MIC      0x4u
#define NTLM_WEAK_NO_CBT      0x8u
#define NTLM_WEAK_SHORT_KEY   0x10u
#define NTLM_WEAK_NO_KEY_EXCH 0x20u
#define NTLM_WEAK_NO_TARGET   0x40u

/*
 * One JSON object (no newline) describing ev; caller frees with
 * ntlm_buffer_free. ev->struct_size unset or unknown: NTLM_E_STRUCT_SIZE.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_audit_json(const ntlm_audit_event *ev, ntlm_buffer *out);

struct ntlm_server_config {
	size_t struct_size;        /* NTLM_SERVER_CONFIG_INIT */
	const ntlm_policy *policy; /* NULL: the system policy (as for the client) */
	const char *computer_name; /* NetBIOS computer name (NULL: hostname, upper-case) */
	const char *domain_name;   /* NetBIOS domain (NULL: = computer_name, standalone) */
	/*
	 * DNS names sent in the CHALLENGE's TargetInfo, as Windows does
	 * (MsvAvDnsComputerName, MsvAvDnsDomainName, and MsvAvDnsTreeName = the
	 * DNS domain: a single-domain forest's name). dns_computer_name NULL: the
	 * host name if it is fully qualified and computer_name is NULL (the
	 * server describes this host), else omitted. dns_domain_name NULL: what
	 * follows the first dot of the DNS computer name, else omitted.
	 */
	const char *dns_computer_name;
	const char *dns_domain_name;
	const char *const *service_names; /* NULL-terminated SPNs accepted as target name */
	ntlm_account_store *store;        /* required; not owned */
	const uint8_t *cbt_hash;          /* 16 bytes: expected channel bindings (NULL: none) */
	int datagram;
	const ntlm_hooks *hooks;
	void (*audit)(void *arg, const ntlm_audit_event *ev); /* NULL: none */
	void *audit_arg;
	struct ntlm_replay_cache *replay; /* shared cache (ntlm_replay_cache_new); NULL: with
	                                     policy replay_cache > 0, the store's own (created
	                                     on first use, shared by every server of the store) */
};
#define NTLM_SERVER_CONFIG_INIT NTLM_STRUCT_INIT_(ntlm_server_config)

typedef struct ntlm_replay_cache ntlm_replay_cache;
/* A thread-safe bounded cache of recent NTLMv2 proofs, shared by server contexts. */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_replay_cache_new(ntlm_replay_cache **out, size_t entries);
NTLM_API void ntlm_replay_cache_free(ntlm_replay_cache *rc);

/* The context copies what it needs from the config; cred/store must outlive it. */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_client_new(ntlm_ctx **out, const ntlm_cred *cred,
                                                  const ntlm_client_config *cfg);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_server_new(ntlm_ctx **out, const ntlm_server_config *cfg);
/* Wipes every secret and frees. NULL-safe. */
NTLM_API void ntlm_ctx_free(ntlm_ctx *ctx);

/*
 * Advance the handshake. in/in_len: the peer's token (NULL/0 for the
 * client's first call). On NTLM_CONTINUE *out holds a token to send; on
 * NTLM_OK the context is established (*out may hold a last token to send:
 * the client's AUTHENTICATE); on an error the context is failed for good and
 * every later call returns NTLM_E_FAILED_CONTEXT.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len,
                                            ntlm_buffer *out);

/* ------------------------------------------- established context queries */

NTLM_API int ntlm_ctx_established(const ntlm_ctx *ctx);
NTLM_API uint32_t ntlm_ctx_flags(const ntlm_ctx *ctx);
/* Peer names (server side: as the client sent them); "" when not known. */
NTLM_API const char *ntlm_ctx_peer_user(const ntlm_ctx *ctx);
NTLM_API const char *ntlm_ctx_peer_domain(const ntlm_ctx *ctx);
NTLM_API const char *ntlm_ctx_peer_workstation(const ntlm_ctx *ctx);
/* Server: "AUTHORITY\\user" as authenticated; client: "DOMAIN\\user" used. */
NTLM_API const char *ntlm_ctx_principal(const ntlm_ctx *ctx);
/* Server: the mapped local Unix account ("" if none). */
NTLM_API const char *ntlm_ctx_unix_user(const ntlm_ctx *ctx);
/*
 * Server, after a domain logon (winbind store): the account's SID
 * ("S-1-5-21-...") and the SIDs of its groups as the domain controller
 * listed them in the logon info (primary group first, space-separated).
 * "" when the store reported none (a local account, a custom store).
 */
NTLM_API const char *ntlm_ctx_sid(const ntlm_ctx *ctx);
NTLM_API const char *ntlm_ctx_group_sids(const ntlm_ctx *ctx);
NTLM_API ntlm_response_kind ntlm_ctx_response_kind(const ntlm_ctx *ctx);
/* 16-byte exported session key (ExportedSessionKey). */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_ctx_session_key(const ntlm_ctx *ctx,
                                                       uint8_t out[NTLM_SESSION_KEY_SIZE]);
NTLM_API int ntlm_ctx_mic_verified(const ntlm_ctx *ctx);
/*
 * After a failed ntlm_step: the policy rule that refused ("allowed_responses",
 * "min_security: 128bit", "require_mic", "channel_bindings", ...), or "" when
 * the failure was not a policy refusal (a wrong password, a malformed token).
 */
NTLM_API const char *ntlm_ctx_refusal_rule(const ntlm_ctx *ctx);
NTLM_API int ntlm_ctx_is_anonymous(const ntlm_ctx *ctx);
/* Client: the target name from the CHALLENGE; server: MsvAvTargetName sent. */
NTLM_API const char *ntlm_ctx_target_name(const ntlm_ctx *ctx);

/* ------------------------------------------------- signing and sealing */

/*
 * Session security ([MS-NLMP] 3.4) in three shapes, each a protect/unprotect
 * pair: flat (a buffer and its NTLM_SIGNATURE_SIZE-byte signature apart),
 * wrapped (GSS_Wrap: signature || data in one buffer) and a buffer list
 * (SSPI EncryptMessage, DCE/RPC). mode is exactly one of NTLM_PROTECT_SIGN
 * (integrity: the data stays in clear) and NTLM_PROTECT_SEAL (the data is
 * encrypted too; needs NTLMSSP_NEGOTIATE_SEAL, else
 * NTLM_E_SEAL_NOT_NEGOTIATED), optionally with NTLM_PROTECT_EXPLICIT_SEQ:
 *
 * - Without it (connection-oriented contexts) the context numbers the
 *   messages: its send counter for protect, its receive counter for
 *   unprotect, advanced only by a success; seq must be 0.
 * - With it (datagram contexts, where it is required) seq is the caller's
 *   sequence number for this message; the context keeps no counter.
 *
 * Any other mode, or a sequence choice that does not match the context's
 * mode, is NTLM_E_INVALID_PARAMETER. A failed unprotect leaves the context as
 * it was (the next genuine message still verifies) and wipes data it
 * decrypted, so unauthenticated plaintext never reaches the caller.
 */
#define NTLM_PROTECT_SIGN         0x1u /* sign (MakeSignature, GSS_GetMIC, wrap without conf) */
#define NTLM_PROTECT_SEAL         0x2u /* seal and sign (EncryptMessage, GSS_Wrap with conf) */
#define NTLM_PROTECT_EXPLICIT_SEQ 0x4u /* seq is the message's number (datagram mode) */

/*
 * Flat shape. protect: NTLM_PROTECT_SEAL encrypts data in place (with SIGN
 * data is only read) and writes the signature over the plaintext to sig.
 * unprotect: with SEAL decrypts data in place, then checks sig.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_protect(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                               uint8_t *data, size_t len,
                                               uint8_t sig[NTLM_SIGNATURE_SIZE]);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_unprotect(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                                 uint8_t *data, size_t len,
                                                 const uint8_t sig[NTLM_SIGNATURE_SIZE]);

/*
 * GSS_Wrap shape: *out = signature (NTLM_SIGNATURE_SIZE) || data, the data
 * sealed with NTLM_PROTECT_SEAL and in clear with NTLM_PROTECT_SIGN (GSS_Wrap
 * with conf_req 0). unwrap: in = signature || data; *out = the plaintext; a
 * message shorter than a signature is NTLM_E_TRUNCATED. *out is freed with
 * ntlm_buffer_free; on failure it is empty.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_wrap(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                            const uint8_t *in, size_t len, ntlm_buffer *out);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_unwrap(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                              const uint8_t *in, size_t len, ntlm_buffer *out);

/* Buffer-list shape (SSPI EncryptMessage): a list of typed buffers. */
typedef enum ntlm_iov_type {
	NTLM_IOV_DATA = 1,      /* signed; sealed in place with NTLM_PROTECT_SEAL */
	NTLM_IOV_SIGN_ONLY = 2, /* signed, left in clear (SECBUFFER_READONLY_WITH_CHECKSUM) */
	NTLM_IOV_IGNORE = 3,    /* neither (SECBUFFER_READONLY) */
	NTLM_IOV_TOKEN = 4      /* receives / holds the signature (NTLM_SIGNATURE_SIZE bytes) */
} ntlm_iov_type;

typedef struct ntlm_iov {
	ntlm_iov_type type;
	uint8_t *data;
	size_t len;
} ntlm_iov;

/*
 * The signature covers the DATA and SIGN_ONLY buffers in order; exactly one
 * TOKEN buffer of at least NTLM_SIGNATURE_SIZE bytes holds it.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_protect_iov(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                                   ntlm_iov *iov, size_t n);
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_unprotect_iov(ntlm_ctx *ctx, unsigned mode, uint32_t seq,
                                                     ntlm_iov *iov, size_t n);

/* ------------------------------------------ context transfer (GSSAPI face) */

/*
 * What gss_export_sec_context / gss_import_sec_context and the SPNEGO
 * crypto reset of [MS-SPNG] 3.3.5.1 need.
 *
 * ntlm_ctx_export: an established context as an opaque token (the session
 * key, the session-security state with its RC4 streams and sequence
 * numbers, the result names, a domain logon's SIDs), for another process of
 * the same build (or a later one) to continue it with ntlm_ctx_import. The token holds the session key: treat
 * it as a secret (free it with ntlm_buffer_free, which wipes it). The
 * exported context stays usable, but using both copies reuses keystream.
 * NTLM_E_WRONG_STATE for a context not established, NTLM_E_FAILED_CONTEXT
 * for a failed one.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_ctx_export(const ntlm_ctx *ctx, ntlm_buffer *out);
/*
 * Rebuilds an established context from ntlm_ctx_export's token (also the
 * previous token version, which carries no SIDs: ntlm_ctx_sid() is then "").
 * A token that is malformed, of an unknown version, or whose state is
 * inconsistent (an RC4 state that is no permutation, a SID string over 1 MiB)
 * gives NTLM_E_BAD_MESSAGE_TYPE, a short one NTLM_E_TRUNCATED, a name holding
 * a NUL or SIDs that are not "S-..." separated by single spaces
 * NTLM_E_BAD_STRING; no context then.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_ctx_import(ntlm_ctx **out, const uint8_t *token, size_t len);
/*
 * Restarts one direction's RC4 stream from its sealing key (the sequence
 * number is kept), as SPNEGO requires after a mechListMIC ([MS-SPNG]
 * 3.3.5.1). receive != 0: the stream that verifies and unseals; 0: the one
 * that signs and seals. Without extended session security one stream serves
 * both. NTLM_E_NO_SESSION_KEY when neither signing nor sealing was negotiated.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_ctx_reset_rc4(ntlm_ctx *ctx, int receive);

/*
 * An account store over a gss-ntlmssp user file ($NTLM_USER_FILE on its
 * acceptor side): "DOMAIN:USER:PASSWORD" lines and Samba smbpasswd lines may
 * both appear; an smbpasswd line naming the user is tried first, a disabled
 * one [D] never verifies. The user is reported as DOMAIN\\USER with the
 * line's domain (this server's name when the line has none) and mapped to
 * the Unix account of the same name. The file is read at every
 * verification (as gss-ntlmssp does; ntlm_account_store_smbpasswd caches);
 * an unreadable file gives NTLM_E_BACKEND.
 */
NTLM_API NTLM_MUST_CHECK ntlm_err ntlm_account_store_userfile(ntlm_account_store **out,
                                                              const char *path);

#ifdef __cplusplus
}
#endif
#endif
