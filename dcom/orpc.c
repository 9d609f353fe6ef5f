/* orpc.c - ORPC structures and the IRemUnknown(2) / IObjectExporter stubs; see orpc.h */
#include "orpc.h"

#include "stub_codec.h"

NDR_CODEC_STUB(dcom_orpc_req)
NDR_CODEC_STUB(dcom_hr_resp)
NDR_CODEC_STUB(dcom_status_resp)
NDR_CODEC_STUB(dcom_remqi_req)
NDR_CODEC_STUB(dcom_remqi_resp)
NDR_CODEC_STUB(dcom_remrefs_req)
NDR_CODEC_STUB(dcom_remaddref_resp)
NDR_CODEC_STUB(dcom_remqi2_req)
NDR_CODEC_STUB(dcom_remqi2_resp)
NDR_CODEC_STUB(dcom_resolveoxid_req)
NDR_CODEC_STUB(dcom_resolveoxid_resp)
NDR_CODEC_STUB(dcom_simpleping_req)
NDR_CODEC_STUB(dcom_complexping_req)
NDR_CODEC_STUB(dcom_complexping_resp)
NDR_CODEC_STUB(dcom_serveralive2_resp)

ntlm_err dcom_resolveoxid2_resp_encode(const dcom_resolveoxid_resp *in, ntlm_buffer *out)
{
	return dcom_resolveoxid_resp_encode(in, out);
}

ntlm_err dcom_resolveoxid2_resp_decode(const uint8_t *in, size_t len, dcom_resolveoxid_resp *out)
{
	return dcom_resolveoxid_resp_decode(in, len, out);
}

ntlm_err dcom_objref_decode(const uint8_t *in, size_t len, dcom_objref *out)
{
	(void)in;
	(void)len;
	memset(out, 0, sizeof(*out));
	return NTLM_E_UNSUPPORTED;
}

ntlm_err dcom_objref_encode(const dcom_objref *in, ntlm_buffer *out)
{
	(void)in;
	out->data = NULL;
	out->len = 0;
	return NTLM_E_UNSUPPORTED;
}
