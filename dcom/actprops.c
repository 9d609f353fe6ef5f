/* actprops.c - activation property blobs and the activator stubs; see actprops.h */
#include "actprops.h"

#include "stub_codec.h"

NDR_CODEC_STUB(dcom_getclassobject_req)
NDR_CODEC_STUB(dcom_createinstance_req)
NDR_CODEC_STUB(dcom_activation_resp)
NDR_CODEC_STUB(dcom_remoteactivation_req)
NDR_CODEC_STUB(dcom_remoteactivation_resp)

ntlm_err dcom_actprops_in_decode(const uint8_t *objref, size_t len, dcom_actprops_in *out)
{
	(void)objref;
	(void)len;
	memset(out, 0, sizeof(*out));
	return NTLM_E_UNSUPPORTED;
}

ntlm_err dcom_actprops_in_encode(const dcom_actprops_in *in, ntlm_buffer *objref)
{
	(void)in;
	objref->data = NULL;
	objref->len = 0;
	return NTLM_E_UNSUPPORTED;
}

ntlm_err dcom_actprops_out_decode(const uint8_t *objref, size_t len, dcom_actprops_out *out)
{
	(void)objref;
	(void)len;
	memset(out, 0, sizeof(*out));
	return NTLM_E_UNSUPPORTED;
}

ntlm_err dcom_actprops_out_encode(const dcom_actprops_out *in, ntlm_buffer *objref)
{
	(void)in;
	objref->data = NULL;
	objref->len = 0;
	return NTLM_E_UNSUPPORTED;
}
