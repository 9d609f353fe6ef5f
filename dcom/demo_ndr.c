/* demo_ndr.c - INtlmDemo's stubs; see demo_ndr.h */
#include "demo_ndr.h"

#include "stub_codec.h"

NDR_CODEC_STUB(dcom_demo_whoami_resp)
NDR_CODEC_STUB(dcom_demo_add_req)
NDR_CODEC_STUB(dcom_demo_add_resp)
NDR_CODEC_STUB(dcom_demo_whoami_imp_resp)
