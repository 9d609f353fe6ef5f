/*
 * orpc.h - the ORPC structures of [MS-DCOM] 2.2 and the argument stubs of
 * IRemUnknown / IRemUnknown2 (3.1.1.5.6) and IObjectExporter (3.1.2.5.1).
 *
 * Every DCOM method's request stub starts with ORPCTHIS and its response
 * with ORPCTHAT; the HRESULT (or error_status_t) is last. IObjectExporter is
 * plain RPC: no ORPCTHIS/ORPCTHAT. Counts are bounded by the DCOM_MAX_*
 * limits below; a peer's count over a limit is NTLM_E_FIELD_RANGE.
 */
#ifndef DCOM_ORPC_H
#define DCOM_ORPC_H

#include "ndr.h"

/* The DCOM version we speak ([MS-DCOM] 1.7: 5.7); a major version other than 5 is refused. */
#define DCOM_VERSION_MAJOR 5
#define DCOM_VERSION_MINOR 7

/* Limits of what a peer may send (and what we encode). */
#define DCOM_MAX_EXTENTS      16           /* ORPC extensions in one ORPC_EXTENT_ARRAY */
#define DCOM_MAX_EXTENT_BYTES (16u * 1024) /* data of one extension */
#define DCOM_MAX_IIDS         32           /* interfaces in one QueryInterface or activation */
#define DCOM_MAX_REFS         64           /* REMINTERFACEREFs in one RemAddRef/RemRelease */
#define DCOM_MAX_PROTSEQS     16           /* requested protocol sequences */
#define DCOM_MAX_BINDINGS     8            /* string (and security) bindings in a DUALSTRINGARRAY */
#define DCOM_MAX_DSA_UNITS    4096         /* 16-bit units of one DUALSTRINGARRAY */
#define DCOM_MAX_BINDING_UTF8 256          /* one binding's address or principal, UTF-8 with NUL */
#define DCOM_MAX_PING_OIDS    256          /* OIDs added or removed by one ComplexPing */

/* ORPCTHIS.flags ([MS-DCOM] 2.2.13.1) */
#define DCOM_ORPCF_NULL  0x0u
#define DCOM_ORPCF_LOCAL 0x1u

/* OBJREF ([MS-DCOM] 2.2.18) */
#define DCOM_OBJREF_SIGNATURE 0x574F454Du /* "MEOW" */
#define DCOM_OBJREF_STANDARD  0x1u
#define DCOM_OBJREF_HANDLER   0x2u
#define DCOM_OBJREF_CUSTOM    0x4u
#define DCOM_OBJREF_EXTENDED  0x8u
#define DCOM_SORF_NOPING      0x1000u /* STDOBJREF.flags: the object is not pinged */

/* Tower ids of string bindings ([MS-DCOM] 2.2.19.3, [C706] appendix I) */
#define DCOM_TOWER_NCACN_IP_TCP 0x0007u
/* ncalrpc: aNetworkAddr is the socket path as it is (our convention between our client and server) */
#define DCOM_TOWER_NCALRPC 0x0010u

/* error_status_t of the OXID resolver ([MS-DCOM] 3.1.2.5.1) */
#define DCOM_OR_INVALID_OXID 1910u
#define DCOM_OR_INVALID_OID  1911u
#define DCOM_OR_INVALID_SET  1912u

typedef struct dcom_comversion {
	uint16_t major;
	uint16_t minor;
} dcom_comversion;

/* ORPCTHIS: extensions are skipped (bounded) on decode and never sent. */
typedef struct dcom_orpcthis {
	dcom_comversion version;
	uint32_t flags;
	uint32_t reserved1;
	ntlm_guid cid;         /* causality id */
	uint32_t n_extensions; /* decode: how many were skipped */
} dcom_orpcthis;

typedef struct dcom_orpcthat {
	uint32_t flags;
	uint32_t n_extensions; /* decode: how many were skipped */
} dcom_orpcthat;

typedef struct dcom_stdobjref {
	uint32_t flags; /* DCOM_SORF_* */
	uint32_t public_refs;
	uint64_t oxid;
	uint64_t oid;
	ntlm_guid ipid;
} dcom_stdobjref;

typedef struct dcom_string_binding {
	uint16_t tower_id;                /* DCOM_TOWER_* */
	char addr[DCOM_MAX_BINDING_UTF8]; /* "127.0.0.1[1234]" */
} dcom_string_binding;

typedef struct dcom_security_binding {
	uint16_t authn_svc; /* NTLM_RPC_AUTHN_WINNT */
	uint16_t authz_svc; /* 0xFFFF: none given */
	char princ_name[DCOM_MAX_BINDING_UTF8];
} dcom_security_binding;

/* A DUALSTRINGARRAY parsed into its bindings (and written from them). */
typedef struct dcom_dualstringarray {
	size_t n_str;
	dcom_string_binding str[DCOM_MAX_BINDINGS];
	size_t n_sec;
	dcom_security_binding sec[DCOM_MAX_BINDINGS];
} dcom_dualstringarray;

/*
 * An OBJREF of flavour STANDARD or CUSTOM (HANDLER, EXTENDED and unknown
 * flavours are refused with NTLM_E_UNSUPPORTED).
 */
typedef struct dcom_objref {
	uint32_t flags; /* DCOM_OBJREF_STANDARD or DCOM_OBJREF_CUSTOM */
	ntlm_guid iid;
	/* standard */
	dcom_stdobjref std;
	dcom_dualstringarray resaddr; /* the OXID resolver's bindings */
	/* custom */
	ntlm_guid clsid;
	ndr_bytes object_data; /* pObjectData (borrowed); pExtension must be empty */
} dcom_objref;

typedef struct dcom_remqiresult {
	ntlm_hresult hr;
	dcom_stdobjref std;
} dcom_remqiresult;

typedef struct dcom_reminterfaceref {
	ntlm_guid ipid;
	uint32_t public_refs;
	uint32_t private_refs;
} dcom_reminterfaceref;

/* ---- nested codecs (used by the stubs; exposed for the activation blobs and tests) ---- */
NTLM_MUST_CHECK ntlm_err dcom_get_orpcthis(nb_reader *r, dcom_orpcthis *o);
void dcom_put_orpcthis(ndr_writer *nw, const dcom_orpcthis *o);
NTLM_MUST_CHECK ntlm_err dcom_get_orpcthat(nb_reader *r, dcom_orpcthat *o);
void dcom_put_orpcthat(ndr_writer *nw, const dcom_orpcthat *o);
NTLM_MUST_CHECK ntlm_err dcom_get_comversion(nb_reader *r, dcom_comversion *v);
void dcom_put_comversion(ndr_writer *nw, const dcom_comversion *v);
NTLM_MUST_CHECK ntlm_err dcom_get_stdobjref(nb_reader *r, dcom_stdobjref *s);
void dcom_put_stdobjref(ndr_writer *nw, const dcom_stdobjref *s);
/* The NDR form of a DUALSTRINGARRAY (conformant structure: max_count first). */
NTLM_MUST_CHECK ntlm_err dcom_get_dsa(nb_reader *r, dcom_dualstringarray *d);
void dcom_put_dsa(ndr_writer *nw, const dcom_dualstringarray *d);
/* A unique DUALSTRINGARRAY* (top-level): *present 0 for NULL; put writes NULL for d NULL. */
NTLM_MUST_CHECK ntlm_err dcom_get_unique_dsa(nb_reader *r, int *present, dcom_dualstringarray *d);
void dcom_put_unique_dsa(ndr_writer *nw, const dcom_dualstringarray *d);
/* The packed form inside an OBJREF (wNumEntries, wSecurityOffset, entries; no max_count). */
NTLM_MUST_CHECK ntlm_err dcom_get_dsa_packed(nb_reader *r, dcom_dualstringarray *d);
void dcom_put_dsa_packed(ndr_writer *nw, const dcom_dualstringarray *d);

/* An OBJREF: the bytes of an MInterfacePointer's abData. */
NTLM_MUST_CHECK ntlm_err dcom_objref_decode(const uint8_t *in, size_t len, dcom_objref *out);
NTLM_MUST_CHECK ntlm_err dcom_objref_encode(const dcom_objref *in, ntlm_buffer *out);

/* ---- stubs shared by every interface ---- */

/* A request that carries ORPCTHIS only (IRemUnknown2's siblings, INtlmDemo's WhoAmI...). */
typedef struct dcom_orpc_req {
	dcom_orpcthis orpc;
} dcom_orpc_req;
NDR_CODEC(dcom_orpc_req);

/* A response that carries ORPCTHAT and the HRESULT only (RemRelease, a failed call). */
typedef struct dcom_hr_resp {
	dcom_orpcthat orpc;
	ntlm_hresult hr;
} dcom_hr_resp;
NDR_CODEC(dcom_hr_resp);

/* A response that carries the error_status_t only (SimplePing, ServerAlive). */
typedef struct dcom_status_resp {
	uint32_t status;
} dcom_status_resp;
NDR_CODEC(dcom_status_resp);

/* ---- IRemUnknown (00000131-...) and IRemUnknown2 (00000143-...) ---- */
#define DCOM_OP_REMQUERYINTERFACE  3u
#define DCOM_OP_REMADDREF          4u
#define DCOM_OP_REMRELEASE         5u
#define DCOM_OP_REMQUERYINTERFACE2 6u

/* RemQueryInterface (opnum 3): ripid, cRefs, cIids, iids[cIids] */
typedef struct dcom_remqi_req {
	dcom_orpcthis orpc;
	ntlm_guid ipid;
	uint32_t refs;
	uint16_t n_iids; /* 1..DCOM_MAX_IIDS */
	ntlm_guid iids[DCOM_MAX_IIDS];
} dcom_remqi_req;
NDR_CODEC(dcom_remqi_req);

/* ppQIResults (NULL when has_results is 0: a failed call), then the HRESULT. */
typedef struct dcom_remqi_resp {
	dcom_orpcthat orpc;
	int has_results;
	uint16_t n_results; /* = the request's n_iids */
	dcom_remqiresult results[DCOM_MAX_IIDS];
	ntlm_hresult hr;
} dcom_remqi_resp;
NDR_CODEC(dcom_remqi_resp);

/* RemAddRef (opnum 4) and RemRelease (opnum 5): cInterfaceRefs, InterfaceRefs[] */
typedef struct dcom_remrefs_req {
	dcom_orpcthis orpc;
	uint16_t n_refs; /* 1..DCOM_MAX_REFS */
	dcom_reminterfaceref refs[DCOM_MAX_REFS];
} dcom_remrefs_req;
NDR_CODEC(dcom_remrefs_req);

/* RemAddRef's response: pResults[cInterfaceRefs], then the HRESULT. RemRelease answers dcom_hr_resp. */
typedef struct dcom_remaddref_resp {
	dcom_orpcthat orpc;
	uint16_t n_results;
	ntlm_hresult results[DCOM_MAX_REFS];
	ntlm_hresult hr;
} dcom_remaddref_resp;
NDR_CODEC(dcom_remaddref_resp);

/* RemQueryInterface2 (opnum 6): ripid, cIids, iids[cIids] */
typedef struct dcom_remqi2_req {
	dcom_orpcthis orpc;
	ntlm_guid ipid;
	uint16_t n_iids;
	ntlm_guid iids[DCOM_MAX_IIDS];
} dcom_remqi2_req;
NDR_CODEC(dcom_remqi2_req);

/* phr[cIids], ppMIF[cIids] (an OBJREF each, data NULL for a NULL pointer), the HRESULT. */
typedef struct dcom_remqi2_resp {
	dcom_orpcthat orpc;
	uint16_t n_iids;
	ntlm_hresult hrs[DCOM_MAX_IIDS];
	ndr_bytes mifs[DCOM_MAX_IIDS];
	ntlm_hresult hr;
} dcom_remqi2_resp;
NDR_CODEC(dcom_remqi2_resp);

/*
 * ---- IClassFactory (00000001-...), as it travels: RemoteCreateInstance has no
 * pUnkOuter on the wire (the remote form of CreateInstance takes riid only).
 */
#define DCOM_OP_CF_CREATEINSTANCE 3u
#define DCOM_OP_CF_LOCKSERVER     4u /* answered by dcom_hr_resp */

typedef struct dcom_cf_createinstance_req {
	dcom_orpcthis orpc;
	ntlm_guid iid;
} dcom_cf_createinstance_req;
NDR_CODEC(dcom_cf_createinstance_req);

/* ppvObject (unique MInterfacePointer: an OBJREF; data NULL on failure), the HRESULT. */
typedef struct dcom_cf_createinstance_resp {
	dcom_orpcthat orpc;
	ndr_bytes object;
	ntlm_hresult hr;
} dcom_cf_createinstance_resp;
NDR_CODEC(dcom_cf_createinstance_resp);

typedef struct dcom_cf_lockserver_req {
	dcom_orpcthis orpc;
	int32_t lock; /* BOOL fLock */
} dcom_cf_lockserver_req;
NDR_CODEC(dcom_cf_lockserver_req);

/* ---- IObjectExporter (99fcfec4-...), no ORPCTHIS/ORPCTHAT ---- */
#define DCOM_OP_RESOLVEOXID  0u
#define DCOM_OP_SIMPLEPING   1u
#define DCOM_OP_COMPLEXPING  2u
#define DCOM_OP_SERVERALIVE  3u /* empty request, dcom_status_resp */
#define DCOM_OP_RESOLVEOXID2 4u
#define DCOM_OP_SERVERALIVE2 5u /* empty request */

/* ResolveOxid (0) and ResolveOxid2 (4): pOxid, cRequestedProtseqs, arRequestedProtseqs[] */
typedef struct dcom_resolveoxid_req {
	uint64_t oxid;
	uint16_t n_protseqs; /* 1..DCOM_MAX_PROTSEQS */
	uint16_t protseqs[DCOM_MAX_PROTSEQS];
} dcom_resolveoxid_req;
NDR_CODEC(dcom_resolveoxid_req);

/* ppdsaOxidBindings, pipidRemUnknown, pAuthnHint, (ResolveOxid2: pComVersion,) error_status_t */
typedef struct dcom_resolveoxid_resp {
	int has_bindings;
	dcom_dualstringarray bindings;
	ntlm_guid ipid_remunknown;
	uint32_t authn_hint;     /* an RPC_C_AUTHN_LEVEL */
	dcom_comversion version; /* ResolveOxid2 only */
	uint32_t status;
} dcom_resolveoxid_resp;
NDR_CODEC(dcom_resolveoxid_resp); /* opnum 0: without version */
/* opnum 4: the same structure with pComVersion */
typedef dcom_resolveoxid_resp dcom_resolveoxid2_resp;
NDR_CODEC(dcom_resolveoxid2_resp);

/* SimplePing (1): pSetId; answered by dcom_status_resp */
typedef struct dcom_simpleping_req {
	uint64_t setid;
} dcom_simpleping_req;
NDR_CODEC(dcom_simpleping_req);

/* ComplexPing (2): pSetId, SequenceNum, cAddToSet, cDelFromSet, AddToSet[], DelFromSet[] */
typedef struct dcom_complexping_req {
	uint64_t setid; /* 0: a new set */
	uint16_t seq;
	uint16_t n_add;
	uint16_t n_del;
	uint64_t add[DCOM_MAX_PING_OIDS];
	uint64_t del[DCOM_MAX_PING_OIDS];
} dcom_complexping_req;
NDR_CODEC(dcom_complexping_req);

typedef struct dcom_complexping_resp {
	uint64_t setid;
	uint16_t backoff; /* pPingBackoffFactor */
	uint32_t status;
} dcom_complexping_resp;
NDR_CODEC(dcom_complexping_resp);

/* ServerAlive2 (5): pComVersion, ppdsaOrBindings, pReserved (0), error_status_t */
typedef struct dcom_serveralive2_resp {
	dcom_comversion version;
	int has_bindings;
	dcom_dualstringarray bindings;
	uint32_t status;
} dcom_serveralive2_resp;
NDR_CODEC(dcom_serveralive2_resp);

#endif
