/*
 * ntlm_squid.h - the engine of Squid's "squid-2.5-ntlmssp" helper protocol,
 * one request line in, one answer line out (stdout):
 *
 *   request                  answer
 *   [ID] YR [<b64 NEGOTIATE>] [ID] TT <b64 CHALLENGE>    new handshake
 *   [ID] KK <b64 AUTHENTICATE> [ID] AF <DOMAIN\user>     success
 *                            [ID] NA <reason>            authentication failed
 *   [ID] GK                  [ID] GK <b64 session key>   after a success (Wine's server)
 *                            [ID] BH No session key      otherwise
 *   [ID] GF                  [ID] GF 0x<flags>           the negotiated flags
 *   [ID] SF ... / PW ...     [ID] OK                     accepted, not needed by a server
 *   anything wrong           [ID] BH <reason>            protocol fault
 *
 * ID is Squid's concurrency channel: present, it is echoed, and each
 * channel has its own handshake. `ntlm squid-helper` (ntlm_squid_helper.c),
 * ntlm_auth's squid-2.5-ntlmssp mode (with samba set: Samba's texts, NA
 * NT_STATUS_LOGON_FAILURE and the like) and the fuzzer (fuzz/fuzz_squid.c)
 * drive it.
 */
#ifndef NTLM_SQUID_H
#define NTLM_SQUID_H

#include <stddef.h>
#include <stdint.h>

#include "ntlm_setup.h"

/*
 * Squid's concurrency is a few hundred at most. The table holds only
 * channels with a handshake in progress (a finished or failed one is
 * removed); when it is full, a new channel takes the slot of the one that
 * waited longest, so no number of distinct IDs locks the helper.
 */
#define SQUID_MAX_CHANNELS 1024

typedef struct squid_channel {
	uint64_t id;
	ntlm_ctx *ctx;  /* the handshake in progress */
	ntlm_ctx *done; /* the last finished one, for GK and GF */
	uint64_t used;  /* squid.clock at its last request: the oldest is evicted */
} squid_channel;

typedef struct squid {
	setup_server *srv; /* the server configuration, not owned */
	squid_channel *ch; /* channels with a handshake in progress */
	size_t n;
	uint64_t clock; /* counts requests */
	int samba;      /* Samba's words (ntlm_auth): NA NT_STATUS_*, BH as Samba's helper */
} squid;

/*
 * Squid numbers its requests with a uint64_t (written with PRIu64): an ID
 * of digits that does not fit is no channel of Squid's, and it must not
 * alias one (as strtoul's saturation to ULONG_MAX would).
 */
#define CHANNEL_ID_DIGITS 20

typedef struct channel_id {
	int present; /* the line starts with a word of digits */
	int overflow;
	uint64_t value;
	char text[CHANNEL_ID_DIGITS + 1]; /* echoed as it came */
} channel_id;

/* The first word of the line (len bytes, NUL bytes included), if it is all digits. */
void squid_read_channel_id(const char *line, size_t len, channel_id *id);

void squid_init(squid *s, setup_server *srv);
/* One request of len bytes (NUL bytes included; line[len] is a NUL). */
void squid_handle_line(squid *s, char *line, size_t len);
/* A line over IO_LINE_MAX bytes, of which start holds the first len: refused on its channel. */
void squid_handle_overlong(const char *start, size_t len);
/* Frees every handshake in progress. */
void squid_free(squid *s);

#endif
