/*
 * actprops.h - activation property blobs ([MS-DCOM] 2.2.22, each property
 * type-serialized as [MS-RPCE] 2.2.6 says) and the argument stubs of
 * IRemoteSCMActivator / ISystemActivator (RemoteGetClassObject opnum 3,
 * RemoteCreateInstance opnum 4) and IActivation (RemoteActivation opnum 0).
 *
 * The blobs travel as an OBJREF_CUSTOM (CLSID_ActivationPropertiesIn/Out)
 * inside an MInterfacePointer: dcom_actprops_*_decode take the OBJREF bytes
 * (the stub's act_props view) and dcom_actprops_*_encode produce them.
 * ActivationPropertiesOut is written PropsOutInfo first, ScmReplyInfo second
 * (impacket reads them by position).
 */
#ifndef DCOM_ACTPROPS_H
#define DCOM_ACTPROPS_H

#include "orpc.h"

/* The property classes ([MS-DCOM] 1.9) */
#define DCOM_CLSID_SPECIAL_PROPS   NTLM_GUID_COM_(0x000001B9)
#define DCOM_CLSID_INSTANTIATION   NTLM_GUID_COM_(0x000001AB)
#define DCOM_CLSID_ACTIVATION_CTX  NTLM_GUID_COM_(0x000001A5)
#define DCOM_CLSID_SECURITY_INFO   NTLM_GUID_COM_(0x000001A6)
#define DCOM_CLSID_SERVER_LOCATION NTLM_GUID_COM_(0x000001A4)
#define DCOM_CLSID_SCM_REQUEST     NTLM_GUID_COM_(0x000001AA)
#define DCOM_CLSID_INSTANCE_INFO   NTLM_GUID_COM_(0x000001AD)
#define DCOM_CLSID_PROPS_OUT       NTLM_GUID_COM_(0x00000339)
#define DCOM_CLSID_SCM_REPLY       NTLM_GUID_COM_(0x000001B6)

/* MAX_ACTPROP_LIMIT ([MS-DCOM] 2.2.28.1) */
#define DCOM_MAX_PROPS 10
/* CustomHeader.destCtx: MSHCTX_DIFFERENTMACHINE */
#define DCOM_DESTCTX_DIFFERENTMACHINE 2u

/* Which properties a blob holds (a bit each) */
#define DCOM_PROP_SPECIAL   0x01u
#define DCOM_PROP_INST      0x02u
#define DCOM_PROP_ACTCTX    0x04u
#define DCOM_PROP_SECURITY  0x08u
#define DCOM_PROP_LOCATION  0x10u
#define DCOM_PROP_SCM_REQ   0x20u
#define DCOM_PROP_PROPS_OUT 0x40u
#define DCOM_PROP_SCM_REPLY 0x80u

typedef struct dcom_special_props {
	uint32_t session_id;
	int32_t remote_this_session;
	int32_t client_impersonating;
	int32_t partition_present;
	uint32_t default_authn_level;
	ntlm_guid partition;
	uint32_t prt_flags;
	uint32_t orig_clsctx;
	uint32_t flags;
} dcom_special_props;

typedef struct dcom_inst_info {
	ntlm_guid clsid;
	uint32_t class_ctx;
	uint32_t actv_flags;
	int32_t is_surrogate;
	uint32_t n_iids; /* 1..DCOM_MAX_IIDS */
	uint32_t inst_flag;
	ntlm_guid iids[DCOM_MAX_IIDS];
	uint32_t this_size; /* decode: as sent; encode: computed */
	dcom_comversion client_version;
} dcom_inst_info;

typedef struct dcom_actctx_info {
	int32_t client_ok;
	ndr_bytes client_ctx;    /* pIFDClientCtx (usually NULL) */
	ndr_bytes prototype_ctx; /* pIFDPrototypeCtx (usually NULL) */
} dcom_actctx_info;

typedef struct dcom_location_info {
	ndr_string machine_name;
	uint32_t process_id;
	uint32_t apartment_id;
	uint32_t context_id;
} dcom_location_info;

typedef struct dcom_scm_request {
	int has_remote; /* remoteRequest present */
	uint32_t client_imp_level;
	uint16_t n_protseqs;
	uint16_t protseqs[DCOM_MAX_PROTSEQS];
} dcom_scm_request;

/* SecurityInfoData: COSERVERINFO's pAuthInfo must be NULL ([MS-DCOM] 2.2.22.2.7). */
typedef struct dcom_security_info {
	uint32_t authn_flags;
	int has_server_info;
	ndr_string server_name; /* pwszName */
} dcom_security_info;

typedef struct dcom_actprops_in {
	uint32_t dest_ctx;
	/*
	 * Every property class in wire order, as sent (decode: other classes than
	 * ours are listed but skipped; encode: the order to write, ours only)
	 */
	uint32_t n_props;
	ntlm_guid prop_clsids[DCOM_MAX_PROPS];
	uint32_t present; /* DCOM_PROP_*: which were decoded (InstantiationInfo always) */
	dcom_special_props special;
	dcom_inst_info inst;
	dcom_actctx_info actctx;
	dcom_security_info security;
	dcom_location_info location;
	dcom_scm_request scm_req;
} dcom_actprops_in;

typedef struct dcom_props_out_info {
	uint32_t n_ifs; /* 1..DCOM_MAX_IIDS */
	ntlm_guid iids[DCOM_MAX_IIDS];
	ntlm_hresult hrs[DCOM_MAX_IIDS];
	ndr_bytes objrefs[DCOM_MAX_IIDS]; /* an OBJREF each, data NULL for a failed interface */
} dcom_props_out_info;

typedef struct dcom_scm_reply {
	int has_remote; /* remoteReply present */
	uint64_t oxid;
	int has_bindings;
	dcom_dualstringarray bindings; /* pdsaOxidBindings */
	ntlm_guid ipid_remunknown;
	uint32_t authn_hint;
	dcom_comversion version;
} dcom_scm_reply;

typedef struct dcom_actprops_out {
	uint32_t present; /* DCOM_PROP_PROPS_OUT | DCOM_PROP_SCM_REPLY */
	dcom_props_out_info props;
	dcom_scm_reply scm;
} dcom_actprops_out;

/* The OBJREF_CUSTOM carrying an ActivationPropertiesIn blob (iid, clsid and header checked). */
NTLM_MUST_CHECK ntlm_err dcom_actprops_in_decode(const uint8_t *objref, size_t len,
                                                 dcom_actprops_in *out);
NTLM_MUST_CHECK ntlm_err dcom_actprops_in_encode(const dcom_actprops_in *in, ntlm_buffer *objref);
NTLM_MUST_CHECK ntlm_err dcom_actprops_out_decode(const uint8_t *objref, size_t len,
                                                  dcom_actprops_out *out);
NTLM_MUST_CHECK ntlm_err dcom_actprops_out_encode(const dcom_actprops_out *in, ntlm_buffer *objref);

/* ---- IRemoteSCMActivator (000001A0-...) ---- */
#define DCOM_OP_REMOTEGETCLASSOBJECT 3u
#define DCOM_OP_REMOTECREATEINSTANCE 4u

/* RemoteGetClassObject: ORPCTHIS, pActProperties (unique) */
typedef struct dcom_getclassobject_req {
	dcom_orpcthis orpc;
	ndr_bytes act_props; /* the OBJREF; data NULL for a NULL pointer */
} dcom_getclassobject_req;
NDR_CODEC(dcom_getclassobject_req);

/* RemoteCreateInstance: ORPCTHIS, pUnkOuter (unique, must be NULL: no aggregation), pActProperties */
typedef struct dcom_createinstance_req {
	dcom_orpcthis orpc;
	ndr_bytes unk_outer;
	ndr_bytes act_props;
} dcom_createinstance_req;
NDR_CODEC(dcom_createinstance_req);

/* Both answer ORPCTHAT, ppActProperties (unique), the HRESULT. */
typedef struct dcom_activation_resp {
	dcom_orpcthat orpc;
	ndr_bytes act_props; /* the OBJREF of an ActivationPropertiesOut; NULL on failure */
	ntlm_hresult hr;
} dcom_activation_resp;
NDR_CODEC(dcom_activation_resp);

/* ---- IActivation (4d9f4ab8-...) ---- */
#define DCOM_OP_REMOTEACTIVATION 0u

typedef struct dcom_remoteactivation_req {
	dcom_orpcthis orpc;
	ntlm_guid clsid;
	ndr_string object_name;   /* pwszObjectName (NULL: present 0) */
	ndr_bytes object_storage; /* pObjectStorage (NULL: data NULL) */
	uint32_t imp_level;
	uint32_t mode;
	uint32_t n_iids; /* 1..DCOM_MAX_IIDS */
	ntlm_guid iids[DCOM_MAX_IIDS];
	uint16_t n_protseqs;
	uint16_t protseqs[DCOM_MAX_PROTSEQS];
} dcom_remoteactivation_req;
NDR_CODEC(dcom_remoteactivation_req);

typedef struct dcom_remoteactivation_resp {
	dcom_orpcthat orpc;
	uint64_t oxid;
	int has_bindings;
	dcom_dualstringarray bindings;
	ntlm_guid ipid_remunknown;
	uint32_t authn_hint;
	dcom_comversion version;
	ntlm_hresult hr;              /* phr */
	uint32_t n_ifs;               /* = the request's n_iids */
	ndr_bytes ifs[DCOM_MAX_IIDS]; /* ppInterfaceData: an OBJREF each, data NULL if NULL */
	ntlm_hresult results[DCOM_MAX_IIDS];
	uint32_t status; /* error_status_t */
} dcom_remoteactivation_resp;
NDR_CODEC(dcom_remoteactivation_resp);

#endif
