/* actprops.c - activation property blobs and the activator stubs; see actprops.h */
#include "actprops.h"

#include <string.h>

#include "ndr_stub.h"
#include "try.h"

/* ------------------------------------------- type serialization ([MS-RPCE] 2.2.6) */

#define TS_VERSION       1u
#define TS_LITTLE_ENDIAN 0x10u
#define TS_COMMON_LEN    8u
#define TS_FILLER        0xCCCCCCCCu
#define TS_HEADERS_LEN   16u

/* The common and private headers; *object_len must fit what follows. */
static ntlm_err get_ts_headers(nb_reader *r, uint32_t *object_len)
{
	uint8_t version, endian;
	uint16_t common_len;
	uint32_t filler;
	NTLM_TRY(nb_read_u8(r, &version));
	NTLM_TRY(nb_read_u8(r, &endian));
	NTLM_TRY(nb_read_u16le(r, &common_len));
	NTLM_TRY(nb_read_u32le(r, &filler));
	NTLM_TRY(nb_read_u32le(r, object_len));
	NTLM_TRY(nb_read_u32le(r, &filler));
	if (version != TS_VERSION || endian != TS_LITTLE_ENDIAN || common_len != TS_COMMON_LEN)
		return NTLM_E_BAD_SIGNATURE_HEADER;
	return *object_len <= nb_remaining(r) ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

static void put_ts_headers(ndr_writer *nw)
{
	nb_write_u8(&nw->w, TS_VERSION);
	nb_write_u8(&nw->w, TS_LITTLE_ENDIAN);
	nb_write_u16le(&nw->w, TS_COMMON_LEN);
	nb_write_u32le(&nw->w, TS_FILLER);
	nb_write_u32le(&nw->w, 0); /* ObjectBufferLength: ts_finish patches it */
	nb_write_u32le(&nw->w, TS_FILLER);
}

/* Pads the object to 8 and fills in ObjectBufferLength (the writer holds one object). */
static void ts_finish(ndr_writer *nw)
{
	ndr_walign(nw, 8);
	if (nw->w.err == NTLM_OK && nw->w.len >= TS_HEADERS_LEN)
		nw->w.err = nb_patch_u32le(&nw->w, 8, (uint32_t)(nw->w.len - TS_HEADERS_LEN));
}

/* ------------------------------------------------------------ properties in */

static ntlm_err get_special(nb_reader *r, void *set)
{
	dcom_special_props *p = &((dcom_actprops_in *)set)->special;
	uint32_t reserved;
	uint64_t reserved2;
	NTLM_TRY(ndr_align(r, 8));
	NTLM_TRY(ndr_get_u32(r, &p->session_id));
	NTLM_TRY(ndr_get_i32(r, &p->remote_this_session));
	NTLM_TRY(ndr_get_i32(r, &p->client_impersonating));
	NTLM_TRY(ndr_get_i32(r, &p->partition_present));
	NTLM_TRY(ndr_get_u32(r, &p->default_authn_level));
	NTLM_TRY(ndr_get_guid(r, &p->partition));
	NTLM_TRY(ndr_get_u32(r, &p->prt_flags));
	NTLM_TRY(ndr_get_u32(r, &p->orig_clsctx));
	NTLM_TRY(ndr_get_u32(r, &p->flags));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_u64(r, &reserved2));
	for (int i = 0; i < 5; i++)
		NTLM_TRY(ndr_get_u32(r, &reserved));
	return NTLM_OK;
}

static void put_special(ndr_writer *nw, const void *set)
{
	const dcom_special_props *p = &((const dcom_actprops_in *)set)->special;
	ndr_walign(nw, 8);
	ndr_put_u32(nw, p->session_id);
	ndr_put_i32(nw, p->remote_this_session);
	ndr_put_i32(nw, p->client_impersonating);
	ndr_put_i32(nw, p->partition_present);
	ndr_put_u32(nw, p->default_authn_level);
	ndr_put_guid(nw, &p->partition);
	ndr_put_u32(nw, p->prt_flags);
	ndr_put_u32(nw, p->orig_clsctx);
	ndr_put_u32(nw, p->flags);
	ndr_put_u32(nw, 0);
	ndr_put_u64(nw, 0);
	for (int i = 0; i < 5; i++)
		ndr_put_u32(nw, 0);
}

/* A unique pointer (already read as present) to a conformant array of n IIDs, n in 1..max. */
static ntlm_err get_iid_set(nb_reader *r, int present, uint32_t n, ntlm_guid *out)
{
	if (!present || n == 0 || n > DCOM_MAX_IIDS)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, n));
	return ndr_get_guids(r, n, out);
}

static ntlm_err get_inst(nb_reader *r, void *set)
{
	dcom_inst_info *p = &((dcom_actprops_in *)set)->inst;
	int has_iids;
	NTLM_TRY(ndr_get_guid(r, &p->clsid));
	NTLM_TRY(ndr_get_u32(r, &p->class_ctx));
	NTLM_TRY(ndr_get_u32(r, &p->actv_flags));
	NTLM_TRY(ndr_get_i32(r, &p->is_surrogate));
	NTLM_TRY(ndr_get_u32(r, &p->n_iids));
	NTLM_TRY(ndr_get_u32(r, &p->inst_flag));
	NTLM_TRY(ndr_get_ptr(r, &has_iids));
	NTLM_TRY(ndr_get_u32(r, &p->this_size)); /* not checked: impacket sends 0 */
	NTLM_TRY(dcom_get_comversion(r, &p->client_version));
	return get_iid_set(r, has_iids, p->n_iids, p->iids);
}

/* thisSize: the whole property, headers and padding included (written after, by its offset). */
static void put_inst(ndr_writer *nw, const void *set)
{
	const dcom_inst_info *p = &((const dcom_actprops_in *)set)->inst;
	uint32_t n = p->n_iids;
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS))
		return;
	ndr_put_guid(nw, &p->clsid);
	ndr_put_u32(nw, p->class_ctx);
	ndr_put_u32(nw, p->actv_flags);
	ndr_put_i32(nw, p->is_surrogate);
	ndr_put_u32(nw, n);
	ndr_put_u32(nw, p->inst_flag);
	ndr_put_ptr(nw, 1);
	size_t this_size_at = nw->w.len;
	ndr_put_u32(nw, 0);
	dcom_put_comversion(nw, &p->client_version);
	ndr_put_guid_array(nw, p->iids, n);
	size_t total = (nw->w.len + 7u) & ~(size_t)7u;
	if (nw->w.err == NTLM_OK)
		nw->w.err = nb_patch_u32le(&nw->w, this_size_at, (uint32_t)total);
}

static ntlm_err get_actctx(nb_reader *r, void *set)
{
	dcom_actctx_info *p = &((dcom_actprops_in *)set)->actctx;
	int has_client, has_proto;
	uint32_t reserved;
	NTLM_TRY(ndr_get_i32(r, &p->client_ok));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_ptr(r, &has_client));
	NTLM_TRY(ndr_get_ptr(r, &has_proto));
	if (has_client)
		NTLM_TRY(ndr_get_mip(r, &p->client_ctx));
	return has_proto ? ndr_get_mip(r, &p->prototype_ctx) : NTLM_OK;
}

static void put_actctx(ndr_writer *nw, const void *set)
{
	const dcom_actctx_info *p = &((const dcom_actprops_in *)set)->actctx;
	ndr_put_i32(nw, p->client_ok);
	ndr_put_u32(nw, 0);
	ndr_put_u32(nw, 0);
	ndr_put_u32(nw, 0);
	ndr_put_ptr(nw, p->client_ctx.data != NULL);
	ndr_put_ptr(nw, p->prototype_ctx.data != NULL);
	if (p->client_ctx.data)
		ndr_put_mip(nw, &p->client_ctx);
	if (p->prototype_ctx.data)
		ndr_put_mip(nw, &p->prototype_ctx);
}

/* An embedded unique [string] wchar_t*: the referent was read; the string is deferred. */
static ntlm_err get_deferred_wstring(nb_reader *r, int present, ndr_string *s)
{
	memset(s, 0, sizeof(*s));
	return present ? ndr_get_wstring(r, s) : NTLM_OK;
}

static ntlm_err get_location(nb_reader *r, void *set)
{
	dcom_location_info *p = &((dcom_actprops_in *)set)->location;
	int has_name;
	NTLM_TRY(ndr_get_ptr(r, &has_name));
	NTLM_TRY(ndr_get_u32(r, &p->process_id));
	NTLM_TRY(ndr_get_u32(r, &p->apartment_id));
	NTLM_TRY(ndr_get_u32(r, &p->context_id));
	return get_deferred_wstring(r, has_name, &p->machine_name);
}

static void put_location(ndr_writer *nw, const void *set)
{
	const dcom_location_info *p = &((const dcom_actprops_in *)set)->location;
	ndr_put_ptr(nw, p->machine_name.present);
	ndr_put_u32(nw, p->process_id);
	ndr_put_u32(nw, p->apartment_id);
	ndr_put_u32(nw, p->context_id);
	if (p->machine_name.present)
		ndr_put_wstring(nw, p->machine_name.utf8);
}

/* An embedded unique DWORD* (pdwReserved): referent read, the value deferred and ignored. */
static ntlm_err skip_deferred_dword(nb_reader *r, int present)
{
	uint32_t v;
	return present ? ndr_get_u32(r, &v) : NTLM_OK;
}

static ntlm_err get_scm_req(nb_reader *r, void *set)
{
	dcom_scm_request *p = &((dcom_actprops_in *)set)->scm_req;
	int has_reserved, has_protseqs;
	uint32_t n;
	NTLM_TRY(ndr_get_ptr(r, &has_reserved));
	NTLM_TRY(ndr_get_ptr(r, &p->has_remote));
	NTLM_TRY(skip_deferred_dword(r, has_reserved));
	if (!p->has_remote)
		return NTLM_OK;
	NTLM_TRY(ndr_get_u32(r, &p->client_imp_level));
	NTLM_TRY(ndr_get_u16(r, &p->n_protseqs));
	NTLM_TRY(ndr_get_ptr(r, &has_protseqs));
	if (p->n_protseqs > DCOM_MAX_PROTSEQS || has_protseqs != (p->n_protseqs != 0))
		return NTLM_E_FIELD_RANGE;
	if (!has_protseqs)
		return NTLM_OK;
	NTLM_TRY(ndr_get_u16_array(r, DCOM_MAX_PROTSEQS, p->protseqs, &n));
	return n == p->n_protseqs ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

static void put_scm_req(ndr_writer *nw, const void *set)
{
	const dcom_scm_request *p = &((const dcom_actprops_in *)set)->scm_req;
	uint16_t n = p->n_protseqs;
	if (!ndr_put_limit(nw, n, DCOM_MAX_PROTSEQS))
		return;
	ndr_put_ptr(nw, 0);
	ndr_put_ptr(nw, p->has_remote);
	if (!p->has_remote)
		return;
	ndr_put_u32(nw, p->client_imp_level);
	ndr_put_u16(nw, n);
	ndr_put_ptr(nw, n != 0);
	if (n)
		ndr_put_u16_array(nw, p->protseqs, n);
}

/* COSERVERINFO {dwReserved1, pwszName, pAuthInfo (must be NULL), dwReserved2} and its name. */
static ntlm_err get_server_info(nb_reader *r, dcom_security_info *p)
{
	uint32_t reserved;
	int has_name, has_auth;
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_ptr(r, &has_name));
	NTLM_TRY(ndr_get_ptr(r, &has_auth));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	if (has_auth)
		return NTLM_E_UNSUPPORTED; /* COAUTHINFO: [MS-DCOM] says it MUST be NULL */
	return get_deferred_wstring(r, has_name, &p->server_name);
}

static ntlm_err get_security(nb_reader *r, void *set)
{
	dcom_security_info *p = &((dcom_actprops_in *)set)->security;
	int has_reserved;
	NTLM_TRY(ndr_get_u32(r, &p->authn_flags));
	NTLM_TRY(ndr_get_ptr(r, &p->has_server_info));
	NTLM_TRY(ndr_get_ptr(r, &has_reserved));
	if (p->has_server_info)
		NTLM_TRY(get_server_info(r, p));
	return skip_deferred_dword(r, has_reserved);
}

static void put_security(ndr_writer *nw, const void *set)
{
	const dcom_security_info *p = &((const dcom_actprops_in *)set)->security;
	ndr_put_u32(nw, p->authn_flags);
	ndr_put_ptr(nw, p->has_server_info);
	ndr_put_ptr(nw, 0);
	if (!p->has_server_info)
		return;
	ndr_put_u32(nw, 0);
	ndr_put_ptr(nw, p->server_name.present);
	ndr_put_ptr(nw, 0);
	ndr_put_u32(nw, 0);
	if (p->server_name.present)
		ndr_put_wstring(nw, p->server_name.utf8);
}

/* ------------------------------------------------------------ properties out */

static ntlm_err get_props_out(nb_reader *r, void *set)
{
	dcom_props_out_info *p = &((dcom_actprops_out *)set)->props;
	int has_iids, has_hrs, has_ifs;
	uint32_t n;
	NTLM_TRY(ndr_get_u32(r, &p->n_ifs));
	NTLM_TRY(ndr_get_ptr(r, &has_iids));
	NTLM_TRY(ndr_get_ptr(r, &has_hrs));
	NTLM_TRY(ndr_get_ptr(r, &has_ifs));
	NTLM_TRY(get_iid_set(r, has_iids, p->n_ifs, p->iids));
	if (!has_hrs || !has_ifs)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_hresults(r, DCOM_MAX_IIDS, p->hrs, &n));
	if (n != p->n_ifs)
		return NTLM_E_FIELD_RANGE;
	return ndr_get_mip_ptrs(r, n, p->objrefs);
}

static void put_props_out(ndr_writer *nw, const void *set)
{
	const dcom_props_out_info *p = &((const dcom_actprops_out *)set)->props;
	uint32_t n = p->n_ifs;
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS))
		return;
	ndr_put_u32(nw, n);
	ndr_put_ptr(nw, 1);
	ndr_put_ptr(nw, 1);
	ndr_put_ptr(nw, 1);
	ndr_put_guid_array(nw, p->iids, n);
	ndr_put_hresults(nw, p->hrs, n);
	ndr_put_mip_ptrs(nw, p->objrefs, n);
}

static ntlm_err get_scm_reply(nb_reader *r, void *set)
{
	dcom_scm_reply *p = &((dcom_actprops_out *)set)->scm;
	int has_reserved;
	NTLM_TRY(ndr_get_ptr(r, &has_reserved));
	NTLM_TRY(ndr_get_ptr(r, &p->has_remote));
	NTLM_TRY(skip_deferred_dword(r, has_reserved));
	if (!p->has_remote)
		return NTLM_OK;
	NTLM_TRY(ndr_get_u64(r, &p->oxid));
	NTLM_TRY(ndr_get_ptr(r, &p->has_bindings));
	NTLM_TRY(ndr_get_guid(r, &p->ipid_remunknown));
	NTLM_TRY(ndr_get_u32(r, &p->authn_hint));
	NTLM_TRY(dcom_get_comversion(r, &p->version));
	return p->has_bindings ? dcom_get_dsa(r, &p->bindings) : NTLM_OK;
}

static void put_scm_reply(ndr_writer *nw, const void *set)
{
	const dcom_scm_reply *p = &((const dcom_actprops_out *)set)->scm;
	ndr_put_ptr(nw, 0);
	ndr_put_ptr(nw, p->has_remote);
	if (!p->has_remote)
		return;
	ndr_put_u64(nw, p->oxid);
	ndr_put_ptr(nw, p->has_bindings);
	ndr_put_guid(nw, &p->ipid_remunknown);
	ndr_put_u32(nw, p->authn_hint);
	dcom_put_comversion(nw, &p->version);
	if (p->has_bindings)
		dcom_put_dsa(nw, &p->bindings);
}

/* ------------------------------------------------------------ the blob */

typedef struct prop_kind {
	ntlm_guid clsid;
	uint32_t bit; /* DCOM_PROP_* */
	ntlm_err (*get)(nb_reader *r, void *set);
	void (*put)(ndr_writer *nw, const void *set);
} prop_kind;

/* clang-format off */
static const prop_kind props_in[] = {
	{DCOM_CLSID_SPECIAL_PROPS, DCOM_PROP_SPECIAL, get_special, put_special},
	{DCOM_CLSID_INSTANTIATION, DCOM_PROP_INST, get_inst, put_inst},
	{DCOM_CLSID_ACTIVATION_CTX, DCOM_PROP_ACTCTX, get_actctx, put_actctx},
	{DCOM_CLSID_SECURITY_INFO, DCOM_PROP_SECURITY, get_security, put_security},
	{DCOM_CLSID_SERVER_LOCATION, DCOM_PROP_LOCATION, get_location, put_location},
	{DCOM_CLSID_SCM_REQUEST, DCOM_PROP_SCM_REQ, get_scm_req, put_scm_req},
};
/* in the order they are written: impacket reads PropsOutInfo first, ScmReplyInfo second */
static const prop_kind props_out[] = {
	{DCOM_CLSID_PROPS_OUT, DCOM_PROP_PROPS_OUT, get_props_out, put_props_out},
	{DCOM_CLSID_SCM_REPLY, DCOM_PROP_SCM_REPLY, get_scm_reply, put_scm_reply},
};
/* clang-format on */

/* Which blob: its OBJREF's identity and its property kinds. */
typedef struct blob_kind {
	ntlm_guid iid;
	ntlm_guid clsid;
	const prop_kind *kinds;
	size_t n_kinds;
} blob_kind;

static const blob_kind blob_in = {NTLM_DCOM_IID_IACTIVATIONPROPSIN,
                                  NTLM_DCOM_CLSID_ACTIVATIONPROPSIN, props_in,
                                  sizeof(props_in) / sizeof(props_in[0])};
static const blob_kind blob_out = {NTLM_DCOM_IID_IACTIVATIONPROPSOUT,
                                   NTLM_DCOM_CLSID_ACTIVATIONPROPSOUT, props_out,
                                   sizeof(props_out) / sizeof(props_out[0])};

static const prop_kind *kind_of(const blob_kind *b, const ntlm_guid *clsid)
{
	for (size_t i = 0; i < b->n_kinds; i++)
		if (ntlm_guid_equal(&b->kinds[i].clsid, clsid))
			return &b->kinds[i];
	return NULL;
}

/* The CustomHeader as decoded: what the driver needs. */
typedef struct custom_header {
	uint32_t total_size;
	uint32_t header_size;
	uint32_t dest_ctx;
	uint32_t n_props;
	ntlm_guid clsids[DCOM_MAX_PROPS];
	uint32_t sizes[DCOM_MAX_PROPS];
} custom_header;

static ntlm_err get_custom_header(nb_reader *r, custom_header *h)
{
	uint32_t object_len, reserved, n;
	ntlm_guid class_info;
	int has_clsids, has_sizes, has_reserved;
	NTLM_TRY(get_ts_headers(r, &object_len));
	NTLM_TRY(ndr_get_u32(r, &h->total_size));
	NTLM_TRY(ndr_get_u32(r, &h->header_size));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_u32(r, &h->dest_ctx));
	NTLM_TRY(ndr_get_u32(r, &h->n_props));
	NTLM_TRY(ndr_get_guid(r, &class_info));
	NTLM_TRY(ndr_get_ptr(r, &has_clsids));
	NTLM_TRY(ndr_get_ptr(r, &has_sizes));
	NTLM_TRY(ndr_get_ptr(r, &has_reserved));
	if (h->n_props == 0 || h->n_props > DCOM_MAX_PROPS || !has_clsids || !has_sizes)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, h->n_props));
	NTLM_TRY(ndr_get_guids(r, h->n_props, h->clsids));
	NTLM_TRY(ndr_get_u32_array(r, DCOM_MAX_PROPS, h->sizes, &n));
	if (n != h->n_props)
		return NTLM_E_FIELD_RANGE;
	return skip_deferred_dword(r, has_reserved);
}

static void put_custom_header(ndr_writer *nw, const custom_header *h)
{
	static const ntlm_guid no_class = {{0}};
	put_ts_headers(nw);
	ndr_put_u32(nw, h->total_size);
	ndr_put_u32(nw, h->header_size);
	ndr_put_u32(nw, 0);
	ndr_put_u32(nw, h->dest_ctx);
	ndr_put_u32(nw, h->n_props);
	ndr_put_guid(nw, &no_class);
	ndr_put_ptr(nw, 1);
	ndr_put_ptr(nw, 1);
	ndr_put_ptr(nw, 0);
	ndr_put_guid_array(nw, h->clsids, h->n_props);
	ndr_put_u32_array(nw, h->sizes, h->n_props);
	ts_finish(nw);
}

/* One property from its slice of the blob: the headers, then the body (unknown kinds skipped). */
static ntlm_err get_property(const blob_kind *b, nb_reader *prop, const ntlm_guid *clsid, void *set,
                             uint32_t *present)
{
	uint32_t object_len;
	const prop_kind *k = kind_of(b, clsid);
	if (!k)
		return NTLM_OK; /* a property we do not use ([MS-DCOM] lists more) */
	if (*present & k->bit)
		return NTLM_E_FIELD_RANGE; /* the same property twice */
	*present |= k->bit;
	NTLM_TRY(get_ts_headers(prop, &object_len));
	nb_reader body;
	NTLM_TRY(nb_slice(prop, 0, TS_HEADERS_LEN + object_len, &body));
	NTLM_TRY(nb_skip(&body, TS_HEADERS_LEN));
	return k->get(&body, set);
}

/* The ACTIVATION_BLOB: dwSize, dwReserved, CustomHeader, the properties it lists. */
static ntlm_err get_blob(const blob_kind *b, const ndr_bytes *data, custom_header *h, void *set,
                         uint32_t *present)
{
	nb_reader blob, hdr, prop;
	uint32_t size, reserved;
	nb_reader_init(&blob, data->data, data->len);
	NTLM_TRY(nb_read_u32le(&blob, &size));
	NTLM_TRY(nb_read_u32le(&blob, &reserved));
	NTLM_TRY(nb_slice(&blob, 8, size, &hdr));
	NTLM_TRY(get_custom_header(&hdr, h));
	if (h->total_size != size || h->header_size > size || nb_pos(&hdr) > h->header_size)
		return NTLM_E_FIELD_RANGE;
	uint64_t sum = h->header_size; /* at most 11 values below 2^32: no overflow */
	for (uint32_t i = 0; i < h->n_props; i++)
		sum += h->sizes[i];
	if (sum > size)
		return NTLM_E_FIELD_RANGE; /* the sizes disagree with the blob's */
	size_t off = 8u + h->header_size;
	for (uint32_t i = 0; i < h->n_props; i++) {
		NTLM_TRY(nb_slice(&blob, off, h->sizes[i], &prop));
		NTLM_TRY(get_property(b, &prop, &h->clsids[i], set, present));
		off += h->sizes[i];
	}
	return NTLM_OK;
}

static ntlm_err decode_actprops(const blob_kind *b, const uint8_t *in, size_t len, custom_header *h,
                                void *set, uint32_t *present)
{
	dcom_objref o;
	NTLM_TRY(dcom_objref_decode(in, len, &o));
	if (o.flags != DCOM_OBJREF_CUSTOM || !ntlm_guid_equal(&o.iid, &b->iid) ||
	    !ntlm_guid_equal(&o.clsid, &b->clsid))
		return NTLM_E_BAD_SIGNATURE_HEADER;
	return get_blob(b, &o.object_data, h, set, present);
}

/* Each property serialized on its own (its own alignment and referent ids) into *out. */
static ntlm_err encode_property(const prop_kind *k, const void *set, ntlm_buffer *out)
{
	ndr_writer nw;
	ndr_writer_init(&nw);
	put_ts_headers(&nw);
	k->put(&nw, set);
	ts_finish(&nw);
	return ndr_writer_finish(&nw, out);
}

static void free_buffers(ntlm_buffer *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ntlm_buffer_free(&b[i]);
}

/* The blob of the given kinds, in order, then the OBJREF_CUSTOM around it. */
static ntlm_err encode_blob(const blob_kind *b, const prop_kind *const *order, size_t n,
                            uint32_t dest_ctx, const void *set, ntlm_buffer *objref)
{
	ntlm_buffer props[DCOM_MAX_PROPS] = {{0}}, hdr = {0}, blob = {0};
	custom_header h = {.dest_ctx = dest_ctx, .n_props = (uint32_t)n};
	ntlm_err rc = NTLM_OK;
	uint32_t body = 0;
	for (size_t i = 0; i < n && rc == NTLM_OK; i++) {
		rc = encode_property(order[i], set, &props[i]);
		h.clsids[i] = order[i]->clsid;
		h.sizes[i] = (uint32_t)props[i].len;
		body += h.sizes[i];
	}
	for (int pass = 0; pass < 2 && rc == NTLM_OK; pass++) { /* the second knows its own size */
		ndr_writer nw;
		ndr_writer_init(&nw);
		put_custom_header(&nw, &h);
		ntlm_buffer_free(&hdr);
		rc = ndr_writer_finish(&nw, &hdr);
		h.header_size = (uint32_t)hdr.len;
		h.total_size = h.header_size + body;
	}
	if (rc == NTLM_OK) {
		ndr_writer nw;
		ndr_writer_init(&nw);
		ndr_put_u32(&nw, h.total_size);
		ndr_put_u32(&nw, 0);
		ndr_put_bytes(&nw, hdr.data, hdr.len);
		for (size_t i = 0; i < n; i++)
			ndr_put_bytes(&nw, props[i].data, props[i].len);
		rc = ndr_writer_finish(&nw, &blob);
	}
	if (rc == NTLM_OK) {
		dcom_objref o = {.flags = DCOM_OBJREF_CUSTOM, .iid = b->iid, .clsid = b->clsid};
		o.object_data.data = blob.data;
		o.object_data.len = blob.len;
		rc = dcom_objref_encode(&o, objref);
	}
	free_buffers(props, DCOM_MAX_PROPS);
	ntlm_buffer_free(&hdr);
	ntlm_buffer_free(&blob);
	return rc;
}

ntlm_err dcom_actprops_in_decode(const uint8_t *objref, size_t len, dcom_actprops_in *out)
{
	custom_header h;
	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	NTLM_TRY(decode_actprops(&blob_in, objref, len, &h, out, &out->present));
	out->dest_ctx = h.dest_ctx;
	out->n_props = h.n_props;
	memcpy(out->prop_clsids, h.clsids, sizeof(h.clsids));
	/* the one property activation cannot do without */
	return (out->present & DCOM_PROP_INST) ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

ntlm_err dcom_actprops_in_encode(const dcom_actprops_in *in, ntlm_buffer *objref)
{
	const prop_kind *order[DCOM_MAX_PROPS];
	objref->data = NULL;
	objref->len = 0;
	if (in->n_props == 0 || in->n_props > DCOM_MAX_PROPS)
		return NTLM_E_INVALID_PARAMETER;
	for (uint32_t i = 0; i < in->n_props; i++)
		if (!(order[i] = kind_of(&blob_in, &in->prop_clsids[i])))
			return NTLM_E_INVALID_PARAMETER;
	return encode_blob(&blob_in, order, in->n_props, in->dest_ctx, in, objref);
}

ntlm_err dcom_actprops_out_decode(const uint8_t *objref, size_t len, dcom_actprops_out *out)
{
	custom_header h;
	memset(out, 0, sizeof(*out));
	memset(&h, 0, sizeof(h));
	NTLM_TRY(decode_actprops(&blob_out, objref, len, &h, out, &out->present));
	return out->present == (DCOM_PROP_PROPS_OUT | DCOM_PROP_SCM_REPLY) ? NTLM_OK
	                                                                   : NTLM_E_FIELD_RANGE;
}

ntlm_err dcom_actprops_out_encode(const dcom_actprops_out *in, ntlm_buffer *objref)
{
	const prop_kind *order[] = {&props_out[0], &props_out[1]};
	return encode_blob(&blob_out, order, 2, DCOM_DESTCTX_DIFFERENTMACHINE, in, objref);
}

/* ------------------------------------------------------------ IRemoteSCMActivator */

static ntlm_err get_getclassobject_req(nb_reader *r, dcom_getclassobject_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	return ndr_get_unique_mip(r, &q->act_props);
}

static void put_getclassobject_req(ndr_writer *nw, const dcom_getclassobject_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_unique_mip(nw, &q->act_props);
}
STUB_CODEC(dcom_getclassobject_req, get_getclassobject_req, put_getclassobject_req)

static ntlm_err get_createinstance_req(nb_reader *r, dcom_createinstance_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_unique_mip(r, &q->unk_outer));
	return ndr_get_unique_mip(r, &q->act_props);
}

static void put_createinstance_req(ndr_writer *nw, const dcom_createinstance_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_unique_mip(nw, &q->unk_outer);
	ndr_put_unique_mip(nw, &q->act_props);
}
STUB_CODEC(dcom_createinstance_req, get_createinstance_req, put_createinstance_req)

static ntlm_err get_activation_resp(nb_reader *r, dcom_activation_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_unique_mip(r, &p->act_props));
	return ndr_get_i32(r, &p->hr);
}

static void put_activation_resp(ndr_writer *nw, const dcom_activation_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_unique_mip(nw, &p->act_props);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_activation_resp, get_activation_resp, put_activation_resp)

/* ------------------------------------------------------------ IActivation */

static ntlm_err get_remoteactivation_req(nb_reader *r, dcom_remoteactivation_req *q)
{
	int has_iids;
	uint32_t n;
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_guid(r, &q->clsid));
	NTLM_TRY(ndr_get_unique_wstring(r, &q->object_name));
	NTLM_TRY(ndr_get_unique_mip(r, &q->object_storage));
	NTLM_TRY(ndr_get_u32(r, &q->imp_level));
	NTLM_TRY(ndr_get_u32(r, &q->mode));
	NTLM_TRY(ndr_get_u32(r, &q->n_iids));
	NTLM_TRY(ndr_get_ptr(r, &has_iids));
	NTLM_TRY(get_iid_set(r, has_iids, q->n_iids, q->iids));
	NTLM_TRY(ndr_get_u16(r, &q->n_protseqs));
	NTLM_TRY(ndr_get_u16_array(r, DCOM_MAX_PROTSEQS, q->protseqs, &n));
	return n == q->n_protseqs ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

static void put_remoteactivation_req(ndr_writer *nw, const dcom_remoteactivation_req *q)
{
	uint32_t n = q->n_iids;
	uint16_t np = q->n_protseqs;
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS) || !ndr_put_limit(nw, np, DCOM_MAX_PROTSEQS))
		return;
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_guid(nw, &q->clsid);
	ndr_put_unique_wstring(nw, q->object_name.present ? q->object_name.utf8 : NULL);
	ndr_put_unique_mip(nw, &q->object_storage);
	ndr_put_u32(nw, q->imp_level);
	ndr_put_u32(nw, q->mode);
	ndr_put_u32(nw, n);
	ndr_put_ptr(nw, 1);
	ndr_put_guid_array(nw, q->iids, n);
	ndr_put_u16(nw, np);
	ndr_put_u16_array(nw, q->protseqs, np);
}
STUB_CODEC(dcom_remoteactivation_req, get_remoteactivation_req, put_remoteactivation_req)

static ntlm_err get_remoteactivation_resp(nb_reader *r, dcom_remoteactivation_resp *p)
{
	uint32_t n;
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_u64(r, &p->oxid));
	NTLM_TRY(dcom_get_unique_dsa(r, &p->has_bindings, &p->bindings));
	NTLM_TRY(ndr_get_guid(r, &p->ipid_remunknown));
	NTLM_TRY(ndr_get_u32(r, &p->authn_hint));
	NTLM_TRY(dcom_get_comversion(r, &p->version));
	NTLM_TRY(ndr_get_i32(r, &p->hr));
	NTLM_TRY(ndr_get_count(r, DCOM_MAX_IIDS, &p->n_ifs));
	NTLM_TRY(ndr_get_mip_ptr_elems(r, p->n_ifs, p->ifs));
	NTLM_TRY(ndr_get_hresults(r, DCOM_MAX_IIDS, p->results, &n));
	if (n != p->n_ifs)
		return NTLM_E_FIELD_RANGE;
	return ndr_get_u32(r, &p->status);
}

static void put_remoteactivation_resp(ndr_writer *nw, const dcom_remoteactivation_resp *p)
{
	uint32_t n = p->n_ifs;
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS))
		return;
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_u64(nw, p->oxid);
	dcom_put_unique_dsa(nw, p->has_bindings ? &p->bindings : NULL);
	ndr_put_guid(nw, &p->ipid_remunknown);
	ndr_put_u32(nw, p->authn_hint);
	dcom_put_comversion(nw, &p->version);
	ndr_put_i32(nw, p->hr);
	ndr_put_mip_ptrs(nw, p->ifs, n);
	ndr_put_hresults(nw, p->results, n);
	ndr_put_u32(nw, p->status);
}
STUB_CODEC(dcom_remoteactivation_resp, get_remoteactivation_resp, put_remoteactivation_resp)
