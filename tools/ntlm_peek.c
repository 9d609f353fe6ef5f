/* ntlm_peek.c - the type of an NTLMSSP message; see ntlm_peek.h */
#include "ntlm_peek.h"

#include "buf.h"

uint32_t ntlm_peek_type(const uint8_t *data, size_t len)
{
	nb_reader r;
	uint32_t type = 0;
	nb_reader_init(&r, data, len);
	if (nb_expect(&r, NTLM_PEEK_SIGNATURE, sizeof(NTLM_PEEK_SIGNATURE),
	              NTLM_E_BAD_SIGNATURE_HEADER) != NTLM_OK ||
	    nb_read_u32le(&r, &type) != NTLM_OK)
		return 0;
	return type;
}
