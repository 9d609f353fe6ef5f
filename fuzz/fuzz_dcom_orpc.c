/* Target functions: dcom_get_orpcthis/orpcthat (extensions), dcom_get_dsa*, dcom_objref_decode, the orpc.h and demo_ndr.h stubs */
/*
 * The ORPC codec (dcom/orpc.c, dcom/demo_ndr.c, dcom/ndr.c) fed the stub
 * data of an IRemUnknown(2), IClassFactory, IObjectExporter or INtlmDemo
 * request or response, or an OBJREF, as a peer sends it.
 *
 * Input: a selector byte (which codec), then the bytes.
 *
 * Invariants: a decoder fails only with the errors ndr.h lists; what
 * decodes re-encodes, and re-encoding is a fixed point; the OBJREFs inside
 * a decoded RemQueryInterface2 answer are decoded in turn.
 */
#include "demo_ndr.h"
#include "fuzz_dcom_common.h"
#include "orpc.h"

/* clang-format off */
FZ_CODEC_WRAP(dcom_objref)
FZ_CODEC_WRAP(dcom_orpc_req)
FZ_CODEC_WRAP(dcom_hr_resp)
FZ_CODEC_WRAP(dcom_status_resp)
FZ_CODEC_WRAP(dcom_remqi_req)
FZ_CODEC_WRAP(dcom_remqi_resp)
FZ_CODEC_WRAP(dcom_remrefs_req)
FZ_CODEC_WRAP(dcom_remaddref_resp)
FZ_CODEC_WRAP(dcom_remqi2_req)
FZ_CODEC_WRAP(dcom_remqi2_resp)
FZ_CODEC_WRAP(dcom_cf_createinstance_req)
FZ_CODEC_WRAP(dcom_cf_createinstance_resp)
FZ_CODEC_WRAP(dcom_cf_lockserver_req)
FZ_CODEC_WRAP(dcom_resolveoxid_req)
FZ_CODEC_WRAP(dcom_resolveoxid_resp)
FZ_CODEC_WRAP(dcom_resolveoxid2_resp)
FZ_CODEC_WRAP(dcom_simpleping_req)
FZ_CODEC_WRAP(dcom_complexping_req)
FZ_CODEC_WRAP(dcom_complexping_resp)
FZ_CODEC_WRAP(dcom_serveralive2_resp)
FZ_CODEC_WRAP(dcom_demo_whoami_resp)
FZ_CODEC_WRAP(dcom_demo_add_req)
FZ_CODEC_WRAP(dcom_demo_add_resp)
FZ_CODEC_WRAP(dcom_demo_whoami_imp_resp)
/* clang-format on */

static const fz_codec objref_codec = FZ_CODEC(dcom_objref, NULL);

/* An OBJREF carried as bytes: decodes cleanly, and round-trips when it does. */
static void check_objref(const ndr_bytes *b)
{
	if (!b->data)
		return;
	void *o = fz_dcom_decode(&objref_codec, b->data, b->len);
	if (o)
		fz_dcom_roundtrip(&objref_codec, o);
	free(o);
}

static void deeper_remqi2_resp(const void *v)
{
	const dcom_remqi2_resp *p = v;
	FZ_CHECK(p->n_iids <= DCOM_MAX_IIDS);
	for (size_t i = 0; i < p->n_iids; i++)
		check_objref(&p->mifs[i]);
}

static void deeper_cf_resp(const void *v)
{
	check_objref(&((const dcom_cf_createinstance_resp *)v)->object);
}

/* The selector of a seed is its index here: keep the order (fuzz/corpus/fuzz_dcom_orpc/). */
static const fz_codec codecs[] = {
	FZ_CODEC(dcom_objref, NULL),
	FZ_CODEC(dcom_orpc_req, NULL),
	FZ_CODEC(dcom_hr_resp, NULL),
	FZ_CODEC(dcom_status_resp, NULL),
	FZ_CODEC(dcom_remqi_req, NULL),
	FZ_CODEC(dcom_remqi_resp, NULL),
	FZ_CODEC(dcom_remrefs_req, NULL),
	FZ_CODEC(dcom_remaddref_resp, NULL),
	FZ_CODEC(dcom_remqi2_req, NULL),
	FZ_CODEC(dcom_remqi2_resp, deeper_remqi2_resp),
	FZ_CODEC(dcom_cf_createinstance_req, NULL),
	FZ_CODEC(dcom_cf_createinstance_resp, deeper_cf_resp),
	FZ_CODEC(dcom_cf_lockserver_req, NULL),
	FZ_CODEC(dcom_resolveoxid_req, NULL),
	FZ_CODEC(dcom_resolveoxid_resp, NULL),
	FZ_CODEC(dcom_resolveoxid2_resp, NULL),
	FZ_CODEC(dcom_simpleping_req, NULL),
	FZ_CODEC(dcom_complexping_req, NULL),
	FZ_CODEC(dcom_complexping_resp, NULL),
	FZ_CODEC(dcom_serveralive2_resp, NULL),
	FZ_CODEC(dcom_demo_whoami_resp, NULL),
	FZ_CODEC(dcom_demo_add_req, NULL),
	FZ_CODEC(dcom_demo_add_resp, NULL),
	FZ_CODEC(dcom_demo_whoami_imp_resp, NULL),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_dcom_run(codecs, sizeof(codecs) / sizeof(codecs[0]), data, size);
	return 0;
}
