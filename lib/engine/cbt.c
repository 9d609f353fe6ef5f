/*
 * cbt.c - the channel bindings hash of [MS-NLMP] 3.1.5.2.2: MD5 over the
 * gss_channel_bindings_struct as RFC 4121 4.1.1.2 serialises it (each
 * address type and length as a 32-bit little-endian integer).
 */
#include "buf.h"
#include "crypto.h"
#include "try.h"

static void put_blob(nb_writer *w, const uint8_t *p, size_t n)
{
	nb_write_u32le(w, (uint32_t)n);
	if (n)
		nb_write_bytes(w, p, n);
}

NTLM_API ntlm_err ntlm_channel_bindings_hash(const ntlm_channel_bindings *cb,
                                             uint8_t out[NTLM_CBT_HASH_SIZE])
{
	if (!cb || !out || (!cb->initiator_address && cb->initiator_address_len) ||
	    (!cb->acceptor_address && cb->acceptor_address_len) ||
	    (!cb->application_data && cb->application_data_len) ||
	    cb->initiator_address_len > UINT32_MAX || cb->acceptor_address_len > UINT32_MAX ||
	    cb->application_data_len > UINT32_MAX)
		return NTLM_E_INVALID_PARAMETER;
	nb_writer w;
	nb_writer_init(&w);
	nb_write_u32le(&w, cb->initiator_addrtype);
	put_blob(&w, cb->initiator_address, cb->initiator_address_len);
	nb_write_u32le(&w, cb->acceptor_addrtype);
	put_blob(&w, cb->acceptor_address, cb->acceptor_address_len);
	put_blob(&w, cb->application_data, cb->application_data_len);
	ntlm_buffer ser;
	NTLM_TRY(nb_writer_finish(&w, &ser));
	cr_md5_digest(ser.data, ser.len, out);
	ntlm_buffer_free(&ser);
	return NTLM_OK;
}
