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
NTLM_API ntlm_hresult ntlm_hresult_from_rpc_status(ntlm_rpc_status status);

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

/* ---- client ---- */

#ifdef __cplusplus
}
#endif

#endif
