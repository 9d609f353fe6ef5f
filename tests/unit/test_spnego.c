/*
 * test_spnego.c - the SPNEGO codec of ntlm_auth (tools/ntlm_auth/spnego.c):
 * byte-exact against tokens Samba's ntlm_auth 4.17 wrote (gss-spnego-client
 * and gss-spnego in one handshake, and the server's NegTokenInit2 offer),
 * our encoder reproducing each; then malformed tokens, each refused.
 */
#include <stdlib.h>

#include "spnego.h"
#include "t.h"

/* Written by Samba's ntlm_auth (Debian 12, 4.17.12) in one NTLM-in-SPNEGO handshake. */
static const char samba_init[] =
	"604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d535350000100"
	"00000582086200000000280000000000000028000000060100000000000f";
static const char samba_tt[] =
	"a181a230819fa0030a0101a10c060a2b06010401823702020aa281890481864e544c4d53535000020000000e"
	"000e003800000005828a62912ea142c6ab6b2200000000000000004000400046000000060100000000000f49"
	"004e005400450052004f00500002000e0049004e005400450052004f00500001000e0049004e005400450052"
	"004f005000040000000300040076006d0007000800e6faa0d75585dd0100000000";
static const char samba_kk[] =
	"a18201603082015ca2820158048201544e544c4d53535000030000001800180058000000b400b40070000000"
	"0e000e002401000012001200320100000000000044010000100010004401000005820862060100000000000f"
	"5385e5bbb8c21e455e82a3525706b996000000000000000000000000000000000000000000000000dff22987"
	"7a9a9df730cae90d4921e10b0101000000000000e6faa0d75585dd01483251f64dd533e40000000002000e00"
	"49004e005400450052004f00500001000e0049004e005400450052004f005000040000000300040076006d00"
	"07000800e6faa0d75585dd0108003000300000000000000000000000000000004c12e10858fee1a7ee8a784d"
	"bc5b1dde0e5cc929ebe0952845979ebcc235b9d60a0010000000000000000000000000000000000000000000"
	"49004e005400450052004f0050006e0074006c006d0069007400650073007400c60fbc2504be9789166cfee7"
	"3bfa6fae";
static const char samba_af[] = "a1073005a0030a0100";
static const char samba_offer[] =
	"604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa32a3028a0261b246e6f745f6465"
	"66696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

/* Our server's last token with its mechListMIC (accept-completed, [3] 16 bytes). */
static const char ours_final_mic[] = "a11b3019a0030a0100a3120410010000000123456789abcdef00000000";

static uint8_t buf[2048];

static size_t unhex(const char *hex)
{
	return t_unhex(hex, buf, sizeof(buf));
}

static int is_ntlmssp(spnego_view v, uint32_t type)
{
	return v.data && v.len >= 12 && !memcmp(v.data, "NTLMSSP", 8) && v.data[8] == type;
}

static void test_samba_init(void)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	size_t n = unhex(samba_init), types_len;
	const uint8_t *types = spnego_ntlm_mech_types(&types_len);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.kind == SPNEGO_INIT && t.ntlm_offered && t.ntlm_first && t.n_mechs == 1);
	T_ASSERT(is_ntlmssp(t.mech_token, 1) && t.mech_token.len == 40 && !t.mic.data);
	/* the MechTypeList as sent, which the mechListMIC covers, is ours exactly */
	T_ASSERT(t.mech_types.len == types_len);
	T_BYTES(t.mech_types.data, types, types_len);
	T_OK(spnego_encode_init(t.mech_token.data, t.mech_token.len, &out));
	T_ASSERT(out.len == n);
	T_BYTES(out.data, buf, n);
	ntlm_buffer_free(&out);
}

static void test_samba_challenge(void)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	size_t n = unhex(samba_tt);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.kind == SPNEGO_RESP && t.neg_state == SPNEGO_ACCEPT_INCOMPLETE);
	T_ASSERT(t.supported_mech == 1 && is_ntlmssp(t.mech_token, 2) && !t.mic.data);
	T_OK(spnego_encode_resp(SPNEGO_ACCEPT_INCOMPLETE, 1, t.mech_token.data, t.mech_token.len, NULL,
	                        0, &out));
	T_ASSERT(out.len == n);
	T_BYTES(out.data, buf, n);
	ntlm_buffer_free(&out);
}

/* Two-byte lengths (the AUTHENTICATE is over 255 bytes), no negState. */
static void test_samba_authenticate(void)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	size_t n = unhex(samba_kk);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.kind == SPNEGO_RESP && t.neg_state == SPNEGO_NO_STATE && !t.supported_mech);
	T_ASSERT(is_ntlmssp(t.mech_token, 3) && t.mech_token.len > 255 && !t.mic.data);
	T_OK(
		spnego_encode_resp(SPNEGO_NO_STATE, 0, t.mech_token.data, t.mech_token.len, NULL, 0, &out));
	T_ASSERT(out.len == n);
	T_BYTES(out.data, buf, n);
	ntlm_buffer_free(&out);
}

static void test_samba_final(void)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	size_t n = unhex(samba_af);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.kind == SPNEGO_RESP && t.neg_state == SPNEGO_ACCEPT_COMPLETED);
	T_ASSERT(!t.mech_token.data && !t.mic.data && !t.supported_mech);
	T_OK(spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, 0, NULL, 0, NULL, 0, &out));
	T_ASSERT(out.len == n);
	T_BYTES(out.data, buf, n);
	ntlm_buffer_free(&out);
}

/* NegTokenInit2: [3] is negHints (a SEQUENCE), not a mechListMIC. */
static void test_samba_offer(void)
{
	spnego_token t;
	size_t n = unhex(samba_offer);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.kind == SPNEGO_INIT && t.ntlm_first && !t.mech_token.data && !t.mic.data);
}

static void test_mic_round_trip(void)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	size_t n = unhex(ours_final_mic);
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.neg_state == SPNEGO_ACCEPT_COMPLETED && t.mic.len == 16);
	T_OK(spnego_encode_resp(SPNEGO_ACCEPT_COMPLETED, 0, NULL, 0, t.mic.data, 16, &out));
	T_ASSERT(out.len == n);
	T_BYTES(out.data, buf, n);
	ntlm_buffer_free(&out);
}

/* Every proper prefix of every vector is refused (never read past the end). */
static void test_truncated(void)
{
	const char *all[] = {samba_init, samba_tt, samba_kk, samba_af, samba_offer, ours_final_mic};
	spnego_token t;
	for (size_t v = 0; v < sizeof(all) / sizeof(all[0]); v++) {
		size_t n = unhex(all[v]);
		for (size_t k = 0; k < n; k++) {
			uint8_t *copy = malloc(k ? k : 1);
			T_ASSERT(copy != NULL);
			memcpy(copy, buf, k);
			ntlm_err rc = spnego_decode(copy, k, &t);
			free(copy);
			if (rc == NTLM_OK)
				T_FAIL("vector %zu cut to %zu of %zu bytes decoded", v, k, n);
		}
	}
}

/* One malformed token: hex, and the error it must give. */
static void refused(const char *hex, ntlm_err want, const char *what)
{
	spnego_token t;
	size_t n = unhex(hex);
	ntlm_err rc = spnego_decode(buf, n, &t);
	if (rc != want) {
		fprintf(stderr, "  %s: got %s, wanted %s\n", what, ntlm_err_name(rc), ntlm_err_name(want));
		t_failed_current = 1;
	}
}

static void test_malformed(void)
{
	refused("", NTLM_E_BAD_SIGNATURE_HEADER, "empty");
	refused("4e544c4d53535000", NTLM_E_BAD_SIGNATURE_HEADER, "raw NTLMSSP is not SPNEGO");
	refused("a1073005a0030a010000", NTLM_E_BAD_MESSAGE_TYPE, "a byte after the token");
	refused("a180", NTLM_E_FIELD_RANGE, "indefinite length");
	refused("a1850000000009", NTLM_E_FIELD_RANGE, "five length octets");
	refused("a10830ffa0030a0100", NTLM_E_TRUNCATED, "inner length past the end");
	refused("a1083006a0030a0100", NTLM_E_TRUNCATED, "inner length past its parent");
	refused("a1073005a0030a0104", NTLM_E_BAD_MESSAGE_TYPE, "negState 4");
	refused("a1083006a0040a020000", NTLM_E_BAD_MESSAGE_TYPE, "negState of two octets");
	refused("a10c300aa0030a0100a0030a0100", NTLM_E_BAD_MESSAGE_TYPE, "negState twice");
	refused("a10b3009a2020400a0030a0100", NTLM_E_BAD_MESSAGE_TYPE, "fields out of order");
	refused("a1073005a4030a0100", NTLM_E_BAD_MESSAGE_TYPE, "unknown field [4]");
	refused("a1073005a0030c0100", NTLM_E_BAD_MESSAGE_TYPE, "negState not ENUMERATED");
	refused("a1083006a0040a01000a", NTLM_E_BAD_MESSAGE_TYPE, "extra bytes inside [0]");
	refused("a1063004bf1f0100", NTLM_E_BAD_MESSAGE_TYPE, "high tag number");
	refused("a1073105a0030a0100", NTLM_E_BAD_MESSAGE_TYPE, "SET instead of SEQUENCE");
	refused("6010060a2b06010401823702020aa0023000", NTLM_E_BAD_SIGNATURE_HEADER,
	        "InitialContextToken of another mechanism");
	refused("600c06062b0601050502a0023000", NTLM_E_BAD_MESSAGE_TYPE, "mechTypes missing");
	refused("601006062b0601050502a0063004a0023000", NTLM_E_BAD_MESSAGE_TYPE, "mechTypes empty");
	refused("601206062b0601050502a0083006a00430020600", NTLM_E_BAD_MESSAGE_TYPE, "an empty OID");
	refused("601e06062b0601050502a0143010a00e300c060a2b06010401823702020a0500",
	        NTLM_E_BAD_MESSAGE_TYPE, "something after NegTokenInit's SEQUENCE");
}

/* An unknown first mechanism, then NTLM: offered, not first. */
static void test_ntlm_second(void)
{
	spnego_token t;
	size_t n = unhex("602806062b0601050502a01e301ca01a3018060a2a864886f712010202ff"
	                 "060a2b06010401823702020a");
	/* the first OID's last octet (ff) makes it no OID we know: still an OID */
	T_OK(spnego_decode(buf, n, &t));
	T_ASSERT(t.n_mechs == 2 && t.ntlm_offered && !t.ntlm_first);
}

int main(void)
{
	T_RUN(test_samba_init);
	T_RUN(test_samba_challenge);
	T_RUN(test_samba_authenticate);
	T_RUN(test_samba_final);
	T_RUN(test_samba_offer);
	T_RUN(test_mic_round_trip);
	T_RUN(test_truncated);
	T_RUN(test_malformed);
	T_RUN(test_ntlm_second);
	T_END();
}
