/* Target functions: nw_av_parse, nw_av_encode, nw_av_get, nw_av_get_u32, nw_av_get_u64, nw_av_get_string, nw_av_set, nw_av_set_u32, nw_av_set_string, nw_av_name */
/*
 * A TargetInfo / NTLMv2 AvPairs list from the network. A parsed list
 * re-encodes to bytes that parse to the same list, and that encoding is a
 * fixed point. Then the list is edited the way the client edits the
 * server's list (Flags, TargetName, ChannelBindings) and must still encode
 * and parse.
 */
#include "fuzz_common.h"

static void same_list(const nw_av_list *a, const nw_av_list *b)
{
	FZ_CHECK(a->n == b->n);
	for (size_t i = 0; i < a->n; i++) {
		FZ_CHECK(a->items[i].id == b->items[i].id);
		FZ_CHECK(a->items[i].len == b->items[i].len);
		FZ_CHECK(a->items[i].len == 0 ||
		         memcmp(a->items[i].value, b->items[i].value, a->items[i].len) == 0);
		FZ_CHECK(a->items[i].id != NW_AV_EOL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fz_dup(data, size);
	nw_av_list list, list2;
	if (nw_av_parse(in, size, &list) != NTLM_OK) {
		FZ_CHECK(list.items == NULL && list.n == 0);
		free(in);
		return 0;
	}
	ntlm_buffer enc = {NULL, 0}, enc2 = {NULL, 0};
	FZ_CHECK(nw_av_encode(&list, &enc) == NTLM_OK);
	FZ_CHECK(nw_av_parse(enc.data, enc.len, &list2) == NTLM_OK);
	same_list(&list, &list2);
	FZ_CHECK(nw_av_encode(&list2, &enc2) == NTLM_OK);
	FZ_CHECK(enc.len == enc2.len && memcmp(enc.data, enc2.data, enc.len) == 0);
	/* the encoding is the input up to and including its MsvAvEOL */
	if (size)
		FZ_CHECK(enc.len <= size && memcmp(enc.data, in, enc.len) == 0);
	nw_av_clear(&list2);
	ntlm_buffer_free(&enc);
	ntlm_buffer_free(&enc2);

	/* The getters, as the client and server use them. */
	for (size_t i = 0; i < list.n; i++) {
		const nw_av *av = nw_av_get(&list, list.items[i].id);
		FZ_CHECK(av == &list.items[i]); /* ids are unique */
		(void)nw_av_name(av->id);
	}
	uint32_t u32;
	uint64_t u64;
	char *s = NULL;
	/* exercised for crashes only: absent or not, both are fine here */
	NTLM_IGNORE_RESULT(nw_av_get_u32(&list, NW_AV_FLAGS, &u32));
	NTLM_IGNORE_RESULT(nw_av_get_u64(&list, NW_AV_TIMESTAMP, &u64));
	for (uint16_t id = NW_AV_NB_COMPUTER; id <= NW_AV_TARGET_NAME; id++) {
		if (nw_av_get_string(&list, id, &s) == NTLM_OK)
			FZ_CHECK(s != NULL);
		ntlm_free_string(s);
		s = NULL;
	}

	/* The client's edits keep the list well formed. */
	uint32_t flags = 0;
	NTLM_IGNORE_RESULT(nw_av_get_u32(&list, NW_AV_FLAGS, &flags)); /* absent: 0 */
	FZ_CHECK(nw_av_set_u32(&list, NW_AV_FLAGS, flags | NW_AVF_MIC) == NTLM_OK);
	FZ_CHECK(nw_av_set_string(&list, NW_AV_TARGET_NAME, "HOST/fuzz") == NTLM_OK);
	FZ_CHECK(nw_av_set(&list, NW_AV_CHANNEL_BINDINGS, fz_cbt, 16) == NTLM_OK);
	FZ_CHECK(nw_av_set(&list, NW_AV_EOL, NULL, 0) != NTLM_OK);
	FZ_CHECK(nw_av_encode(&list, &enc) == NTLM_OK);
	FZ_CHECK(nw_av_parse(enc.data, enc.len, &list2) == NTLM_OK);
	same_list(&list, &list2);
	FZ_CHECK(nw_av_get_u32(&list2, NW_AV_FLAGS, &u32) == NTLM_OK && (u32 & NW_AVF_MIC));
	nw_av_clear(&list2);
	ntlm_buffer_free(&enc);
	nw_av_clear(&list);
	free(in);
	return 0;
}
