/*
 * wire.h - the message codec of [MS-NLMP] 2.2: bytes <-> structs, no crypto,
 * no state. Decoders read only through nb_reader, check every
 * (Len, MaxLen, Offset) triple and reject fields that leave the message or
 * overlap the fixed header or each other. Decoded strings are UTF-8 copies;
 * byte fields are copies (nw_authenticate_decode_view: views); clear with
 * nw_*_clear() (wipes).
 */
#ifndef NTLM_WIRE_H
#define NTLM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ntlmssp/ntlmssp.h"

#define NW_NEGOTIATE    1u
#define NW_CHALLENGE    2u
#define NW_AUTHENTICATE 3u

/* AV_PAIR ids, 2.2.2.1 */
#define NW_AV_EOL              0
#define NW_AV_NB_COMPUTER      1
#define NW_AV_NB_DOMAIN        2
#define NW_AV_DNS_COMPUTER     3
#define NW_AV_DNS_DOMAIN       4
#define NW_AV_DNS_TREE         5
#define NW_AV_FLAGS            6
#define NW_AV_TIMESTAMP        7
#define NW_AV_SINGLE_HOST      8
#define NW_AV_TARGET_NAME      9
#define NW_AV_CHANNEL_BINDINGS 10

/* MsvAvFlags bits */
#define NW_AVF_CONSTRAINED   0x1u
#define NW_AVF_MIC           0x2u
#define NW_AVF_UNTRUSTED_SPN 0x4u

/* Offset of the MIC in an AUTHENTICATE message that carries one. */
#define NW_AUTH_MIC_OFFSET 72
#define NW_AUTH_MIC_END    88

/*
 * MaxLen policy (decided in docs/interop.md): a decoder accepts MaxLen >= Len
 * (some peers pad), rejects MaxLen < Len with NTLM_E_FIELD_MAXLEN; encoders
 * always write MaxLen = Len.
 */

typedef struct nw_version {
	uint8_t major, minor;
	uint16_t build;
	uint8_t revision; /* NTLMSSP_REVISION_W2K3 = 15 */
} nw_version;

/* 2.2.1.1 */
typedef struct nw_negotiate {
	uint32_t flags;
	char *domain;      /* OEM domain supplied (NULL if absent) */
	char *workstation; /* OEM workstation supplied (NULL if absent) */
	int has_version;
	nw_version version;
} nw_negotiate;

/* 2.2.1.2 */
typedef struct nw_challenge {
	uint32_t flags;
	uint8_t server_challenge[8];
	char *target_name;    /* decoded per UNICODE/OEM flag; NULL if absent */
	uint8_t *target_info; /* raw AV pairs (NULL/0 if absent) */
	size_t target_info_len;
	int has_version;
	nw_version version;
	/*
	 * 1 when the TargetName was not valid in the encoding the flags name;
	 * it is then decoded in the other one (target_name NULL if that fails
	 * too). Servers (impacket's) send UTF-16LE under OEM flags, and nothing
	 * in NTLMv2 uses the TargetName, so this is tolerated.
	 */
	int target_name_misencoded;
	size_t target_info_offset; /* where TargetInfo lies in the message (for explanations) */
} nw_challenge;

/* 2.2.1.3 */
typedef struct nw_authenticate {
	uint32_t flags;
	uint8_t *lm_response;
	size_t lm_response_len;
	uint8_t *nt_response;
	size_t nt_response_len;
	char *domain, *user, *workstation; /* never NULL after a successful decode ("" if empty) */
	uint8_t *encrypted_session_key;
	size_t encrypted_session_key_len;
	int has_version;
	nw_version version;
	/* 1 when the fixed header is long enough to hold a MIC (payload starts at >= 88). */
	int has_mic_field;
	uint8_t mic[16];
	size_t nt_response_offset; /* where NtChallengeResponse lies in the message */
	/* decoded by nw_authenticate_decode_view: the byte fields are views into the message */
	int borrowed;
} nw_authenticate;

/*
 * Why a decoder refused its input, for people debugging a peer: the field
 * as [MS-NLMP] names it, the byte offset of the fault in the input the
 * decoder was given, and the rule it broke. Every *_fault decoder takes an
 * optional one (NULL: no detail) and fills it only when it fails; the
 * plain decoders are the same with NULL. The error code stays the answer;
 * this is only its explanation.
 */
typedef struct nw_fault {
	char field[64]; /* "UserNameFields", "TargetInfo: MsvAvTimestamp" */
	size_t offset;
	char rule[192]; /* "MaxLen 8 is less than Len 10" */
} nw_fault;

/* Fills f (if not NULL): field, offset and the printf-formatted rule. */
void nw_fault_set(nw_fault *f, const char *field, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * For a part parsed on its own that lies at base inside a message:
 * offset += base and, with where, field becomes "where: field".
 */
void nw_fault_within(nw_fault *f, const char *where, size_t base);

/* Encoders. Strings are UTF-8 and are written Unicode or OEM per the flags. */
NTLM_MUST_CHECK ntlm_err nw_negotiate_encode(const nw_negotiate *m, ntlm_buffer *out);
NTLM_MUST_CHECK ntlm_err nw_challenge_encode(const nw_challenge *m, ntlm_buffer *out);
/* Writes a zero MIC field when with_mic (patch it later at NW_AUTH_MIC_OFFSET). */
NTLM_MUST_CHECK ntlm_err nw_authenticate_encode(const nw_authenticate *m, int with_mic,
                                                ntlm_buffer *out);
/* The same into the caller's writer, which can then patch the MIC (nb_patch_bytes). */
NTLM_MUST_CHECK ntlm_err nw_authenticate_write(const nw_authenticate *m, int with_mic,
                                               nb_writer *w);

/* Decoders: on error *m is left cleared. */
NTLM_MUST_CHECK ntlm_err nw_negotiate_decode(const uint8_t *data, size_t len, nw_negotiate *m);
NTLM_MUST_CHECK ntlm_err nw_challenge_decode(const uint8_t *data, size_t len, nw_challenge *m);
NTLM_MUST_CHECK ntlm_err nw_authenticate_decode(const uint8_t *data, size_t len,
                                                nw_authenticate *m);
/* Message type of a token (after checking the signature), or an error. */
NTLM_MUST_CHECK ntlm_err nw_message_type(const uint8_t *data, size_t len, uint32_t *type);
/*
 * For a decoder's error: a well-formed NTLMSSP message of another type than
 * the decoder wanted came at the wrong time (NTLM_E_WRONG_STATE); any other
 * error stands. Lets a caller decode first and read the preamble only on failure.
 */
NTLM_MUST_CHECK ntlm_err nw_wrong_type_as_state(ntlm_err rc, const uint8_t *data, size_t len);

/* The same, explaining a refusal in *fault (optional). */
NTLM_MUST_CHECK ntlm_err nw_negotiate_decode_fault(const uint8_t *data, size_t len, nw_negotiate *m,
                                                   nw_fault *fault);
NTLM_MUST_CHECK ntlm_err nw_challenge_decode_fault(const uint8_t *data, size_t len, nw_challenge *m,
                                                   nw_fault *fault);
/*
 * flags_if_zero: the flags that choose the string encoding when the
 * message's own NegotiateFlags are 0 (old clients send none; the server
 * passes the flags of its CHALLENGE, which then stand). m->flags stays 0.
 */
NTLM_MUST_CHECK ntlm_err nw_authenticate_decode_fault(const uint8_t *data, size_t len,
                                                      uint32_t flags_if_zero, nw_authenticate *m,
                                                      nw_fault *fault);
/*
 * The same, the byte fields (responses, session key) left where they are:
 * views valid while data is (the server decodes and checks within one step).
 * Strings are still UTF-8 copies.
 */
NTLM_MUST_CHECK ntlm_err nw_authenticate_decode_view(const uint8_t *data, size_t len,
                                                     uint32_t flags_if_zero, nw_authenticate *m);
NTLM_MUST_CHECK ntlm_err nw_message_type_fault(const uint8_t *data, size_t len, uint32_t *type,
                                               nw_fault *fault);

void nw_negotiate_clear(nw_negotiate *m);
void nw_challenge_clear(nw_challenge *m);
void nw_authenticate_clear(nw_authenticate *m);

/* ----------------------------------------------------------- AV pairs */

typedef struct nw_av {
	uint16_t id;
	uint8_t *value;
	size_t len;
} nw_av;

/*
 * An ordered AV_PAIR list without its MsvAvEOL terminator. Its values are
 * its own copies, or with borrowed (nw_av_parse_view) views into the bytes
 * it was parsed from, which it then only reads: nw_av_set* refuses it.
 */
typedef struct nw_av_list {
	nw_av *items;
	size_t n;
	int borrowed;
} nw_av_list;

/*
 * Parses a TargetInfo. Rules: each pair fits; the list ends with exactly one
 * MsvAvEOL of length 0 (bytes after it are ignored: Windows pads); fixed-size
 * ids have their size (Flags 4, Timestamp 8, ChannelBindings 16, SingleHost
 * >= 48); string ids have even length; no id appears twice. Violations:
 * NTLM_E_BAD_AV_PAIR. An empty input gives an empty list.
 */
NTLM_MUST_CHECK ntlm_err nw_av_parse(const uint8_t *data, size_t len, nw_av_list *list);
/* The same, explaining a refusal (offsets relative to data). */
NTLM_MUST_CHECK ntlm_err nw_av_parse_fault(const uint8_t *data, size_t len, nw_av_list *list,
                                           nw_fault *fault);
/*
 * The same rules, the values left where they are: a list that borrows them
 * (valid while data is), for a reader that only looks (the server's check
 * of the client's pairs). One allocation, the array.
 */
NTLM_MUST_CHECK ntlm_err nw_av_parse_view(const uint8_t *data, size_t len, nw_av_list *list);
/* Serialises the list followed by MsvAvEOL. */
NTLM_MUST_CHECK ntlm_err nw_av_encode(const nw_av_list *list, ntlm_buffer *out);
/*
 * A list written straight into a message, without building one: pairs in
 * the order written, then nw_av_write_eol(). The writer's error is sticky
 * and returned; a bad pair (id MsvAvEOL, too long) is NTLM_E_INVALID_PARAMETER.
 */
NTLM_MUST_CHECK ntlm_err nw_av_write(nb_writer *w, uint16_t id, const uint8_t *value, size_t len);
/* UTF-8 string value -> UTF-16LE pair, converted in place. */
NTLM_MUST_CHECK ntlm_err nw_av_write_string(nb_writer *w, uint16_t id, const char *utf8);
NTLM_MUST_CHECK ntlm_err nw_av_write_eol(nb_writer *w);
/* NULL if absent. */
const nw_av *nw_av_get(const nw_av_list *list, uint16_t id);
/* Removes the pair id (wiping its value), keeping the order of the rest; absent: no-op. */
void nw_av_remove(nw_av_list *list, uint16_t id);
/* Replaces the value of id or appends it. */
NTLM_MUST_CHECK ntlm_err nw_av_set(nw_av_list *list, uint16_t id, const uint8_t *value, size_t len);
NTLM_MUST_CHECK ntlm_err nw_av_set_u32(nw_av_list *list, uint16_t id, uint32_t v);
NTLM_MUST_CHECK ntlm_err nw_av_set_u64(nw_av_list *list, uint16_t id, uint64_t v);
/* UTF-8 string value -> UTF-16LE pair. */
NTLM_MUST_CHECK ntlm_err nw_av_set_string(nw_av_list *list, uint16_t id, const char *utf8);
/* Typed getters: NTLM_E_NOT_FOUND when absent. */
NTLM_MUST_CHECK ntlm_err nw_av_get_u32(const nw_av_list *list, uint16_t id, uint32_t *v);
NTLM_MUST_CHECK ntlm_err nw_av_get_u64(const nw_av_list *list, uint16_t id, uint64_t *v);
NTLM_MUST_CHECK ntlm_err nw_av_get_string(const nw_av_list *list, uint16_t id, char **utf8);
void nw_av_clear(nw_av_list *list);
/* Human name of an AV id ("MsvAvTimestamp"), or NULL. */
const char *nw_av_name(uint16_t id);

/*
 * NTLMv2_RESPONSE (2.2.2.8): NTProofStr(16) || NTLMv2_CLIENT_CHALLENGE
 * (2.2.2.7, the "temp" the proof covers): RespType(1)=1 HiRespType(1)=1 Z(6)
 * TimeStamp(8) ChallengeFromClient(8) Z(4) AvPairs Z(4). One struct for both
 * directions (v2blob.c): the client fills timestamp, client_challenge and
 * av_pairs to encode; a decode fills every field with views into the
 * caller's response buffer (av_pairs then runs to the end of the response,
 * the trailing Z(4) included: the AV parser stops at MsvAvEOL).
 */
typedef struct nw_v2_response {
	const uint8_t *proof; /* 16 bytes (decode only) */
	const uint8_t *temp;  /* everything after the proof (decode only) */
	size_t temp_len;
	uint64_t timestamp;
	uint8_t client_challenge[8];
	const uint8_t *av_pairs;
	size_t av_len;
} nw_v2_response;

/* NTLM_E_BAD_RESPONSE if the layout is wrong (length < 48, bad RespType). */
NTLM_MUST_CHECK ntlm_err nw_v2_response_parse(const uint8_t *nt_response, size_t len,
                                              nw_v2_response *out);
/* The same, explaining a refusal (offsets relative to nt_response). */
NTLM_MUST_CHECK ntlm_err nw_v2_response_parse_fault(const uint8_t *nt_response, size_t len,
                                                    nw_v2_response *out, nw_fault *fault);

/*
 * Appends the temp of r (timestamp, client_challenge, av_pairs) to w; the
 * writer's error is sticky and returned. The caller writes the proof before
 * it (a placeholder it patches once the proof is computed over the temp).
 */
NTLM_MUST_CHECK ntlm_err nw_v2_temp_write(nb_writer *w, const nw_v2_response *r);
/* The temp of r as a new buffer. */
NTLM_MUST_CHECK ntlm_err nw_v2_temp_encode(const nw_v2_response *r, ntlm_buffer *temp);

#endif
