/* A CHALLENGE built through the codec's encoder (wire.c), for client tests. */
#ifndef NTLM_T_CHALLENGE_H
#define NTLM_T_CHALLENGE_H

#include <string.h>

#include "filetime.h"
#include "wire.h"

/* The server challenge every such CHALLENGE carries. */
static const uint8_t t_server_challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* Which pairs the CHALLENGE's TargetInfo carries. */
enum {
	NB_COMPUTER = 1,
	NB_DOMAIN = 2,
	DNS_COMPUTER = 4,
	TIMESTAMP = 8,
	NO_TARGET_INFO = 0x100,
	NAMES = NB_COMPUTER | NB_DOMAIN
};

/* flags as given, target name and NetBIOS names "SERVER", the timestamp 1700000000. */
static inline ntlm_err t_challenge(uint32_t flags, int pairs, ntlm_buffer *out)
{
	nw_challenge c;
	nw_av_list av = {NULL, 0, 0};
	ntlm_buffer ti = {NULL, 0};
	memset(&c, 0, sizeof(c));
	c.flags = flags;
	memcpy(c.server_challenge, t_server_challenge, 8);
	c.target_name = "SERVER";
	ntlm_err rc = NTLM_OK;
	if (rc == NTLM_OK && (pairs & NB_DOMAIN))
		rc = nw_av_set_string(&av, NW_AV_NB_DOMAIN, "SERVER");
	if (rc == NTLM_OK && (pairs & NB_COMPUTER))
		rc = nw_av_set_string(&av, NW_AV_NB_COMPUTER, "SERVER");
	if (rc == NTLM_OK && (pairs & DNS_COMPUTER))
		rc = nw_av_set_string(&av, NW_AV_DNS_COMPUTER, "server.example.com");
	if (rc == NTLM_OK && (pairs & TIMESTAMP))
		rc = nw_av_set_u64(&av, NW_AV_TIMESTAMP, ntlm_unix_to_filetime(1700000000));
	if (rc == NTLM_OK && !(pairs & NO_TARGET_INFO))
		rc = nw_av_encode(&av, &ti);
	c.target_info = ti.data;
	c.target_info_len = ti.len;
	if (rc == NTLM_OK)
		rc = nw_challenge_encode(&c, out);
	ntlm_buffer_free(&ti);
	nw_av_clear(&av);
	return rc;
}

#endif
