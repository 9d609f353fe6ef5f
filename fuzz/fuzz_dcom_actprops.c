/* Target functions: dcom_actprops_in/out_decode/encode, the IRemoteSCMActivator and IActivation stubs */
/*
 * The activation codec (dcom/actprops.c) fed an activation request or
 * response stub, or the OBJREF of an ActivationPropertiesIn/Out blob, as a
 * peer sends it.
 *
 * Input: a selector byte (which codec), then the bytes.
 *
 * Invariants: a decoder fails only with the errors ndr.h lists; what
 * decodes re-encodes (an ActivationPropertiesIn without the property
 * classes we skip), and re-encoding is a fixed point; the blobs and
 * interface pointers inside a decoded stub are decoded in turn.
 */
#include "actprops.h"
#include "fuzz_dcom_common.h"

/* clang-format off */
FZ_CODEC_WRAP(dcom_actprops_out)
FZ_CODEC_WRAP(dcom_objref)
FZ_CODEC_WRAP(dcom_getclassobject_req)
FZ_CODEC_WRAP(dcom_createinstance_req)
FZ_CODEC_WRAP(dcom_activation_resp)
FZ_CODEC_WRAP(dcom_remoteactivation_req)
FZ_CODEC_WRAP(dcom_remoteactivation_resp)
/* clang-format on */

/* The properties we decode, in their order: what an encoder accepts. */
static void known_props_only(dcom_actprops_in *a)
{
	static const ntlm_guid known[] = {DCOM_CLSID_SPECIAL_PROPS,   DCOM_CLSID_INSTANTIATION,
	                                  DCOM_CLSID_ACTIVATION_CTX,  DCOM_CLSID_SECURITY_INFO,
	                                  DCOM_CLSID_SERVER_LOCATION, DCOM_CLSID_SCM_REQUEST};
	uint32_t n = 0;
	for (uint32_t i = 0; i < a->n_props; i++)
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (ntlm_guid_equal(&a->prop_clsids[i], &known[k]))
				a->prop_clsids[n++] = a->prop_clsids[i];
	a->n_props = n;
}

static ntlm_err fz_dec_in_known(const uint8_t *in, size_t len, void *out)
{
	ntlm_err rc = dcom_actprops_in_decode(in, len, out);
	if (rc == NTLM_OK)
		known_props_only(out);
	return rc;
}

static ntlm_err fz_enc_in(const void *in, ntlm_buffer *out)
{
	return dcom_actprops_in_encode(in, out);
}

static const fz_codec objref_codec = FZ_CODEC(dcom_objref, NULL);
static const fz_codec in_codec = {sizeof(dcom_actprops_in), fz_dec_in_known, fz_enc_in, NULL};

/* Bytes that should hold something of codec c: decoded cleanly, round-tripped if good. */
static void check_inner(const fz_codec *c, const ndr_bytes *b)
{
	if (!b->data)
		return;
	void *v = fz_dcom_decode(c, b->data, b->len);
	if (v)
		fz_dcom_roundtrip(c, v);
	free(v);
}

static void deeper_out(const void *v)
{
	const dcom_actprops_out *a = v;
	FZ_CHECK(a->props.n_ifs <= DCOM_MAX_IIDS);
	for (size_t i = 0; i < a->props.n_ifs; i++)
		check_inner(&objref_codec, &a->props.objrefs[i]);
}

static const fz_codec out_codec = {sizeof(dcom_actprops_out), fz_dec_dcom_actprops_out,
                                   fz_enc_dcom_actprops_out, deeper_out};

static void deeper_getclassobject(const void *v)
{
	check_inner(&in_codec, &((const dcom_getclassobject_req *)v)->act_props);
}

static void deeper_createinstance(const void *v)
{
	check_inner(&in_codec, &((const dcom_createinstance_req *)v)->act_props);
}

static void deeper_activation_resp(const void *v)
{
	check_inner(&out_codec, &((const dcom_activation_resp *)v)->act_props);
}

static void deeper_remoteactivation_resp(const void *v)
{
	const dcom_remoteactivation_resp *p = v;
	FZ_CHECK(p->n_ifs <= DCOM_MAX_IIDS);
	for (size_t i = 0; i < p->n_ifs; i++)
		check_inner(&objref_codec, &p->ifs[i]);
}

/* The selector of a seed is its index here: keep the order (fuzz/corpus/fuzz_dcom_actprops/). */
static const fz_codec codecs[] = {
	{sizeof(dcom_actprops_in), fz_dec_in_known, fz_enc_in, NULL},
	{sizeof(dcom_actprops_out), fz_dec_dcom_actprops_out, fz_enc_dcom_actprops_out, deeper_out},
	FZ_CODEC(dcom_getclassobject_req, deeper_getclassobject),
	FZ_CODEC(dcom_createinstance_req, deeper_createinstance),
	FZ_CODEC(dcom_activation_resp, deeper_activation_resp),
	FZ_CODEC(dcom_remoteactivation_req, NULL),
	FZ_CODEC(dcom_remoteactivation_resp, deeper_remoteactivation_resp),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_dcom_run(codecs, sizeof(codecs) / sizeof(codecs[0]), data, size);
	return 0;
}
