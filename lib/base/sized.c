/* sized.c - copying structures by the ABI rule; see sized.h */
#include "sized.h"

#include <stdint.h>
#include <string.h>

static ntlm_err sized_check(const void *caller, size_t ours, size_t min_size, size_t *size)
{
	if (!caller)
		return NTLM_E_INVALID_PARAMETER;
	memcpy(size, caller, sizeof(*size)); /* the first member, whatever the type */
	if (*size < min_size || *size > ours)
		return NTLM_E_STRUCT_SIZE;
	return NTLM_OK;
}

ntlm_err ntlm_sized_in(void *dst, size_t dst_size, const void *src, size_t min_size)
{
	size_t size;
	ntlm_err rc = sized_check(src, dst_size, min_size, &size);
	if (rc != NTLM_OK)
		return rc;
	memcpy(dst, src, size);
	memset((uint8_t *)dst + size, 0, dst_size - size);
	memcpy(dst, &dst_size, sizeof(dst_size)); /* the copy is whole: of our version */
	return NTLM_OK;
}

ntlm_err ntlm_sized_out(void *dst, const void *src, size_t src_size, size_t min_size)
{
	size_t size;
	ntlm_err rc = sized_check(dst, src_size, min_size, &size);
	if (rc != NTLM_OK)
		return rc;
	memcpy((uint8_t *)dst + sizeof(size), (const uint8_t *)src + sizeof(size), size - sizeof(size));
	return NTLM_OK;
}
