/*
 * sspi.h - an SSPI-shaped face of libntlmssp for code ported from Windows:
 * the "NTLM" package behind AcquireCredentialsHandle, InitializeSecurityContext,
 * AcceptSecurityContext, EncryptMessage and friends. It is a thin layer over
 * the native API in ntlmssp.h; see docs/sspi.md for the mapping and for what
 * is not supported.
 *
 * Functions are exported as ntlm_sspi_<WindowsName> so the library never
 * clashes at link time with WinPR or another SSPI. Unless
 * NTLMSSP_SSPI_NO_WINDOWS_NAMES is defined, the Windows names are macros for
 * them (and the unsuffixed names for the ANSI "A" forms), so ported code
 * compiles unchanged.
 *
 * Types and constants follow Windows (values, layouts, 32-bit ULONG as on
 * Windows and WinPR). An application that already has them from <sspi.h> or
 * WinPR's <winpr/sspi.h> defines NTLMSSP_SSPI_NO_TYPES and includes that
 * header first; this one then only declares the functions.
 */
#ifndef NTLMSSP_SSPI_H
#define NTLMSSP_SSPI_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NTLMSSP_SSPI_NO_TYPES

/* ------------------------------------------------------- base types */

typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG;
typedef uint16_t USHORT;
typedef uintptr_t ULONG_PTR;
typedef int32_t SECURITY_STATUS;
typedef char SEC_CHAR;
typedef uint16_t SEC_WCHAR;

#ifndef SEC_ENTRY
#define SEC_ENTRY
#endif
#ifndef SEC_FAR
#define SEC_FAR
#endif

/* 100 ns units since 1601, split as on Windows. */
typedef struct _SECURITY_INTEGER {
	ULONG LowPart;
	LONG HighPart;
} SECURITY_INTEGER, *PSECURITY_INTEGER;
typedef SECURITY_INTEGER TimeStamp, *PTimeStamp;

typedef struct _SecHandle {
	ULONG_PTR dwLower;
	ULONG_PTR dwUpper;
} SecHandle, *PSecHandle;
typedef SecHandle CredHandle, *PCredHandle;
typedef SecHandle CtxtHandle, *PCtxtHandle;

#define SecInvalidateHandle(x)                                                                     \
	((PSecHandle)(x))->dwLower = ((PSecHandle)(x))->dwUpper = ((ULONG_PTR)(intptr_t)-1)
#define SecIsValidHandle(x)                                                                        \
	((((PSecHandle)(x))->dwLower != ((ULONG_PTR)(intptr_t)-1)) &&                                  \
	 (((PSecHandle)(x))->dwUpper != ((ULONG_PTR)(intptr_t)-1)))

typedef void (*SEC_GET_KEY_FN)(void *Arg, void *Principal, ULONG KeyVer, void **Key,
                               SECURITY_STATUS *Status);

/* ---------------------------------------------------------- buffers */

typedef struct _SecBuffer {
	ULONG cbBuffer;
	ULONG BufferType;
	void *pvBuffer;
} SecBuffer, *PSecBuffer;

typedef struct _SecBufferDesc {
	ULONG ulVersion;
	ULONG cBuffers;
	PSecBuffer pBuffers;
} SecBufferDesc, *PSecBufferDesc;

#define SECBUFFER_VERSION 0

#define SECBUFFER_EMPTY            0
#define SECBUFFER_DATA             1
#define SECBUFFER_TOKEN            2
#define SECBUFFER_PKG_PARAMS       3
#define SECBUFFER_MISSING          4
#define SECBUFFER_EXTRA            5
#define SECBUFFER_STREAM_TRAILER   6
#define SECBUFFER_STREAM_HEADER    7
#define SECBUFFER_PADDING          9
#define SECBUFFER_STREAM           10
#define SECBUFFER_CHANNEL_BINDINGS 14

/* Attribute bits or-ed into BufferType. */
#define SECBUFFER_ATTRMASK               0xF0000000u
#define SECBUFFER_READONLY               0x80000000u
#define SECBUFFER_READONLY_WITH_CHECKSUM 0x10000000u

/* ------------------------------------------------------ credentials */

#define SECPKG_CRED_INBOUND  0x00000001
#define SECPKG_CRED_OUTBOUND 0x00000002
#define SECPKG_CRED_BOTH     0x00000003

#define SECURITY_NETWORK_DREP 0x00000000
#define SECURITY_NATIVE_DREP  0x00000010

#define SEC_WINNT_AUTH_IDENTITY_ANSI    0x1
#define SEC_WINNT_AUTH_IDENTITY_UNICODE 0x2

/* Lengths are in characters, without a terminating NUL. */
typedef struct _SEC_WINNT_AUTH_IDENTITY_A {
	unsigned char *User;
	ULONG UserLength;
	unsigned char *Domain;
	ULONG DomainLength;
	unsigned char *Password;
	ULONG PasswordLength;
	ULONG Flags;
} SEC_WINNT_AUTH_IDENTITY_A, *PSEC_WINNT_AUTH_IDENTITY_A;

typedef struct _SEC_WINNT_AUTH_IDENTITY_W {
	uint16_t *User;
	ULONG UserLength;
	uint16_t *Domain;
	ULONG DomainLength;
	uint16_t *Password;
	ULONG PasswordLength;
	ULONG Flags;
} SEC_WINNT_AUTH_IDENTITY_W, *PSEC_WINNT_AUTH_IDENTITY_W;

typedef SEC_WINNT_AUTH_IDENTITY_A SEC_WINNT_AUTH_IDENTITY, *PSEC_WINNT_AUTH_IDENTITY;

/* --------------------------------------------------------- packages */

typedef struct _SecPkgInfoA {
	ULONG fCapabilities;
	USHORT wVersion;
	USHORT wRPCID;
	ULONG cbMaxToken;
	SEC_CHAR *Name;
	SEC_CHAR *Comment;
} SecPkgInfoA, *PSecPkgInfoA;
typedef SecPkgInfoA SecPkgInfo, *PSecPkgInfo;

#define SECPKG_FLAG_INTEGRITY              0x00000001
#define SECPKG_FLAG_PRIVACY                0x00000002
#define SECPKG_FLAG_TOKEN_ONLY             0x00000004
#define SECPKG_FLAG_DATAGRAM               0x00000008
#define SECPKG_FLAG_CONNECTION             0x00000010
#define SECPKG_FLAG_MULTI_REQUIRED         0x00000020
#define SECPKG_FLAG_ACCEPT_WIN32_NAME      0x00000200
#define SECPKG_FLAG_NEGOTIABLE             0x00000800
#define SECPKG_FLAG_READONLY_WITH_CHECKSUM 0x00040000

#define NTLMSP_NAME_A     "NTLM"
#define RPC_C_AUTHN_WINNT 10

/* ------------------------------------------------ context attributes */

#define SECPKG_ATTR_SIZES        0
#define SECPKG_ATTR_NAMES        1
#define SECPKG_ATTR_LIFESPAN     2
#define SECPKG_ATTR_SESSION_KEY  9
#define SECPKG_ATTR_PACKAGE_INFO 10
#define SECPKG_ATTR_FLAGS        14

typedef struct _SecPkgContext_Sizes {
	ULONG cbMaxToken;
	ULONG cbMaxSignature;
	ULONG cbBlockSize;
	ULONG cbSecurityTrailer;
} SecPkgContext_Sizes, *PSecPkgContext_Sizes;

typedef struct _SecPkgContext_NamesA {
	SEC_CHAR *sUserName;
} SecPkgContext_NamesA, *PSecPkgContext_NamesA;
typedef SecPkgContext_NamesA SecPkgContext_Names, *PSecPkgContext_Names;

typedef struct _SecPkgContext_SessionKey {
	ULONG SessionKeyLength;
	unsigned char *SessionKey;
} SecPkgContext_SessionKey, *PSecPkgContext_SessionKey;

typedef struct _SecPkgContext_Flags {
	ULONG Flags;
} SecPkgContext_Flags, *PSecPkgContext_Flags;

typedef struct _SecPkgContext_PackageInfoA {
	PSecPkgInfoA PackageInfo;
} SecPkgContext_PackageInfoA, *PSecPkgContext_PackageInfoA;
typedef SecPkgContext_PackageInfoA SecPkgContext_PackageInfo, *PSecPkgContext_PackageInfo;

/* ------------------------------------------- context requirement flags */

#define ISC_REQ_DELEGATE           0x00000001
#define ISC_REQ_MUTUAL_AUTH        0x00000002
#define ISC_REQ_REPLAY_DETECT      0x00000004
#define ISC_REQ_SEQUENCE_DETECT    0x00000008
#define ISC_REQ_CONFIDENTIALITY    0x00000010
#define ISC_REQ_USE_SESSION_KEY    0x00000020
#define ISC_REQ_PROMPT_FOR_CREDS   0x00000040
#define ISC_REQ_USE_SUPPLIED_CREDS 0x00000080
#define ISC_REQ_ALLOCATE_MEMORY    0x00000100
#define ISC_REQ_USE_DCE_STYLE      0x00000200
#define ISC_REQ_DATAGRAM           0x00000400
#define ISC_REQ_CONNECTION         0x00000800
#define ISC_REQ_EXTENDED_ERROR     0x00004000
#define ISC_REQ_STREAM             0x00008000
#define ISC_REQ_INTEGRITY          0x00010000
#define ISC_REQ_IDENTIFY           0x00020000
#define ISC_REQ_NULL_SESSION       0x00040000

#define ISC_RET_DELEGATE            0x00000001
#define ISC_RET_MUTUAL_AUTH         0x00000002
#define ISC_RET_REPLAY_DETECT       0x00000004
#define ISC_RET_SEQUENCE_DETECT     0x00000008
#define ISC_RET_CONFIDENTIALITY     0x00000010
#define ISC_RET_USE_SESSION_KEY     0x00000020
#define ISC_RET_USED_SUPPLIED_CREDS 0x00000080
#define ISC_RET_ALLOCATED_MEMORY    0x00000100
#define ISC_RET_USED_DCE_STYLE      0x00000200
#define ISC_RET_DATAGRAM            0x00000400
#define ISC_RET_CONNECTION          0x00000800
#define ISC_RET_EXTENDED_ERROR      0x00004000
#define ISC_RET_STREAM              0x00008000
#define ISC_RET_INTEGRITY           0x00010000
#define ISC_RET_IDENTIFY            0x00020000
#define ISC_RET_NULL_SESSION        0x00040000

#define ASC_REQ_DELEGATE           0x00000001
#define ASC_REQ_MUTUAL_AUTH        0x00000002
#define ASC_REQ_REPLAY_DETECT      0x00000004
#define ASC_REQ_SEQUENCE_DETECT    0x00000008
#define ASC_REQ_CONFIDENTIALITY    0x00000010
#define ASC_REQ_USE_SESSION_KEY    0x00000020
#define ASC_REQ_ALLOCATE_MEMORY    0x00000100
#define ASC_REQ_USE_DCE_STYLE      0x00000200
#define ASC_REQ_DATAGRAM           0x00000400
#define ASC_REQ_CONNECTION         0x00000800
#define ASC_REQ_EXTENDED_ERROR     0x00008000
#define ASC_REQ_STREAM             0x00010000
#define ASC_REQ_INTEGRITY          0x00020000
#define ASC_REQ_IDENTIFY           0x00080000
#define ASC_REQ_ALLOW_NULL_SESSION 0x00100000

#define ASC_RET_DELEGATE         0x00000001
#define ASC_RET_MUTUAL_AUTH      0x00000002
#define ASC_RET_REPLAY_DETECT    0x00000004
#define ASC_RET_SEQUENCE_DETECT  0x00000008
#define ASC_RET_CONFIDENTIALITY  0x00000010
#define ASC_RET_USE_SESSION_KEY  0x00000020
#define ASC_RET_ALLOCATED_MEMORY 0x00000100
#define ASC_RET_USED_DCE_STYLE   0x00000200
#define ASC_RET_DATAGRAM         0x00000400
#define ASC_RET_CONNECTION       0x00000800
#define ASC_RET_EXTENDED_ERROR   0x00008000
#define ASC_RET_STREAM           0x00010000
#define ASC_RET_INTEGRITY        0x00020000
#define ASC_RET_IDENTIFY         0x00080000
#define ASC_RET_NULL_SESSION     0x00100000

/* fQOP of EncryptMessage: sign without sealing (not supported here). */
#define SECQOP_WRAP_NO_ENCRYPT 0x80000001u

/* ------------------------------------------------------------ status */

#define SEC_E_OK                          ((SECURITY_STATUS)0x00000000)
#define SEC_I_CONTINUE_NEEDED             ((SECURITY_STATUS)0x00090312)
#define SEC_I_COMPLETE_NEEDED             ((SECURITY_STATUS)0x00090313)
#define SEC_I_COMPLETE_AND_CONTINUE       ((SECURITY_STATUS)0x00090314)
#define SEC_E_INSUFFICIENT_MEMORY         ((SECURITY_STATUS)0x80090300)
#define SEC_E_INVALID_HANDLE              ((SECURITY_STATUS)0x80090301)
#define SEC_E_UNSUPPORTED_FUNCTION        ((SECURITY_STATUS)0x80090302)
#define SEC_E_TARGET_UNKNOWN              ((SECURITY_STATUS)0x80090303)
#define SEC_E_INTERNAL_ERROR              ((SECURITY_STATUS)0x80090304)
#define SEC_E_SECPKG_NOT_FOUND            ((SECURITY_STATUS)0x80090305)
#define SEC_E_NOT_OWNER                   ((SECURITY_STATUS)0x80090306)
#define SEC_E_INVALID_TOKEN               ((SECURITY_STATUS)0x80090308)
#define SEC_E_QOP_NOT_SUPPORTED           ((SECURITY_STATUS)0x8009030A)
#define SEC_E_NO_IMPERSONATION            ((SECURITY_STATUS)0x8009030B)
#define SEC_E_LOGON_DENIED                ((SECURITY_STATUS)0x8009030C)
#define SEC_E_UNKNOWN_CREDENTIALS         ((SECURITY_STATUS)0x8009030D)
#define SEC_E_NO_CREDENTIALS              ((SECURITY_STATUS)0x8009030E)
#define SEC_E_MESSAGE_ALTERED             ((SECURITY_STATUS)0x8009030F)
#define SEC_E_OUT_OF_SEQUENCE             ((SECURITY_STATUS)0x80090310)
#define SEC_E_NO_AUTHENTICATING_AUTHORITY ((SECURITY_STATUS)0x80090311)
#define SEC_E_CONTEXT_EXPIRED             ((SECURITY_STATUS)0x80090317)
#define SEC_E_INCOMPLETE_MESSAGE          ((SECURITY_STATUS)0x80090318)
#define SEC_E_BUFFER_TOO_SMALL            ((SECURITY_STATUS)0x80090321)
#define SEC_E_WRONG_PRINCIPAL             ((SECURITY_STATUS)0x80090322)
#define SEC_E_TIME_SKEW                   ((SECURITY_STATUS)0x80090324)
#define SEC_E_DECRYPT_FAILURE             ((SECURITY_STATUS)0x80090330)
#define SEC_E_BAD_BINDINGS                ((SECURITY_STATUS)0x80090346)
#define SEC_E_INVALID_PARAMETER           ((SECURITY_STATUS)0x8009035D)

#endif /* NTLMSSP_SSPI_NO_TYPES */

/* ------------------------------------------------------- functions */

/*
 * pszPackage must be "NTLM". Outbound (SECPKG_CRED_OUTBOUND): pAuthData is a
 * SEC_WINNT_AUTH_IDENTITY_A (ANSI strings are taken as UTF-8) or _W with
 * Flags SEC_WINNT_AUTH_IDENTITY_UNICODE; all three strings empty means
 * anonymous. pAuthData NULL takes the entry of the credential file
 * $NTLM_USER_FILE ("DOMAIN:USER:PASSWORD" lines) named by pszPrincipal
 * ("user" or "DOMAIN\\user"; NULL: the first entry).
 * Inbound (SECPKG_CRED_INBOUND): pAuthData must be NULL; accounts come from
 * the smbpasswd file $NTLM_ACCOUNT_FILE, else /etc/ntlmssp/smbpasswd, re-read
 * for every authentication. pszPrincipal, if given, is this service's SPN
 * (checked against the client's target name when the policy requires it).
 * Both directions take the policy from ntlm_policy_load(NULL) ($NTLMSSP_CONF,
 * else /etc/ntlmssp.conf). pvLogonId, pGetKeyFn and its argument are ignored.
 */
NTLM_API SECURITY_STATUS ntlm_sspi_AcquireCredentialsHandleA(
	SEC_CHAR *pszPrincipal, SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pvLogonId,
	void *pAuthData, SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument, PCredHandle phCredential,
	PTimeStamp ptsExpiry);
NTLM_API SECURITY_STATUS ntlm_sspi_FreeCredentialsHandle(PCredHandle phCredential);

/*
 * pszTargetName is the server's SPN, sent as MsvAvTargetName. Output tokens
 * go to the SECBUFFER_TOKEN of pOutput: allocated with ISC_REQ_ALLOCATE_MEMORY
 * (release with ntlm_sspi_FreeContextBuffer), else copied into the caller's
 * buffer (SEC_E_BUFFER_TOO_SMALL if it is shorter than the token; size it
 * with cbMaxToken).
 */
NTLM_API SECURITY_STATUS ntlm_sspi_InitializeSecurityContextA(
	PCredHandle phCredential, PCtxtHandle phContext, SEC_CHAR *pszTargetName, ULONG fContextReq,
	ULONG Reserved1, ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
	PCtxtHandle phNewContext, PSecBufferDesc pOutput, PULONG pfContextAttr, PTimeStamp ptsExpiry);
NTLM_API SECURITY_STATUS ntlm_sspi_AcceptSecurityContext(
	PCredHandle phCredential, PCtxtHandle phContext, PSecBufferDesc pInput, ULONG fContextReq,
	ULONG TargetDataRep, PCtxtHandle phNewContext, PSecBufferDesc pOutput, PULONG pfContextAttr,
	PTimeStamp ptsExpiry);
/* Nothing to complete in NTLM: SEC_E_OK for a valid context. */
NTLM_API SECURITY_STATUS ntlm_sspi_CompleteAuthToken(PCtxtHandle phContext, PSecBufferDesc pToken);
NTLM_API SECURITY_STATUS ntlm_sspi_DeleteSecurityContext(PCtxtHandle phContext);

/* SIZES, NAMES, SESSION_KEY, FLAGS, PACKAGE_INFO. */
NTLM_API SECURITY_STATUS ntlm_sspi_QueryContextAttributesA(PCtxtHandle phContext, ULONG ulAttribute,
                                                           void *pBuffer);

/*
 * Message protection. SECBUFFER_DATA is sealed (or signed) in place;
 * with SECBUFFER_READONLY_WITH_CHECKSUM it is signed but left in clear, with
 * SECBUFFER_READONLY neither; SECBUFFER_TOKEN holds the 16-byte signature.
 * DecryptMessage and VerifySignature also take [SECBUFFER_STREAM (signature
 * || data), SECBUFFER_DATA]: the DATA buffer is pointed at the plaintext
 * inside the stream. MessageSeqNo counts only in datagram mode.
 */
NTLM_API SECURITY_STATUS ntlm_sspi_EncryptMessage(PCtxtHandle phContext, ULONG fQOP,
                                                  PSecBufferDesc pMessage, ULONG MessageSeqNo);
NTLM_API SECURITY_STATUS ntlm_sspi_DecryptMessage(PCtxtHandle phContext, PSecBufferDesc pMessage,
                                                  ULONG MessageSeqNo, PULONG pfQOP);
NTLM_API SECURITY_STATUS ntlm_sspi_MakeSignature(PCtxtHandle phContext, ULONG fQOP,
                                                 PSecBufferDesc pMessage, ULONG MessageSeqNo);
NTLM_API SECURITY_STATUS ntlm_sspi_VerifySignature(PCtxtHandle phContext, PSecBufferDesc pMessage,
                                                   ULONG MessageSeqNo, PULONG pfQOP);

/* Releases what this library allocated for the caller; wipes it first. */
NTLM_API SECURITY_STATUS ntlm_sspi_FreeContextBuffer(void *pvContextBuffer);
NTLM_API SECURITY_STATUS ntlm_sspi_QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName,
                                                             PSecPkgInfoA *ppPackageInfo);
NTLM_API SECURITY_STATUS ntlm_sspi_EnumerateSecurityPackagesA(PULONG pcPackages,
                                                              PSecPkgInfoA *ppPackageInfo);

/* -------------------------------------------------- Windows names */

#ifndef NTLMSSP_SSPI_NO_WINDOWS_NAMES
#define AcquireCredentialsHandleA  ntlm_sspi_AcquireCredentialsHandleA
#define FreeCredentialsHandle      ntlm_sspi_FreeCredentialsHandle
#define InitializeSecurityContextA ntlm_sspi_InitializeSecurityContextA
#define AcceptSecurityContext      ntlm_sspi_AcceptSecurityContext
#define CompleteAuthToken          ntlm_sspi_CompleteAuthToken
#define DeleteSecurityContext      ntlm_sspi_DeleteSecurityContext
#define QueryContextAttributesA    ntlm_sspi_QueryContextAttributesA
#define EncryptMessage             ntlm_sspi_EncryptMessage
#define DecryptMessage             ntlm_sspi_DecryptMessage
#define MakeSignature              ntlm_sspi_MakeSignature
#define VerifySignature            ntlm_sspi_VerifySignature
#define FreeContextBuffer          ntlm_sspi_FreeContextBuffer
#define QuerySecurityPackageInfoA  ntlm_sspi_QuerySecurityPackageInfoA
#define EnumerateSecurityPackagesA ntlm_sspi_EnumerateSecurityPackagesA
/* Only the ANSI forms exist; a Windows/WinPR header may already map these. */
#ifndef AcquireCredentialsHandle
#define AcquireCredentialsHandle AcquireCredentialsHandleA
#endif
#ifndef InitializeSecurityContext
#define InitializeSecurityContext InitializeSecurityContextA
#endif
#ifndef QueryContextAttributes
#define QueryContextAttributes QueryContextAttributesA
#endif
#ifndef QuerySecurityPackageInfo
#define QuerySecurityPackageInfo QuerySecurityPackageInfoA
#endif
#ifndef EnumerateSecurityPackages
#define EnumerateSecurityPackages EnumerateSecurityPackagesA
#endif
#endif /* NTLMSSP_SSPI_NO_WINDOWS_NAMES */

#ifdef __cplusplus
}
#endif
#endif
